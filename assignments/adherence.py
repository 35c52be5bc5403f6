"""Homework adherence: the one definition of every adherence figure, read by the caseload, the
dashboard (and its API), the therapists' digest, the adherence page and the progress report.

Per client, over the occurrences that are not cancelled. **Homework** and **measures** (an
activity with scoring: PHQ-9, GAD-7 …; ``Assignment.is_measure``) are counted apart: every
homework figure below leaves measures out, and measures get their own pair.

* **due** — homework due in the last 28 days, counting those whose due time has passed and
  those already sent (work done early counts at once);
* **entries** — an occurrence asks for ``Assignment.entries_target`` entries (a week's
  diary: 7; usually 1). Its **credit** is min(entries / target, 1), in thousandths rounded
  down (3 of 7 entries → 428), so the reference and the SQL do the same integer arithmetic;
* **done** — of those due, the ones with every entry asked for (late counts); **partly** —
  some entries but not all; **on time** — the first entry sent by the due time;
* **completion** — the credit over due in percent (a 7-day diary with 3 entries and a
  worksheet sent: (428 + 1000) / 2000 → 71 %), rounded half up once here (``rate``);
  ``None`` when nothing was due;
* **overdue** — homework due in the last 14 days with no entry;
* **streak** — homework items started in a row (at least one entry), counting back from
  the most recent one due, over at most 12 weeks: an item with no entry whose due time has
  passed ends it;
* **slipping** — completion below 50 %, or 2 or more overdue;
* **level** (the meter's colour) — good from 70 %, fair from 40 %, else low;
* **measures due / measures done** — measures due in the last 28 days (as for homework) and
  of those, sent: "measures completed: 3 of 4".

``adherence_of`` is the reference: plain Python over a client's occurrences, used by
``adherence_by_client_reference`` and the per-activity figures. ``adherence_by_client`` is
the fast path for lists (one statement whatever the number of clients, each figure a
correlated subquery on the ``practice, client, due_at`` index reading a bounded window); its
SQL takes every table and column name from the models and is tested to give the reference's
figures on the same data (``tests/analytics/test_adherence_agreement.py``). The dashboard puts
the same subqueries (``sql_select``) into its own one-row-per-client statement.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Final, overload

from django.db import connection
from django.db.models import Count, Model, QuerySet

from assignments.models import Assignment, Occurrence, OccurrenceStatus, Response

COMPLETION_WINDOW: Final = timedelta(days=28)
OVERDUE_WINDOW: Final = timedelta(days=14)
STREAK_WINDOW: Final = timedelta(weeks=12)
SLIPPING_BELOW: Final = 50  # percent done
SLIPPING_OVERDUE: Final = 2
GOOD_FROM: Final = 70  # percent done
FAIR_FROM: Final = 40
CREDIT_UNIT: Final = 1000  # one item fully done, in thousandths

# The wording every page shows next to these figures (a legend or "How these are counted").
DEFINITIONS: Final = {
    "completion": (
        f"Homework due in the last {COMPLETION_WINDOW.days} days that the client sent (late "
        "counts; work sent early counts at once), out of all that was due. A log that asks "
        "for several entries counts in part: 3 of 7 diary entries is 3/7 of one item. "
        "Measures are not homework and are counted apart. “—” when nothing was due."
    ),
    "on_time": "First entry sent by its due time.",
    "measures": (
        f"Measures (questionnaires such as the PHQ-9) due in the last {COMPLETION_WINDOW.days} "
        "days that the client completed, out of all that were due."
    ),
    "streak": (
        "How many homework items in a row the client started, counting back from the most "
        f"recent one that was due, over at most the last {STREAK_WINDOW.days // 7} weeks. An "
        "item not yet due does not count; one not sent ends the streak."
    ),
    "overdue": f"Homework due in the last {OVERDUE_WINDOW.days} days that has not been sent.",
    "slipping": (
        f"Done in the last {COMPLETION_WINDOW.days // 7} weeks below {SLIPPING_BELOW}%, or "
        f"{SLIPPING_OVERDUE} or more overdue."
    ),
    "level": (f"The meter is green from {GOOD_FROM}% done, amber from {FAIR_FROM}%, red below."),
}


def rate(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` in whole percent, half up (2 of 7 → 29); ``None`` for nothing.
    Integer arithmetic: no float rounds 12.5 down."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


def level(completion: int | None) -> str:
    """good / fair / low for a completion percentage; "" when nothing was due."""
    if completion is None:
        return ""
    if completion >= GOOD_FROM:
        return "good"
    return "fair" if completion >= FAIR_FROM else "low"


@dataclass(frozen=True)
class Adherence:
    """One client's adherence figures (see the module's definitions)."""

    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    streak: int = 0
    # Thousandths of an item done, summed over what was due (see the module).
    credit: int = 0
    partly: int = 0
    measures_due: int = 0
    measures_done: int = 0

    @property
    def completion(self) -> int | None:
        return rate(self.credit, self.due * CREDIT_UNIT)

    @property
    def on_time_rate(self) -> int | None:
        return rate(self.on_time, self.due)

    @property
    def level(self) -> str:
        return level(self.completion)

    @property
    def slipping(self) -> bool:
        completion = self.completion
        low = completion is not None and completion < SLIPPING_BELOW
        return low or self.overdue >= SLIPPING_OVERDUE

    @property
    def overdue_level(self) -> str:
        """For the overdue badge: "missed" once there are enough to count as slipping."""
        return "missed" if self.overdue >= SLIPPING_OVERDUE else "overdue"


NOTHING: Final = Adherence()


def credit(entries: int, target: int) -> int:
    """An occurrence's credit in thousandths: min(entries / target, 1), rounded down."""
    target = max(target, 1)
    return min(entries, target) * CREDIT_UNIT // target


