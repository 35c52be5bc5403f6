"""A client's measure history and its change: the one read model of measure scores, read by
the progress page (and its API), the dashboard, the session review and the PDFs.

**History.** Every entry the client shared whose measure was scored, oldest first, grouped by
activity (so a new version of a measure continues its history): its local date, total and
severity band. Title and bands come from the newest version with a score. Entries with items
left out are listed as incomplete, not scored.

**Episodes of care.** Change is counted within the client's current episode of care: its
baseline is the first score of the episode (``clients.models.CareEpisode``; the first episode
starts implicitly at the first score). Earlier episodes keep their scores and their own
change, grouped under them.

**Outcome categories** (``CATEGORIES``, defined once here; each with its source) compare the
latest score of the episode with its baseline: reliable improvement or deterioration, no
reliable change, recovery, reliable recovery, response and remission. The thresholds are
data, in the measure's ``outcomes`` (``worksheets.measures.measure_outcomes``), found by the
LOINC panel code the worksheet definition carries. A scored activity with no known thresholds
still gets its change in points and, where the baseline is above zero, response; it is never
called reliable, recovered or remitted. Lower is better on every measure here. One score is
not a change.

The caller has already checked access (``clients.selectors.client_get``). Dates are the
client's local dates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from assignments.models import Response
from clients.models import CareEpisode
from library.models import ActivityVersion
from worksheets.measures import measure_outcomes, standard_outcomes

# --- Thresholds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """How change on one measure is judged (its ``outcomes`` block)."""

    name: str
    reliable_change: float  # points of change that measurement error does not explain
    clinical_cutoff: float  # "caseness": a score at or above it is in the clinical range
    source: str  # of the reliable change and the cut-off
    remission_below: float | None = None  # a score below it is remission; None: not defined
    remission_source: str = ""
    caseness_used_by: str = ""  # whose cut-off it is ("NHS Talking Therapies")

    @property
    def cutoff_phrase(self) -> str:
        """ "the caseness cut-off of 8 used by NHS Talking Therapies"."""
        used_by = f" used by {self.caseness_used_by}" if self.caseness_used_by else ""
        return f"the caseness cut-off of {plain(self.clinical_cutoff)}{used_by}"

    def range_note(self, total: float | None) -> str:
        """Where a score stands against the cut-off, in words: said next to the severity band,
        which is the instrument's own wording and may differ (a GAD-7 of 8 or 9 is "Mild" and
        at or above the cut-off of 8)."""
        if total is None:
            return ""
        if total >= self.clinical_cutoff:
            return f"at or above {self.cutoff_phrase}"
        return f"below {self.cutoff_phrase}"


def thresholds_for_panel(panel: str | None) -> Thresholds | None:
    outcomes = measure_outcomes(panel)
    return None if outcomes is None else _thresholds(outcomes)


def _thresholds(outcomes: Mapping[str, Any]) -> Thresholds:
    return Thresholds(
        name=outcomes["name"],
        reliable_change=outcomes["reliable_change"],
        clinical_cutoff=outcomes["clinical_cutoff"],
        source=outcomes["source"],
        remission_below=outcomes.get("remission_below"),
        remission_source=outcomes.get("remission_source", ""),
        caseness_used_by=outcomes.get("caseness_used_by", ""),
    )


def thresholds_for(definition: Mapping[str, Any] | None) -> Thresholds | None:
    """The thresholds of the measure a worksheet definition scores, if it is one we know."""
    scoring = (definition or {}).get("scoring") or {}
    return thresholds_for_panel((scoring.get("loinc") or {}).get("panel"))


def known_thresholds() -> list[Thresholds]:
    """Every measure with thresholds, for the pages that explain them."""
    return [_thresholds(outcomes) for outcomes in standard_outcomes()]


def band_note(band: str, total: float | None, thresholds: Thresholds | None) -> str:
    """The severity band with where the score stands against the caseness cut-off, when the
    two could seem to disagree: "Mild; at or above the caseness cut-off of 8 used by NHS
    Talking Therapies". The band alone otherwise."""
    if thresholds is None or total is None:
        return band
    return f"{band}; {thresholds.range_note(total)}" if band else thresholds.range_note(total)


