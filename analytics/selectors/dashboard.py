"""Reads for the therapist's caseload dashboard, the owner's practice insights and the CSV
exports, already limited to what the caller may see (``clients.selectors``).

The dashboard reads the one definition of each figure: adherence from
``assignments.adherence`` (the caseload and the digest read it too), measure scores and their
change from ``assignments.measures`` (the progress page, session review and PDFs read it too).
Its figures come from one statement for the whole caseload (see ``caseload_dashboard``): the
adherence subqueries of ``assignments.adherence`` and, per measure, the first and latest
scored entry, each on a practice-leading index reading a bounded slice of one client's rows,
so the cost grows with the number of clients, not with how much history each has. Tests check
that this statement gives the figures of the reference implementations on the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from assignments import adherence
from assignments.adherence import (
    JSON_ARRAY,
    Adherence,
    as_uuid,
    columns,
    execute_for_clients,
    json_value,
    moment,
)
from assignments.measures import Change, Thresholds, classify, plain, thresholds_for_panel
from assignments.models import (
    ActorRole,
    AdherenceEvent,
    Assignment,
    Flag,
    Response,
    ResponseRevision,
)
from clients.models import CareEpisode, Client, ClientStatus
from clients.selectors import clients_visible_to
from library.models import ActivityVersion

FILTERS = {
    "all": "All clients",
    "slipping": "Slipping",
    "flagged": "Flagged",
    "improving": "Improving",
}
SORTS = {
    "name": "Name",
    "completion": "Completion",
    "overdue": "Overdue",
    "activity": "Last activity",
    "score": "Latest score",
}
# The direction a column header link starts with: names A→Z, otherwise whoever needs a look
# first (lowest completion, most overdue, quietest, highest score).
DEFAULT_DESCENDING = {
    "name": False,
    "completion": False,
    "overdue": True,
    "activity": False,
    "score": True,
}


# --- The caseload dashboard ---------------------------------------------------------------


@dataclass
class MeasureFigure:
    """One measure of one client: the first scored entry of the current episode of care
    (baseline; None when nothing was scored since it started) and the latest."""

    activity_id: object
    title: str
    latest: float | None
    latest_at: datetime
    band: str
    severity: str
    baseline: float | None
    baseline_at: datetime | None
    change: Change | None  # None with a single score: one point is not a change

    @property
    def latest_display(self):
        return plain(self.latest)

    @property
    def delta_display(self) -> str:
        if self.change is None or self.change.delta is None:
            return ""
        delta = plain(self.change.delta)
        return f"+{delta}" if delta > 0 else ("±0" if delta == 0 else f"−{abs(delta)}")


@dataclass
class ClientRow:
    client_id: object
    name: str
    full_name: str
    status: str
    therapist: str
    adherence: Adherence
    open_flags: int
    last_activity: datetime | None
    measures: list[MeasureFigure] = field(default_factory=list)
    now: datetime | None = None

    # The adherence figures, read where the page and the API expect them on the row.
    due = property(lambda self: self.adherence.due)
    done = property(lambda self: self.adherence.done)
    on_time = property(lambda self: self.adherence.on_time)
    completion = property(lambda self: self.adherence.completion)
    streak = property(lambda self: self.adherence.streak)
    overdue = property(lambda self: self.adherence.overdue)
    slipping = property(lambda self: self.adherence.slipping)
    overdue_level = property(lambda self: self.adherence.overdue_level)
    adherence_level = property(lambda self: self.adherence.level)
    partly = property(lambda self: self.adherence.partly)
    measures_due = property(lambda self: self.adherence.measures_due)
    measures_done = property(lambda self: self.adherence.measures_done)

    @property
    def activity_ago(self) -> str:
        if self.last_activity is None or self.now is None:
            return ""
        days = (self.now - self.last_activity).days
        if days < 1:
            return "today"
        return "yesterday" if days == 1 else f"{days} days ago"

    @property
    def latest(self) -> MeasureFigure | None:
        """The measure scored most recently."""
        return self.measures[0] if self.measures else None

    @property
    def other_measures(self) -> list[MeasureFigure]:
        return self.measures[1:]

    @property
    def improving(self) -> bool:
        return any(m.change is not None and m.change.improving for m in self.measures)

    @property
    def flagged(self) -> bool:
        return self.open_flags > 0


@dataclass
class Dashboard:
    rows: list[ClientRow]  # filtered and sorted
    counts: dict[str, int]  # per filter, over every client on the dashboard
    filter: str
    sort: str
    descending: bool
    now: datetime

    @property
    def total(self) -> int:
        return self.counts["all"]


def dashboard_clients(membership, *, mine_only: bool = False) -> QuerySet:
    """Clients on the dashboard: those ``membership`` may see, not discharged."""
    clients = clients_visible_to(membership).exclude(status=ClientStatus.DISCHARGED)
    if mine_only:
        clients = clients.filter(primary_therapist=membership.user)
    return clients


@dataclass(frozen=True)
class Measure:
    """A measure the practice has assigned: its activity and its scoring's LOINC panel (which
    decides the reliable-change thresholds)."""

    activity_id: object
    panel: str | None

    @cached_property
    def thresholds(self) -> Thresholds | None:
        return thresholds_for_panel(self.panel)


def assigned_measures() -> list[Measure]:
    """The practice's measures (activities with a scored version) that were ever assigned: a
    few rows, found through the ``assignment_version`` index."""
    rows = (
        ActivityVersion.objects.filter(definition__scoring__has_key="method")
        .filter(Exists(Assignment.objects.filter(activity_version=OuterRef("pk"))))
        .order_by("activity_id")
        .values_list("activity_id", "definition__scoring__loinc__panel")
        .distinct()
    )
    panels: dict[object, str | None] = {}
    for activity_id, panel in rows:
        panels[activity_id] = panels.get(activity_id) or panel
    return [Measure(activity_id, panel) for activity_id, panel in panels.items()]


# Table and column names, from the models.
_C = columns(Client, "id", "practice", "full_name", "preferred_name", "status", "primary_therapist")
_T = columns(get_user_model(), "id", "full_name", "email")
_F = columns(Flag, "practice", "client", "acknowledged_at")
_R = columns(
    Response,
    "id",
    "practice",
    "client",
    "submitted_at",
    "shared_with_therapist",
    "current_revision",
    "activity_version",
)
_V = columns(ResponseRevision, "id", "score_total", "severity", "score")
_AV = columns(ActivityVersion, "id", "activity", "title")
_A = columns(Assignment, "practice", "client", "activity_version")
_E = columns(AdherenceEvent, "practice", "client", "actor_role", "at")
_EP = columns(CareEpisode, "practice", "client", "starts_at")
_NAMES = {"c": _C, "t": _T, "f": _F, "r": _R, "v": _V, "av": _AV, "a": _A, "e": _E, "ep": _EP}

# The figures statement, one row per client: name, status and therapist, the adherence cells
# (``assignments.adherence.sql_select``), open flags, the newest entry, the newest client
# action, then per measure its first and latest scored entry. Open flags are few: they are
# counted once for the practice (the ``flag_open`` partial index) and joined.
_FIGURES_SQL = """
SELECT c.{c.id}, c.{c.full_name}, c.{c.preferred_name}, c.{c.status}, t.{t.full_name},
  t.{t.email},{adherence},
  COALESCE(flags.n, 0),
  (SELECT r.{r.submitted_at}
     FROM {r.table} r
    WHERE r.{r.practice} = %(practice)s AND r.{r.client} = c.{c.id}
    ORDER BY r.{r.submitted_at} DESC LIMIT 1),
  (SELECT e.{e.at}
     FROM {e.table} e
    WHERE e.{e.practice} = %(practice)s AND e.{e.client} = c.{c.id}
      AND e.{e.actor_role} = %(by_client)s
    ORDER BY e.{e.at} DESC LIMIT 1){measures}