# --- The reference ------------------------------------------------------------------------


def adherence_of(occurrences: Iterable[tuple], *, now) -> Adherence:
    """The figures from one client's occurrences that are not cancelled, as ``(due_at,
    submitted_at[, entries, target, is_measure])`` tuples (by default one entry asked, one
    sent when ``submitted_at`` is set, homework); any others than those of the last 12 weeks
    are ignored."""
    completion_from = now - COMPLETION_WINDOW
    overdue_from = now - OVERDUE_WINDOW
    streak_from = now - STREAK_WINDOW
    due = done = partly = points = on_time = overdue = measures_due = measures_done = 0
    last_miss = streak_from
    sent = []
    for row in occurrences:
        due_at, submitted_at, entries, target, is_measure = _full(row)
        counts = due_at > completion_from and (due_at <= now or submitted_at is not None)
        if is_measure:
            measures_due += counts
            measures_done += counts and submitted_at is not None
            continue
        if submitted_at is None and streak_from < due_at <= now:
            last_miss = max(last_miss, due_at)
        if submitted_at is not None and due_at > streak_from:
            sent.append(due_at)
        if not counts:
            continue
        due += 1
        if submitted_at is None:
            overdue += due_at > overdue_from
            continue
        points += credit(entries, target)
        done += entries >= target
        partly += entries < target
        on_time += submitted_at <= due_at
    streak = sum(due_at > last_miss for due_at in sent)
    return Adherence(
        due=due,
        done=done,
        on_time=on_time,
        overdue=overdue,
        streak=streak,
        credit=points,
        partly=partly,
        measures_due=measures_due,
        measures_done=measures_done,
    )


def _full(row: tuple) -> tuple[datetime, datetime | None, int, int, bool]:
    due_at, submitted_at, *rest = row
    entries = rest[0] if rest else int(submitted_at is not None)
    target = rest[1] if len(rest) > 1 else 1
    is_measure = bool(rest[2]) if len(rest) > 2 else False
    # An entry sent makes at least one, whatever the count says.
    if submitted_at is not None:
        entries = max(entries, 1)
    return due_at, submitted_at, entries, target, is_measure


def adherence_by_client_reference(clients: QuerySet, *, now) -> dict[uuid.UUID, Adherence]:
    """``adherence_of`` for every client of ``clients`` (one query over their last 12 weeks
    of occurrences, with each one's entries counted); clients with none get ``NOTHING``."""
    rows = (
        Occurrence.objects.filter(
            client__in=clients.order_by().values("pk"), due_at__gt=now - STREAK_WINDOW
        )
        .exclude(status=OccurrenceStatus.CANCELLED)
        .annotate(entries=Count("responses"))
        .values_list(
            "client_id",
            "due_at",
            "submitted_at",
            "entries",
            "assignment__entries_target",
            "assignment__is_measure",
        )
        .order_by()
    )
    by_client = defaultdict(list)
    for client_id, *row in rows:
        by_client[client_id].append(tuple(row))
    return {
        client_id: adherence_of(by_client.get(client_id, ()), now=now)
        for client_id in clients.order_by().values_list("pk", flat=True)
    }