# --- Outcome categories --------------------------------------------------------------------

# The literature the definitions below follow. Response: a fall of 50 % or more from baseline
# is the conventional definition of treatment response on the PHQ-9 and across depression
# trials (Kroenke, Spitzer & Williams 2001; McMillan, Gilbody & Richards 2010, J Affect Disord
# 127:122-129), used here for every measure, lower being better.
JACOBSON_TRUAX = (
    "Jacobson & Truax (1991), Clinical significance: a statistical approach to defining "
    "meaningful change in psychotherapy research, J Consult Clin Psychol 59(1):12-19."
)
TALKING_THERAPIES = (
    "NHS Talking Therapies for anxiety and depression manual (NHS England) and its data "
    "handbook (formerly the IAPT data handbook): reliable change, recovery and reliable "
    "recovery."
)
RESPONSE_SOURCE = (
    "Kroenke, Spitzer & Williams (2001), J Gen Intern Med 16(9):606-613; McMillan, Gilbody & "
    "Richards (2010), J Affect Disord 127:122-129."
)
RESPONSE_FRACTION = 0.5

RELIABLE_IMPROVEMENT = "reliable_improvement"
RELIABLE_DETERIORATION = "reliable_deterioration"
NO_RELIABLE_CHANGE = "no_reliable_change"
RECOVERY = "recovery"
RELIABLE_RECOVERY = "reliable_recovery"
RESPONSE = "response"
REMISSION = "remission"

# The direction of change (``Change.direction``): kept as the API has always named it.
IMPROVED = "improved"
DETERIORATED = "deteriorated"
UNKNOWN = "unknown"  # no thresholds for this measure, or fewer than two scores


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    definition: str  # for the "How these are counted" panel
    source: str
    tone: str  # "ok", "danger" or "soft": the badge it is shown with


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category(
            RELIABLE_IMPROVEMENT,
            "Reliable improvement",
            "The score fell from the episode's baseline by at least the measure's "
            "reliable-change threshold: more than measurement error explains.",
            f"{JACOBSON_TRUAX} Thresholds: {TALKING_THERAPIES}",
            "ok",
        ),
        Category(
            RELIABLE_DETERIORATION,
            "Reliable deterioration",
            "The score rose from the episode's baseline by at least the reliable-change "
            "threshold. The therapist is alerted through a flag.",
            f"{JACOBSON_TRUAX} Thresholds: {TALKING_THERAPIES}",
            "danger",
        ),
        Category(
            NO_RELIABLE_CHANGE,
            "No reliable change",
            "The score moved by less than the reliable-change threshold either way.",
            f"{JACOBSON_TRUAX} Thresholds: {TALKING_THERAPIES}",
            "soft",
        ),
        Category(
            RECOVERY,
            "Recovery",
            "The baseline was at or above the caseness cut-off and the latest score is below "
            "it. On its own this is not clinically significant change: the score may have "
            "moved by less than measurement error.",
            TALKING_THERAPIES,
            "ok",
        ),
        Category(
            RELIABLE_RECOVERY,
            "Reliable recovery",
            "Recovery and reliable improvement together: clinically significant change in "
            "the sense of Jacobson and Truax.",
            f"{JACOBSON_TRUAX} {TALKING_THERAPIES}",
            "ok",
        ),
        Category(
            RESPONSE,
            "Response",
            "The score fell by half or more from the episode's baseline (a baseline of 0 "
            "cannot fall).",
            RESPONSE_SOURCE,
            "ok",
        ),
        Category(
            REMISSION,
            "Remission",
            "The latest score is below the measure's remission threshold, from a baseline at "
            "or above it (a client below it from the start has not remitted: they were there "
            "already). Only measures with a defined threshold have it.",
            "PHQ-9 below 5: Kroenke, Spitzer & Williams (2001); Löwe et al. (2004). GAD-7 "
            "below 5: Spitzer et al. (2006).",
            "ok",
        ),
    )
}