FROM {c.table} c
JOIN {t.table} t ON t.{t.id} = c.{c.primary_therapist}
LEFT JOIN (SELECT {f.client} AS client_id, COUNT(*) AS n
             FROM {f.table}
            WHERE {f.practice} = %(practice)s AND {f.acknowledged_at} IS NULL
            GROUP BY {f.client}) flags ON flags.client_id = c.{c.id}
WHERE c.{c.practice} = %(practice)s AND c.{c.id} IN """

# Per measure: a client's first scored entry of the current episode of care (oldest first: no
# episode starts after it) and latest (newest first) that the client shared (as
# ``assignments.measures.measure_history``), as one JSON array of two.
# Each walks the ``response_client`` index in time order and stops at the first match; a
# client never assigned the measure is skipped by the CASE, so no walk runs through a history
# without a match.
_MEASURE_SQL = """,
  CASE WHEN EXISTS (
         SELECT 1
           FROM {a.table} a
           JOIN {av.table} av ON av.{av.id} = a.{a.activity_version}
          WHERE a.{a.practice} = %(practice)s AND a.{a.client} = c.{c.id}
            AND av.{av.activity} = %({measure})s)
  THEN {array}({first}, {latest}) END"""

_ENTRY_SQL = """(
         SELECT {array}(r.{r.id}, r.{r.submitted_at}, v.{v.score_total}{details})
           FROM {r.table} r
           JOIN {v.table} v ON v.{v.id} = r.{r.current_revision}
           JOIN {av.table} av ON av.{av.id} = r.{r.activity_version}
          WHERE r.{r.practice} = %(practice)s AND r.{r.client} = c.{c.id}
            AND r.{r.shared_with_therapist} AND v.{v.score_total} IS NOT NULL
            AND av.{av.activity} = %({measure})s{episode}
          ORDER BY r.{r.submitted_at} {order} LIMIT 1)"""

# The first entry is the baseline of the current episode: no later episode has started.
_IN_CURRENT_EPISODE = """
            AND NOT EXISTS (
                SELECT 1 FROM {ep.table} ep
                 WHERE ep.{ep.practice} = %(practice)s AND ep.{ep.client} = c.{c.id}
                   AND ep.{ep.starts_at} > r.{r.submitted_at})"""

# What differs between the databases we run on: a JSON value from a subquery put in an array
# (SQLite is told it is JSON, not text), and reading the band's label out of a revision's
# score (JSON).
_SQL_DIALECTS = {
    "postgresql": {"nested": "{}", "band": f"v.{_V.score} #>> '{{band,label}}'"},
    "sqlite": {"nested": "JSON({})", "band": f"JSON_EXTRACT(v.{_V.score}, '$.band.label')"},
}


def _client_figures(
    clients: QuerySet, practice_id, now: datetime, measures: list[Measure]
) -> list[tuple]:
    """One statement, one row per client of ``clients``: name, status and therapist, then its
    adherence, open flags, last entry, last client action and, per measure, its first and
    latest scored entry (``caseload_dashboard`` reads the row).

    Written in SQL rather than with the ORM: building and compiling these expressions, and
    converting their values one by one, cost as much as running the query. It is as
    tenant-safe: the clients are ``clients`` compiled by the ORM (scoped to the practice and
    to whom the member may see), every table read is filtered on the practice, and
    row-level security applies on PostgreSQL."""
    measure_sql = "".join(_measure_sql(f"measure_{index}") for index in range(len(measures)))
    template = _FIGURES_SQL.format(
        **_NAMES, adherence=adherence.sql_select(f"c.{_C.id}"), measures=measure_sql
    )
    values = {
        "practice": practice_id,
        "by_client": ActorRole.CLIENT.value,
        **adherence.sql_params(practice_id, now),
        **{f"measure_{index}": measure.activity_id for index, measure in enumerate(measures)},
    }
    return execute_for_clients(template, values, clients)


def _measure_sql(measure: str) -> str:
    """``_MEASURE_SQL`` for the measure whose activity id is the parameter ``measure``."""
    dialect = _SQL_DIALECTS[connection.vendor]
    array = JSON_ARRAY[connection.vendor]

    def entry(order: str, details: str = "", episode: str = "") -> str:
        sql = _ENTRY_SQL.format(
            **_NAMES, measure=measure, array=array, details=details, order=order, episode=episode
        )
        return dialect["nested"].format(sql)

    return _MEASURE_SQL.format(
        **_NAMES,
        measure=measure,
        array=array,
        first=entry("ASC", episode=_IN_CURRENT_EPISODE.format(**_NAMES)),
        latest=entry("DESC", f", v.{_V.severity}, {dialect['band']}, av.{_AV.title}"),
    )


def _measure_figures(cells: Sequence, measures: list[Measure]) -> list[MeasureFigure]:
    """One client's measures from its figures row (per measure, its first and latest entry, see
    ``_MEASURE_SQL``), most recently scored first."""
    figures = []
    for measure, entries in zip(measures, cells, strict=True):
        first, latest = json_value(entries) or (None, None)
        if latest is None:
            continue
        # No first entry: nothing scored since a new episode of care started.
        first_id, first_at, baseline = first or (None, None, None)
        latest_id, latest_at, total, severity, band, title = latest
        figures.append(
            MeasureFigure(
                activity_id=measure.activity_id,
                title=title,
                latest=total,
                latest_at=moment(latest_at),
                band=band or "",
                severity=severity or "",
                baseline=baseline,
                baseline_at=moment(first_at) if first_at is not None else None,
                change=None
                if first_id is None or first_id == latest_id
                else classify(baseline, total, measure.thresholds),
            )
        )
    figures.sort(key=lambda m: m.latest_at, reverse=True)
    return figures


def _sort_key(sort: str):
    """Sort keys put missing values last whichever the direction (see ``_sorted``)."""
    return {
        "name": lambda r: r.name.casefold(),
        "completion": lambda r: r.completion,
        "overdue": lambda r: r.overdue,
        "activity": lambda r: r.last_activity,
        "score": lambda r: r.latest.latest if r.latest else None,
    }[sort]


def _sorted(rows: list[ClientRow], sort: str, descending: bool) -> list[ClientRow]:
    key = _sort_key(sort)
    rows = sorted(rows, key=lambda r: r.name.casefold())  # ties: by name
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    ordered = sorted(present, key=key, reverse=descending) + missing
    # Whatever the sort, flagged clients come first until someone responds to the flag.
    return sorted(ordered, key=lambda r: not r.flagged)


def parse_sort(value: str) -> tuple[str, bool]:
    """``"completion"`` → ("completion", False); ``"-score"`` → ("score", True); unknown →
    by name."""
    value = (value or "").strip()
    name = value.lstrip("-")
    if name not in SORTS:
        return "name", False
    if value.startswith("-"):
        return name, True
    return name, False


def caseload_dashboard(
    membership,
    *,
    filter: str = "all",
    sort: str = "name",
    descending: bool = False,
    mine_only: bool = False,
    now: datetime | None = None,
) -> Dashboard:
    """Every figure of the dashboard for the clients ``membership`` may see, in two queries
    whatever the caseload: the practice's measures, then one row of figures per client."""
    now = now or timezone.now()
    clients = dashboard_clients(membership, mine_only=mine_only)
    measures = assigned_measures()
    rows = []
    for (
        client_id,
        full_name,
        preferred_name,
        status,
        therapist_name,
        therapist_email,
        counts,
        streak,
        open_flags,
        last_entry_at,
        last_action_at,
        *measure_cells,
    ) in _client_figures(clients, membership.practice_id, now, measures):
        activity = [moment(t) for t in (last_entry_at, last_action_at) if t is not None]
        rows.append(
            ClientRow(
                client_id=as_uuid(client_id),
                name=preferred_name or full_name,
                full_name=full_name,
                status=status,
                therapist=therapist_name or therapist_email,
                adherence=adherence.from_cells(counts, streak),
                open_flags=open_flags,
                last_activity=max(activity) if activity else None,
                measures=_measure_figures(measure_cells, measures),
                now=now,
            )
        )
    counts = {
        "all": len(rows),
        "slipping": sum(r.slipping for r in rows),
        "flagged": sum(r.flagged for r in rows),
        "improving": sum(r.improving for r in rows),
    }
    filter = filter if filter in FILTERS else "all"
    if filter != "all":
        rows = [r for r in rows if getattr(r, filter)]
    sort = sort if sort in SORTS else "name"
    return Dashboard(
        rows=_sorted(rows, sort, descending),
        counts=counts,
        filter=filter,
        sort=sort,
        descending=descending,
        now=now,
    )