# --- The fast path ------------------------------------------------------------------------


def columns(model: type[Model], *fields: str) -> SimpleNamespace:
    """A model's table and the database columns of ``fields``, for SQL written by hand:
    ``{o.table}``, ``{o.due_at}`` … in a template, so a renamed column cannot go unnoticed."""
    meta = model._meta
    return SimpleNamespace(
        table=meta.db_table, **{name: meta.get_field(name).column for name in fields}
    )


_OCCURRENCE = columns(
    Occurrence, "practice", "client", "assignment", "status", "due_at", "submitted_at"
)
_ASSIGNMENT = columns(Assignment, "id", "entries_target", "is_measure")
_RESPONSE = columns(Response, "practice", "occurrence")

# Two cells: the counts as one JSON array (due, done, on time, overdue, credit, partly,
# measures due, measures done), then the streak. ``{client}`` is the SQL of the client's id
# in the enclosing statement; parameters are named ``adherence_*``. Entries are counted per
# occurrence on the response table's ``practice, occurrence`` index.
_SELECT = """
  (SELECT {array}(
            COUNT(CASE WHEN NOT a.{a.is_measure} THEN 1 END),
            COUNT(CASE WHEN NOT a.{a.is_measure} AND o.{o.submitted_at} IS NOT NULL
                        AND {sent} >= a.{a.entries_target} THEN 1 END),
            COUNT(CASE WHEN NOT a.{a.is_measure}
                        AND o.{o.submitted_at} <= o.{o.due_at} THEN 1 END),
            COUNT(CASE WHEN NOT a.{a.is_measure} AND o.{o.submitted_at} IS NULL
                        AND o.{o.due_at} > %(adherence_overdue_from)s THEN 1 END),
            COALESCE(SUM(CASE WHEN NOT a.{a.is_measure} AND o.{o.submitted_at} IS NOT NULL
                        THEN {least}({sent}, a.{a.entries_target})
                             * {unit} / a.{a.entries_target} END), 0),
            COUNT(CASE WHEN NOT a.{a.is_measure} AND o.{o.submitted_at} IS NOT NULL
                        AND {sent} < a.{a.entries_target} THEN 1 END),
            COUNT(CASE WHEN a.{a.is_measure} THEN 1 END),
            COUNT(CASE WHEN a.{a.is_measure} AND o.{o.submitted_at} IS NOT NULL THEN 1 END))
     FROM {o.table} o JOIN {a.table} a ON a.{a.id} = o.{o.assignment}
    WHERE o.{o.practice} = %(adherence_practice)s AND o.{o.client} = {client}
      AND o.{o.status} <> %(adherence_cancelled)s
      AND o.{o.due_at} > %(adherence_completion_from)s
      AND (o.{o.due_at} <= %(adherence_now)s OR o.{o.submitted_at} IS NOT NULL)),
  (SELECT COUNT(*)
     FROM {o.table} o JOIN {a.table} a ON a.{a.id} = o.{o.assignment}
    WHERE o.{o.practice} = %(adherence_practice)s AND o.{o.client} = {client}
      AND o.{o.status} <> %(adherence_cancelled)s AND o.{o.submitted_at} IS NOT NULL
      AND NOT a.{a.is_measure}
      AND o.{o.due_at} > COALESCE(
            (SELECT miss.{o.due_at}
               FROM {o.table} miss JOIN {a.table} ma ON ma.{a.id} = miss.{o.assignment}
              WHERE miss.{o.practice} = %(adherence_practice)s AND miss.{o.client} = {client}
                AND miss.{o.status} <> %(adherence_cancelled)s
                AND miss.{o.submitted_at} IS NULL
                AND NOT ma.{a.is_measure}
                AND miss.{o.due_at} > %(adherence_streak_from)s
                AND miss.{o.due_at} <= %(adherence_now)s
              ORDER BY miss.{o.due_at} DESC LIMIT 1),
            %(adherence_streak_from)s))"""

