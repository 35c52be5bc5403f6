"""A client's measure history and its change: the one read model of measure scores, read by
the progress page (and its API), the dashboard, the session review and the PDFs.

**History.** Every entry the client shared whose measure was scored, oldest first, grouped by
activity (so a new version of a measure continues its history): its local date, total and
severity band. Title and bands come from the newest version with a score. Entries with items
left out are listed as incomplete, not scored.

**Change** against the client's baseline (the first score on the measure) asks two questions
(Jacobson & Truax, 1991):

* **Reliable change** — did the score move by more than the measure's measurement error?
* **Clinically significant change** — did the client cross from the clinical range (at or
  above the cut-off) into the non-clinical range? "Reliable recovery" is both at once.

The thresholds and their source are data, in the measure's ``outcomes``
(``worksheets.measures.measure_outcomes``), found by the LOINC panel code the worksheet
definition carries. A scored activity with no known thresholds still gets its change in
points; it is never called reliable. Lower is better on every measure here. One score is not a
change.

The caller has already checked access (``clients.selectors.client_get``). Dates are the
client's local dates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from assignments.models import Response
from library.models import ActivityVersion
from worksheets.measures import measure_outcomes, standard_outcomes

# --- Change --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    name: str
    reliable_change: float
    clinical_cutoff: float  # a score at or above it is in the clinical range
    source: str


IMPROVED = "improved"
DETERIORATED = "deteriorated"
NO_RELIABLE_CHANGE = "no_reliable_change"
UNKNOWN = "unknown"  # no thresholds for this measure, or fewer than two scores

LABELS = {
    IMPROVED: "Reliable improvement",
    DETERIORATED: "Reliable deterioration",
    NO_RELIABLE_CHANGE: "No reliable change",
    UNKNOWN: "",
}


def thresholds_for_panel(panel: str | None) -> Thresholds | None:
    outcomes = measure_outcomes(panel)
    return None if outcomes is None else _thresholds(outcomes)


def _thresholds(outcomes: Mapping[str, Any]) -> Thresholds:
    return Thresholds(
        name=outcomes["name"],
        reliable_change=outcomes["reliable_change"],
        clinical_cutoff=outcomes["clinical_cutoff"],
        source=outcomes["source"],
    )


def thresholds_for(definition: Mapping[str, Any] | None) -> Thresholds | None:
    """The thresholds of the measure a worksheet definition scores, if it is one we know."""
    scoring = (definition or {}).get("scoring") or {}
    return thresholds_for_panel((scoring.get("loinc") or {}).get("panel"))


def known_thresholds() -> list[Thresholds]:
    """Every measure with thresholds, for the pages that explain them."""
    return [_thresholds(outcomes) for outcomes in standard_outcomes()]


@dataclass(frozen=True)
class Change:
    baseline: float | None
    latest: float | None
    delta: float | None  # latest − baseline; negative is better
    direction: str  # IMPROVED, DETERIORATED, NO_RELIABLE_CHANGE or UNKNOWN
    clinically_significant: bool  # crossed from the clinical to the non-clinical range
    thresholds: Thresholds | None

    @property
    def label(self) -> str:
        return LABELS[self.direction]

    @property
    def reliable_recovery(self) -> bool:
        return self.direction == IMPROVED and self.clinically_significant

    @property
    def improving(self) -> bool:
        return self.direction == IMPROVED


def classify(baseline: float | None, latest: float | None, thresholds: Thresholds | None) -> Change:
    """Compare the latest score with the baseline (the first score of the measure)."""
    if baseline is None or latest is None:
        return Change(baseline, latest, None, UNKNOWN, False, thresholds)
    delta = latest - baseline
    if thresholds is None:
        return Change(baseline, latest, delta, UNKNOWN, False, None)
    if delta <= -thresholds.reliable_change:
        direction = IMPROVED
    elif delta >= thresholds.reliable_change:
        direction = DETERIORATED
    else:
        direction = NO_RELIABLE_CHANGE
    significant = baseline >= thresholds.clinical_cutoff and latest < thresholds.clinical_cutoff
    return Change(baseline, latest, delta, direction, significant, thresholds)


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


@dataclass
class MeasureHistory:
    activity_id: Any
    title: str
    series: dict  # analytics.measure_chart.measure_chart's input: title, range, bands, points
    change: Change
    history: list[Score] = field(default_factory=list)  # oldest first
    incomplete: list[date] = field(default_factory=list)

    @property
    def scores(self) -> int:
        return len(self.history)

    @property
    def latest_band(self) -> str:
        return self.history[-1].band if self.history else ""

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


def measure_history(client, *, versions: Mapping | None = None) -> list[MeasureHistory]:
    """Every measure the client shared entries of, by title: two queries (one when
    ``versions``, from ``shared_versions``, is given)."""
    versions = shared_versions(client) if versions is None else versions
    scored = [pk for pk, v in versions.items() if (v.definition or {}).get("scoring")]
    if not scored:
        return []
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
        measures.append(
            MeasureHistory(
                activity_id=activity,
                title=version.title,
                series=_series(client, version, history),
                change=classify(
                    history[0].total if history else None,
                    history[-1].total if len(history) > 1 else None,
                    thresholds_for(version.definition),
                ),
                history=history,
                incomplete=incomplete.get(activity, []),
            )
        )
    return sorted(measures, key=lambda m: m.title.lower())


def _series(client, version, scores: list[Score]) -> dict:
    scoring = version.definition.get("scoring") or {}
    points = [
        {
            "date": _local_day(client, s.submitted_at).isoformat(),
            "total": plain(s.total),
            "band": s.band,
        }
        for s in scores
    ]
    return {
        "title": version.title,
        "min_total": scoring.get("min_total", 0),
        "max_total": scoring.get("max_total", max((p["total"] for p in points), default=0)),
        "bands": [
            {k: band.get(k) for k in ("min", "max", "label", "severity")}
            for band in scoring.get("bands", [])
        ],
        "points": points,
    }


def _local_day(client, moment: datetime) -> date:
    return timezone.localtime(moment, client.tz).date()