@dataclass(frozen=True)
class Change:
    """The latest score of an episode against its baseline, and the categories it meets."""

    baseline: float | None
    latest: float | None
    delta: float | None  # latest − baseline; negative is better
    direction: str  # IMPROVED, DETERIORATED, NO_RELIABLE_CHANGE or UNKNOWN
    thresholds: Thresholds | None
    recovery: bool = False
    response: bool = False
    remission: bool = False

    @property
    def reliable_improvement(self) -> bool:
        return self.direction == IMPROVED

    @property
    def reliable_deterioration(self) -> bool:
        return self.direction == DETERIORATED

    @property
    def reliable_recovery(self) -> bool:
        return self.recovery and self.direction == IMPROVED

    @property
    def clinically_significant(self) -> bool:
        """Clinically significant change in the Jacobson–Truax sense: reliable recovery (not
        recovery alone)."""
        return self.reliable_recovery

    @property
    def improving(self) -> bool:
        return self.direction == IMPROVED

    @property
    def category(self) -> str:
        """The one category that sums the change up, most telling first: reliable
        deterioration, reliable recovery, recovery, reliable improvement, no reliable change;
        "" when there is no change to judge. Response and remission are said beside it."""
        if self.direction == DETERIORATED:
            return RELIABLE_DETERIORATION
        if self.reliable_recovery:
            return RELIABLE_RECOVERY
        if self.recovery:
            return RECOVERY
        if self.direction == IMPROVED:
            return RELIABLE_IMPROVEMENT
        if self.direction == NO_RELIABLE_CHANGE:
            return NO_RELIABLE_CHANGE
        return ""

    @property
    def label(self) -> str:
        return CATEGORIES[self.category].label if self.category else ""

    @property
    def categories(self) -> list[Category]:
        """Every category the change meets, the summing-up one first: e.g. reliable recovery,
        reliable improvement, recovery, response, remission."""
        keys = [self.category] if self.category else []
        if self.direction == IMPROVED:
            keys.append(RELIABLE_IMPROVEMENT)
        if self.recovery:
            keys.append(RECOVERY)
        if self.response:
            keys.append(RESPONSE)
        if self.remission:
            keys.append(REMISSION)
        return [CATEGORIES[key] for key in dict.fromkeys(keys)]

    @property
    def category_keys(self) -> list[str]:
        return [c.key for c in self.categories]

    @property
    def remission_at_baseline(self) -> bool:
        """Below the remission threshold from the first score: said in words, not counted as
        remission."""
        t = self.thresholds
        return (
            t is not None
            and t.remission_below is not None
            and self.baseline is not None
            and self.baseline < t.remission_below
        )


def classify(baseline: float | None, latest: float | None, thresholds: Thresholds | None) -> Change:
    """Compare the latest score of an episode with its baseline (its first score)."""
    if baseline is None or latest is None:
        return Change(baseline, latest, None, UNKNOWN, thresholds)
    delta = latest - baseline
    # Response needs something to halve; it needs no thresholds of the measure.
    response = baseline > 0 and latest <= baseline * RESPONSE_FRACTION
    if thresholds is None:
        return Change(baseline, latest, delta, UNKNOWN, None, response=response)
    if delta <= -thresholds.reliable_change:
        direction = IMPROVED
    elif delta >= thresholds.reliable_change:
        direction = DETERIORATED
    else:
        direction = NO_RELIABLE_CHANGE
    cutoff = thresholds.clinical_cutoff
    remission_below = thresholds.remission_below
    return Change(
        baseline,
        latest,
        delta,
        direction,
        thresholds,
        recovery=baseline >= cutoff and latest < cutoff,
        response=response,
        remission=remission_below is not None
        and baseline >= remission_below
        and latest < remission_below,
    )