_OCCURRENCE_ID = columns(Occurrence, "id")
_ENTRIES = (
    "(SELECT COUNT(*) FROM {r.table} r"
    " WHERE r.{r.practice} = %(adherence_practice)s AND r.{r.occurrence} = o.{o.id})"
)

JSON_ARRAY: Final = {"postgresql": "JSON_BUILD_ARRAY", "sqlite": "JSON_ARRAY"}
LEAST: Final = {"postgresql": "LEAST", "sqlite": "MIN"}
GREATEST: Final = {"postgresql": "GREATEST", "sqlite": "MAX"}


def sql_select(client: str) -> str:
    """The two select-list cells of the figures for the client whose id is the SQL ``client``
    (read back with ``from_cells``)."""
    vendor = connection.vendor
    entries = _ENTRIES.format(r=_RESPONSE, o=_OCCURRENCE_ID)
    return _SELECT.format(
        o=_OCCURRENCE,
        a=_ASSIGNMENT,
        client=client,
        # An occurrence marked sent counts at least one entry (as in the reference).
        sent=f"{GREATEST[vendor]}({entries}, 1)",
        unit=CREDIT_UNIT,
        array=JSON_ARRAY[vendor],
        least=LEAST[vendor],
    )


def sql_params(practice_id, now) -> dict:
    return {
        "adherence_practice": practice_id,
        "adherence_now": now,
        "adherence_completion_from": now - COMPLETION_WINDOW,
        "adherence_overdue_from": now - OVERDUE_WINDOW,
        "adherence_streak_from": now - STREAK_WINDOW,
        "adherence_cancelled": OccurrenceStatus.CANCELLED.value,
    }


def from_cells(counts, streak) -> Adherence:
    due, done, on_time, overdue, points, partly, measures_due, measures_done = (
        int(value) for value in json_value(counts)
    )
    return Adherence(
        due=due,
        done=done,
        on_time=on_time,
        overdue=overdue,
        streak=streak,
        credit=points,
        partly=partly,
        measures_due=measures_due,
        measures_done=measures_done,
    )


_BY_CLIENT = "SELECT c.{c.id},{figures} FROM {c.table} c WHERE c.{c.id} IN "


def adherence_by_client(clients: QuerySet, *, practice_id, now) -> dict[uuid.UUID, Adherence]:
    """The figures of every client of ``clients`` (already scoped to what the caller may
    see), in one statement."""
    client = columns(clients.model, "id")
    template = _BY_CLIENT.format(c=client, figures=sql_select(f"c.{client.id}"))
    rows = execute_for_clients(template, sql_params(practice_id, now), clients)
    return {as_uuid(client_id): from_cells(counts, streak) for client_id, counts, streak in rows}


# --- Running hand-written SQL over an ORM-scoped set of clients ------------------------------

_NAMED_PARAMETER = re.compile(r"%\((\w+)\)s")


def execute_for_clients(template: str, values: dict, clients: QuerySet) -> list[tuple]:
    """Run ``template`` (named parameters from ``values``), closed by ``(<the ids of
    clients>)``: that part is compiled by the ORM, so the statement reads only the clients
    the caller may see (and every subquery filters on the practice; row-level security
    applies on PostgreSQL)."""
    values = {name: db_value(value) for name, value in values.items()}
    # Named parameters become positional ones, so the clients' query (positional, compiled by
    # the ORM) can close the statement with its own parameters after them.
    sql = _NAMED_PARAMETER.sub("%s", template)
    params = [values[name] for name in _NAMED_PARAMETER.findall(template)]
    clients_sql, clients_params = (
        clients.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql}({clients_sql})", [*params, *clients_params])
        return cursor.fetchall()


def db_value(value):
    """A parameter as the database stores it (UUIDs are text on SQLite, times naive UTC)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, uuid.UUID) and not connection.features.has_native_uuid_field:
        return value.hex
    return value


def as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def json_value(value):
    """A JSON value: decoded already by psycopg2 (``json`` type), text on SQLite."""
    return json.loads(value) if isinstance(value, str) else value


@overload
def moment(value: None) -> None: ...
@overload
def moment(value: datetime | str) -> datetime: ...
def moment(value: datetime | str | None) -> datetime | None:
    """A timestamp as read by SQL or from JSON: a datetime, or ISO text (with an offset from
    PostgreSQL's JSON); naive on SQLite, where times are stored in UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=UTC)
