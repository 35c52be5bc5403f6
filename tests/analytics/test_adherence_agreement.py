"""One client, one set of adherence figures: the caseload, the dashboard (page and API) and the
therapists' digest read ``assignments.adherence``, and its SQL fast path gives the figures of
the plain-Python reference on the same data, as does the dashboard's measure SQL against the
one measure history (``assignments.measures``)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from analytics.selectors import caseload_dashboard, dashboard_clients
from assignments import adherence
from assignments.measures import measure_history
from assignments.selectors import caseload_rows
from assignments.services import assigning
from clients.models import Client
from core.tenancy import practice_scope
from reminders.selectors import digest_for
from sampledata.caseload import bulk_caseload
from tests.analytics import fixtures_dashboard as fx
from tests.assignments.fixtures import membership_of, phq9_answers
from tests.factories import ClientFactory, api_token_for

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
FIGURES = (
    "due",
    "done",
    "partly",
    "on_time",
    "completion",
    "overdue",
    "streak",
    "slipping",
    "level",
    "measures_due",
    "measures_done",
)


def _client(world, name, **kwargs):
    return ClientFactory(
        practice=world.practice_a,
        primary_therapist=world.therapist_a,
        full_name=f"{name} Example",
        preferred_name=name,
        timezone=kwargs.pop("timezone", "UTC"),
        **kwargs,
    )


def _daily(world, version, client, first: date, days: int):
    assignment = fx._assign(
        world, version, client, starts_on=first, schedule_kind="daily", repeat_days=days
    )
    return assignment, fx._occurrences(assignment)


@pytest.fixture
def every_case(world, acts):
    """Seven clients, each one case, all due 21:00 local (UTC unless said):

    * Nell — nothing due: a log starting next week.
    * Dora — all done on time, the last one (due tomorrow) sent early.
    * Lars — every item sent, each a day late.
    * Mira — sent 3 of 10 days, then missed 7 (slipping).
    * Paul — a paused client: sent every other day.
    * Cora — a cancelled assignment (counts for nothing) and 4 of 5 sent, the miss 18 days
      ago (outside the overdue window, inside the completion window).
    * Hana — Pacific/Auckland, a PHQ-9 twice (17 then 8) and two logs missed: the
      measures are counted apart (2 of 2), the homework is 0 of 2.
    * Dina — a week's diary asking for 7 entries with 3 sent (3/7 of an item) and a
      worksheet sent: (428 + 1000) / 2000 → 71 %.
    * Max — a log sent 3 days running, one PHQ-9 sent and one not: the missed measure is
      neither overdue homework nor the end of the streak; measures 1 of 2.
    """
    made = {}
    with scopes_disabled():
        world.client_a.status = "discharged"
        world.client_a.save(update_fields=["status"])
    made["Nell"] = nell = _client(world, "Nell")
    _daily(world, acts.mood_log, nell, date(2025, 3, 27), 5)

    made["Dora"] = dora = _client(world, "Dora")
    _, occurrences = _daily(world, acts.mood_log, dora, date(2025, 3, 14), 7)
    for occurrence in occurrences[:-1]:
        fx.send(occurrence, fx._log(occurrence))
    fx.send(occurrences[-1], fx._log(occurrences[-1]), at=NOW - timedelta(hours=2))

    made["Lars"] = lars = _client(world, "Lars")
    _, occurrences = _daily(world, acts.mood_log, lars, date(2025, 3, 10), 9)
    for occurrence in occurrences:
        fx.send(occurrence, fx._log(occurrence), at=occurrence.due_at + timedelta(hours=14))

    made["Mira"] = mira = _client(world, "Mira")
    _, occurrences = _daily(world, acts.mood_log, mira, date(2025, 3, 10), 10)
    for occurrence in occurrences[:3]:
        fx.send(occurrence, fx._log(occurrence))

    made["Paul"] = paul = _client(world, "Paul", status="paused")
    _, occurrences = _daily(world, acts.mood_log, paul, date(2025, 3, 6), 14)
    for occurrence in occurrences[::2]:
        fx.send(occurrence, fx._log(occurrence))

    made["Cora"] = cora = _client(world, "Cora")
    cancelled, _ = _daily(world, acts.mood_log, cora, date(2025, 3, 1), 25)
    with fx._at(datetime(2025, 3, 4, 12, tzinfo=UTC)), practice_scope(world.practice_a):
        assigning.assignment_cancel(
            assignment=cancelled, actor=membership_of(world.practice_a, world.therapist_a)
        )
    _, occurrences = _daily(world, acts.mood_log, cora, date(2025, 3, 2), 5)
    for occurrence in occurrences[1:]:
        fx.send(occurrence, fx._log(occurrence))

    made["Hana"] = hana = _client(world, "Hana", timezone="Pacific/Auckland")
    first = fx._assign(world, acts.phq9, hana, starts_on=date(2025, 3, 5))
    fx.send(fx._occurrences(first)[0], phq9_answers("1", "2"))
    later = fx._assign(world, acts.phq9, hana, starts_on=date(2025, 3, 17))
    fx.send(fx._occurrences(later)[0], phq9_answers("0", "1"))
    _daily(world, acts.mood_log, hana, date(2025, 3, 17), 2)

    made["Dina"] = dina = _client(world, "Dina")
    diary = fx._assign(world, acts.mood_log, dina, starts_on=date(2025, 3, 18), entries_target=7)
    (week,) = fx._occurrences(diary)
    for day in (12, 14, 16):
        fx.send(week, fx._log(week), at=datetime(2025, 3, day, 8, tzinfo=UTC))
    sheet = fx._assign(world, acts.mood_log, dina, starts_on=date(2025, 3, 19))
    fx.send(fx._occurrences(sheet)[0], fx._log(fx._occurrences(sheet)[0]))

    made["Max"] = max_ = _client(world, "Max")
    _, occurrences = _daily(world, acts.mood_log, max_, date(2025, 3, 17), 3)
    for occurrence in occurrences:
        fx.send(occurrence, fx._log(occurrence))
    sent = fx._assign(world, acts.phq9, max_, starts_on=date(2025, 3, 10))
    fx.send(fx._occurrences(sent)[0], phq9_answers("1", "1"))
    fx._assign(world, acts.phq9, max_, starts_on=date(2025, 3, 18))
    return made


# Worked by hand from the docstring above, at NOW (20 March, 12:00 UTC).
EXPECTED = {
    "Nell": {"due": 0, "done": 0, "on_time": 0, "completion": None, "overdue": 0, "streak": 0},
    "Dora": {"due": 7, "done": 7, "on_time": 7, "completion": 100, "overdue": 0, "streak": 7},
    "Lars": {"due": 9, "done": 9, "on_time": 0, "completion": 100, "overdue": 0, "streak": 9},
    "Mira": {"due": 10, "done": 3, "on_time": 3, "completion": 30, "overdue": 7, "streak": 0},
    "Paul": {"due": 14, "done": 7, "on_time": 7, "completion": 50, "overdue": 7, "streak": 0},
    "Cora": {"due": 5, "done": 4, "on_time": 4, "completion": 80, "overdue": 0, "streak": 4},
    "Hana": {
        "due": 2,
        "done": 0,
        "on_time": 0,
        "completion": 0,
        "overdue": 2,
        "streak": 0,
        "measures_due": 2,
        "measures_done": 2,
    },
    "Dina": {
        "due": 2,
        "done": 1,
        "partly": 1,
        "on_time": 2,
        "completion": 71,
        "overdue": 0,
        "streak": 2,
    },
    "Max": {
        "due": 3,
        "done": 3,
        "on_time": 3,
        "completion": 100,
        "overdue": 0,
        "streak": 3,
        "measures_due": 2,
        "measures_done": 1,
    },
}


def _figures(source) -> dict:
    return {key: getattr(source, key) for key in FIGURES}


def test_caseload_dashboard_api_and_digest_agree_on_every_figure(world, every_case, web):
    membership = membership_of(world.practice_a, world.therapist_a)
    ids = {client.pk: name for name, client in every_case.items()}
    with fx._at(NOW), practice_scope(world.practice_a):
        clients = Client.objects.filter(pk__in=ids)
        reference = adherence.adherence_by_client_reference(clients, now=NOW)
        fast = adherence.adherence_by_client(clients, practice_id=world.practice_a.pk, now=NOW)
        caseload = {
            c.pk: c.adherence for c in caseload_rows(clients, practice_id=world.practice_a.pk)
        }
        board = {r.client_id: r for r in caseload_dashboard(membership, now=NOW).rows}
        digest = digest_for(membership, now=NOW)
        page = web(world.therapist_a).get(reverse("clients:caseload")).content.decode()
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(world.therapist_a)}")
        rows = api.get("/api/v1/analytics/dashboard/?page_size=100").json()["results"]
    from_api = {row["client_id"]: row for row in rows}

    for client_id, name in ids.items():
        expected = _figures(reference[client_id])
        worked = EXPECTED[name]
        assert {k: expected[k] for k in worked} == worked, name
        assert expected["slipping"] == (
            (worked["completion"] is not None and worked["completion"] < 50)
            or worked["overdue"] >= 2
        ), name
        assert _figures(fast[client_id]) == expected, name
        assert _figures(caseload[client_id]) == expected, name
        row = board[client_id]
        dashboard = {key: getattr(row, key) for key in FIGURES if key != "level"}
        assert dashboard | {"level": row.adherence_level} == expected, name
        api_row = from_api[str(client_id)]
        assert {key: api_row[key] for key in FIGURES if key != "level"} | {
            "level": api_row["adherence_level"]
        } == expected, name
        assert (name in digest.slipping) is expected["slipping"], name
        outstanding = f"{name} ({expected['measures_done']} of {expected['measures_due']})"
        assert (outstanding in digest.measures_missing) is (
            expected["measures_done"] < expected["measures_due"]
        ), name
        if expected["measures_due"]:
            assert f"Measures {expected['measures_done']} of {expected['measures_due']}" in page
        if expected["completion"] is not None:
            label = (
                f'aria-label="{expected["completion"]}% done: {expected["done"]} of '
                f'{expected["due"]}, {expected["on_time"]} on time"'
            )
            assert label in page, name
    assert "Slipping</dt><dd>" + adherence.DEFINITIONS["slipping"] in page.replace("\n", "")


def test_rates_are_rounded_half_up_once():
    assert adherence.rate(2, 7) == 29  # the caseload used to truncate this to 28
    assert adherence.rate(1, 8) == 13  # 12.5
    assert adherence.rate(0, 3) == 0
    assert adherence.rate(3, 3) == 100
    assert adherence.rate(0, 0) is None
    assert [adherence.level(n) for n in (None, 39, 40, 69, 70)] == [
        "",
        "low",
        "fair",
        "fair",
        "good",
    ]


def test_the_sql_fast_path_gives_the_reference_figures_on_a_varied_caseload(world, acts):
    """Many clients with histories of every shape (bulk-made, some sent late, some early,
    some missed, a paused one and a long history): the fast path's figures and the dashboard's
    measures equal the references client by client."""
    with scopes_disabled():
        world.client_a.status = "discharged"
        world.client_a.save(update_fields=["status"])
    for every_days, entries in ((0.5, 120), (1, 30), (2, 12), (3, 8), (7, 3)):
        bulk_caseload(
            world.practice_a,
            world.therapist_a,
            acts,
            clients=4,
            entries=entries,
            now=NOW,
            every_days=every_days,
        )
    membership = membership_of(world.practice_a, world.therapist_a)
    with fx._at(NOW), practice_scope(world.practice_a):
        with scopes_disabled():
            # Three of the bulk clients (never the discharged one: ids are random, and pausing
            # it would bring it back onto the dashboard).
            bulk = Client.objects.filter(practice=world.practice_a).exclude(pk=world.client_a.pk)
            Client.objects.filter(pk__in=bulk.order_by("pk")[:3]).update(status="paused")
        clients = dashboard_clients(membership)
        reference = adherence.adherence_by_client_reference(clients, now=NOW)
        fast = adherence.adherence_by_client(clients, practice_id=world.practice_a.pk, now=NOW)
        board = {r.client_id: r for r in caseload_dashboard(membership, now=NOW).rows}
        histories = {c.pk: measure_history(c) for c in clients}
    assert len(reference) == 20
    assert any(a.slipping for a in reference.values())
    assert any(not a.slipping for a in reference.values())
    for client_id, figures in reference.items():
        assert fast[client_id] == figures
        assert board[client_id].adherence == figures
        _assert_measures_agree(board[client_id].measures, histories[client_id])


def test_the_dashboards_measures_are_the_measure_history(world, every_case):
    membership = membership_of(world.practice_a, world.therapist_a)
    with fx._at(NOW), practice_scope(world.practice_a):
        board = {r.client_id: r for r in caseload_dashboard(membership, now=NOW).rows}
        histories = {c.pk: measure_history(c) for c in every_case.values()}
    hana = board[every_case["Hana"].pk].latest
    assert (hana.baseline, hana.latest, hana.change.delta) == (17, 8, -9)
    assert hana.change.label == "Reliable recovery"  # 17 → 8: 9 down, and below 10
    for client in every_case.values():
        _assert_measures_agree(board[client.pk].measures, histories[client.pk])


def _assert_measures_agree(figures, histories):
    scored = {h.activity_id: h for h in histories if h.scores}
    assert {f.activity_id for f in figures} == set(scored)
    for figure in figures:
        history = scored[figure.activity_id]
        first, last = history.current.scores[0], history.history[-1]
        assert (figure.baseline, figure.baseline_at) == (first.total, first.submitted_at)
        assert (figure.latest, figure.latest_at) == (last.total, last.submitted_at)
        assert (figure.band, figure.severity) == (last.band, last.severity)
        if history.scores == 1:
            assert figure.change is None
        else:
            assert figure.change == history.change


def test_definitions_are_worded_from_the_constants():
    slipping = adherence.DEFINITIONS["slipping"]
    assert f"below {adherence.SLIPPING_BELOW}%" in slipping
    assert f"{adherence.SLIPPING_OVERDUE} or more overdue" in slipping
    assert re.search(r"\b28 days\b", adherence.DEFINITIONS["completion"])