def plain(number):
    """A score as people write it: 8, not 8.0; 7.5 stays 7.5."""
    if number is None:
        return None
    return int(number) if float(number).is_integer() else round(number, 1)


# --- History -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """One scored entry."""

    submitted_at: datetime
    total: float
    band: str
    severity: str


@dataclass(frozen=True)
class Episode:
    """One episode of care of a client: number 1 is implicit (from the first score), each
    later one a ``CareEpisode`` row."""

    number: int
    starts_at: datetime | None  # None for the first
    started_on: date | None
    note: str = ""
    started_by: str = ""


def client_episodes(client, rows: Sequence[CareEpisode] | None = None) -> list[Episode]:
    """The client's episodes of care, oldest first (one query unless ``rows`` is given)."""
    if rows is None:
        rows = list(
            CareEpisode.objects.filter(client=client)
            .select_related("started_by")
            .order_by("starts_at")
        )
    episodes = [Episode(1, None, None)]
    for number, row in enumerate(rows, start=2):
        by = row.started_by
        episodes.append(
            Episode(
                number,
                row.starts_at,
                row.started_on,
                row.note,
                (by.full_name or by.email) if by is not None else "",
            )
        )
    return episodes


def episode_of(moment: datetime, episodes: Sequence[Episode]) -> Episode:
    """The episode ``moment`` falls in."""
    current = episodes[0]
    for episode in episodes[1:]:
        if episode.starts_at is not None and moment >= episode.starts_at:
            current = episode
    return current


@dataclass
class EpisodeHistory:
    """One measure within one episode: its scores and their change."""

    episode: Episode
    scores: list[Score]
    change: Change

    @property
    def number(self) -> int:
        return self.episode.number


@dataclass
class MeasureHistory:
    activity_id: Any
    title: str
    series: dict  # analytics.measure_chart.measure_chart's input: title, range, bands, points
    change: Change  # within the current episode
    history: list[Score] = field(default_factory=list)  # oldest first, every episode
    incomplete: list[date] = field(default_factory=list)
    episodes: list[EpisodeHistory] = field(default_factory=list)  # newest first

    @property
    def scores(self) -> int:
        return len(self.history)

    @property
    def latest_band(self) -> str:
        return self.history[-1].band if self.history else ""

    @property
    def latest_band_note(self) -> str:
        """The band with where the latest score stands against the caseness cut-off."""
        if not self.history:
            return ""
        return band_note(self.history[-1].band, self.history[-1].total, self.thresholds)

    @property
    def thresholds(self) -> Thresholds | None:
        return self.change.thresholds

    @property
    def current(self) -> EpisodeHistory | None:
        return self.episodes[0] if self.episodes else None

    @property
    def earlier_episodes(self) -> list[EpisodeHistory]:
        return [e for e in self.episodes[1:] if e.scores]

    def since(self, moment: datetime) -> list[tuple[Score, float | None]]:
        """Each score sent from ``moment`` on, with the score before it (``None`` for the
        first)."""
        previous = [None, *(s.total for s in self.history)]
        return [
            (s, before)
            for s, before in zip(self.history, previous, strict=False)
            if s.submitted_at >= moment
        ]


def shared_versions(client) -> dict[Any, ActivityVersion]:
    """The versions of which the client shared entries (light: no search text)."""
    shared = Response.objects.filter(client=client, shared_with_therapist=True)
    return {
        v.pk: v
        for v in ActivityVersion.objects.filter(pk__in=shared.values("activity_version_id")).only(
            "pk", "activity_id", "number", "title", "definition"
        )
    }


def measure_history(
    client, *, versions: Mapping | None = None, episodes: Sequence[Episode] | None = None
) -> list[MeasureHistory]:
    """Every measure the client shared entries of, by title: three queries (fewer when
    ``versions``, from ``shared_versions``, and ``episodes``, from ``client_episodes``, are
    given), however many entries and episodes."""
    versions = shared_versions(client) if versions is None else versions
    scored = [pk for pk, v in versions.items() if (v.definition or {}).get("scoring")]
    if not scored:
        return []
    episodes = client_episodes(client) if episodes is None else episodes
    rows = (
        Response.objects.filter(
            client=client, shared_with_therapist=True, activity_version_id__in=scored
        )
        .order_by("submitted_at", "pk")
        .values_list(
            "activity_version_id",
            "submitted_at",
            "current_revision__score_total",
            "current_revision__score",
            "current_revision__severity",
        )
    )
    scores: dict[Any, list[Score]] = defaultdict(list)
    incomplete: dict[Any, list[date]] = defaultdict(list)
    scored_versions: dict[Any, set] = defaultdict(set)  # versions with a total, per activity
    any_versions: dict[Any, set] = defaultdict(set)
    for version_id, submitted_at, total, score, severity in rows:
        activity = versions[version_id].activity_id
        any_versions[activity].add(version_id)
        if total is None:
            incomplete[activity].append(_local_day(client, submitted_at))
            continue
        scored_versions[activity].add(version_id)
        band = (score or {}).get("band") or {}
        scores[activity].append(Score(submitted_at, total, band.get("label", ""), severity))
    measures = []
    for activity, version_ids in any_versions.items():
        version = max(
            (versions[pk] for pk in scored_versions.get(activity) or version_ids),
            key=lambda v: v.number,
        )
        history = scores.get(activity, [])
        thresholds = thresholds_for(version.definition)
        by_episode = _by_episode(history, episodes, thresholds)
        measures.append(
            MeasureHistory(
                activity_id=activity,
                title=version.title,
                series=_series(client, version, history, episodes),
                change=by_episode[0].change,
                history=history,
                incomplete=incomplete.get(activity, []),
                episodes=by_episode,
            )
        )
    return sorted(measures, key=lambda m: m.title.lower())


def _by_episode(
    history: list[Score], episodes: Sequence[Episode], thresholds: Thresholds | None
) -> list[EpisodeHistory]:
    """The scores of each episode with their change, newest episode first. Episodes that
    ended before the measure's first score are left out; the current one always stays (with
    no scores yet, it says so)."""
    grouped: dict[int, list[Score]] = defaultdict(list)
    for score in history:
        grouped[episode_of(score.submitted_at, episodes).number].append(score)
    first_number = episode_of(history[0].submitted_at, episodes).number if history else 1
    result = []
    for episode in reversed(episodes):
        if episode.number < first_number and episode.number != len(episodes):
            continue
        own = grouped.get(episode.number, [])
        result.append(
            EpisodeHistory(
                episode,
                own,
                classify(
                    own[0].total if own else None,
                    own[-1].total if len(own) > 1 else None,
                    thresholds,
                ),
            )
        )
    return result


def _series(client, version, scores: list[Score], episodes: Sequence[Episode]) -> dict:
    scoring = version.definition.get("scoring") or {}
    points = [
        {
            "date": _local_day(client, s.submitted_at).isoformat(),
            "total": plain(s.total),
            "band": s.band,
        }
        for s in scores
    ]
    first = points[0]["date"] if points else None
    return {
        "title": version.title,
        "min_total": scoring.get("min_total", 0),
        "max_total": scoring.get("max_total", max((p["total"] for p in points), default=0)),
        "bands": [
            {k: band.get(k) for k in ("min", "max", "label", "severity")}
            for band in scoring.get("bands", [])
        ],
        "points": points,
        # Where a new episode of care starts, drawn as a line on the chart: only those after
        # the first score (an episode started before any score changes nothing drawn).
        "episodes": [
            {"date": e.started_on.isoformat(), "label": f"Episode {e.number}"}
            for e in episodes
            if e.started_on is not None and first is not None and e.started_on.isoformat() > first
        ],
    }


def _local_day(client, moment: datetime) -> date:
    return timezone.localtime(moment, client.tz).date()
