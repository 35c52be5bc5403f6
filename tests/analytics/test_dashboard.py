"""The caseload dashboard: every figure against a hand-worked caseload, filters, sorts, bad
input, who sees whom, and a constant number of queries."""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import AuditEvent
from analytics import selectors
from assignments import adherence
from assignments.models import Response, ResponseRevision
from core.tenancy import practice_scope
from tests.analytics import fixtures_dashboard as fx
from tests.analytics.fixtures_dashboard import EXPECTED, NOW
from tests.assignments.fixtures import membership_of

pytestmark = pytest.mark.django_db

URL = reverse("analytics:dashboard")
caseload = fx.caseload
frozen = fx.frozen


def board_for(world, user, **kwargs):
    membership = membership_of(world.practice_a, user)
    with practice_scope(world.practice_a):
        return selectors.caseload_dashboard(membership, now=NOW, **kwargs)


def by_name(board):
    return {row.name: row for row in board.rows}


def test_every_figure_matches_the_hand_worked_caseload(world, caseload, frozen):
    rows = by_name(board_for(world, world.therapist_a))
    assert set(rows) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        row = rows[name]
        assert row.due == expected["due"], name
        assert row.done == expected["done"], name
        assert row.completion == expected["completion"], name
        assert row.overdue == expected["overdue"], name
        assert row.streak == expected["streak"], name
        assert row.open_flags == expected["open_flags"], name
        assert row.last_activity == expected["last_activity"], name
        assert row.improving is expected["improving"], name
        assert row.slipping is expected["slipping"], name
        if expected["latest"] is None:
            assert row.latest is None
            continue
        assert row.latest.latest == expected["latest"], name
        assert row.latest.band == expected["band"], name
        assert row.latest.baseline == expected["baseline"], name
        if expected["delta"] is None:
            assert row.latest.change is None, "a single score shows no change"
        else:
            assert row.latest.change.delta == expected["delta"]
    ana = rows["Ana"].latest
    assert ana.change.label == "Reliable recovery"
    assert ana.change.clinically_significant
    assert ana.delta_display == "−8"


def test_the_page_shows_each_cell(world, caseload, frozen, web):
    response = web(world.therapist_a).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    ana = _row_html(html, caseload.ana.pk)
    assert "93%" in ana and "13 of 14" in ana
    assert "Measures 2 of 2" in ana  # the PHQ-9s, apart from the homework
    assert "6 <span" in ana  # streak
    assert "1 overdue" in ana
    assert "16 Mar" in ana and "3 days ago" in ana
    assert '<strong class="dash-score__total">8</strong>' in ana
    assert "Mild" in ana and "−8 since baseline" in ana and "Reliable recovery" in ana
    ben = _row_html(html, caseload.ben.pk)
    assert "29%" in ben and "5 overdue" in ben and "1 open" in ben
    assert "First score — no change yet" in ben
    cleo = _row_html(html, caseload.cleo.pk)
    assert "nothing due" in cleo and "no activity yet" in cleo and "no scores yet" in cleo
    assert "Colleague" not in html and "Beta Client" not in html
    assert "How these are counted" in html
    assert f"below {adherence.SLIPPING_BELOW}%" in html
    assert "NHS Talking Therapies" in html  # the thresholds' source, from the measure data


def _row_html(html: str, client_id) -> str:
    match = re.search(
        rf'<tr class="dash-row[^"]*" data-client="{client_id}">(.*?)</tr>', html, re.S
    )
    assert match, f"no row for {client_id}"
    return match.group(1)


def _names(html: str) -> list[str]:
    return re.findall(r'class="row-link" href="[^"]+">([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("filter=all", ["Ana", "Ben", "Cleo"]),
        ("filter=slipping", ["Ben"]),
        ("filter=flagged", ["Ben"]),
        ("filter=improving", ["Ana"]),
        ("filter=nonsense", ["Ana", "Ben", "Cleo"]),
        ("sort=-name", ["Cleo", "Ben", "Ana"]),
        ("sort=completion", ["Ben", "Ana", "Cleo"]),  # nothing due: last either way
        ("sort=-completion", ["Ana", "Ben", "Cleo"]),
        ("sort=-overdue", ["Ben", "Ana", "Cleo"]),
        ("sort=overdue", ["Cleo", "Ana", "Ben"]),
        ("sort=activity", ["Ben", "Ana", "Cleo"]),
        ("sort=-activity", ["Ana", "Ben", "Cleo"]),
        ("sort=-score", ["Ben", "Ana", "Cleo"]),
        ("sort=score", ["Ana", "Ben", "Cleo"]),
        ("sort=%3Cscript%3E", ["Ana", "Ben", "Cleo"]),
        ("filter=slipping&sort=-name&page=99", ["Ben"]),
    ],
)
def test_filters_and_sorts_are_links(world, caseload, frozen, web, query, names):
    response = web(world.therapist_a).get(f"{URL}?{query}")
    assert response.status_code == 200
    # Ben has an open flag: whatever the sort, he comes first until someone responds; the
    # others keep the sort's order.
    assert _names(response.content.decode()) == sorted(names, key=lambda name: name != "Ben")


def test_filter_counts_and_current_state_in_links(world, caseload, frozen, web):
    html = web(world.therapist_a).get(f"{URL}?filter=slipping&sort=-overdue").content.decode()
    assert 'aria-current="page"' in html
    assert re.search(r'dash-filter__count">3<.*?All clients', html, re.S)
    assert re.search(r'dash-filter__count">1 <.*?Slipping', html, re.S)
    # The sort links keep the filter; the active column says how it is sorted.
    assert 'href="?filter=slipping&amp;sort=overdue"' in html
    assert 'aria-sort="descending"' in html


def test_owner_sees_the_practice_and_can_narrow_to_their_own(world, caseload, frozen, web):
    rows = by_name(board_for(world, world.owner_a))
    assert "Colleague's Client" in rows and "Ana" in rows
    mine = board_for(world, world.owner_a, mine_only=True)
    assert mine.rows == []
    html = web(world.owner_a).get(f"{URL}?mine=1").content.decode()
    assert "No clients yet" in html


def test_a_shared_client_shows_for_the_care_team(world, caseload, frozen):
    from clients.models import CareTeamMember

    with scopes_disabled():
        CareTeamMember.objects.create(
            practice=world.practice_a, client=caseload.ben, user=world.colleague_a
        )
    rows = by_name(board_for(world, world.colleague_a))
    assert set(rows) == {"Colleague's Client", "Ben"}
    assert rows["Ben"].overdue == 5  # the care-team join does not multiply counts


def test_other_practice_sees_none_of_it(world, caseload, frozen, web):
    html = web(world.therapist_b).get(URL).content.decode()
    assert "Ana" not in html and "Ben" not in html
    assert web().get(URL).status_code == 302  # signed out: to sign in


def test_client_portal_user_gets_404(world, caseload, frozen, portal):
    assert portal(world.client_b).get(URL).status_code == 404


def test_opening_the_dashboard_is_audited(world, caseload, frozen, web):
    web(world.therapist_a).get(URL)
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            practice=world.practice_a, action="dashboard", actor=world.therapist_a
        ).exists()


def test_a_private_score_is_not_shown(world, acts, assign, caseload, frozen):
    """A PHQ-9 the client kept to themselves does not count as their latest score."""
    from tests.analytics.fixtures_dashboard import send

    phq = assign(
        acts.phq9, client=caseload.cleo, visibility="client_only", starts_on=date(2025, 3, 21)
    )
    with scopes_disabled():
        occurrence = phq.occurrences.select_related("client").get()
    send(occurrence, {f"q{n}": "3" for n in range(1, 10)}, at=NOW - timedelta(hours=1))
    cleo = by_name(board_for(world, world.therapist_a))["Cleo"]
    assert cleo.latest is None
    assert cleo.last_activity == NOW - timedelta(hours=1)  # still counts as activity


def test_a_measure_without_a_total_is_not_a_score(world, acts, caseload, frozen):
    """An entry whose total could not be computed (items missing) is skipped, not shown as 0:
    Ben's latest PHQ-9 has no total, so his latest score stays the one before."""
    with scopes_disabled():
        previous = Response.objects.get(client=caseload.ben, activity_version=acts.phq9)
        response = Response.objects.create(
            practice=world.practice_a,
            occurrence=previous.occurrence,
            assignment=previous.assignment,
            client=caseload.ben,
            activity_version=acts.phq9,
            entry_number=2,
            submission_key=uuid.uuid4(),
            submitted_at=NOW - timedelta(hours=2),
        )
        revision = ResponseRevision.objects.create(
            practice=world.practice_a,
            response=response,
            number=1,
            submission_key=response.submission_key,
            answers={"q1": "1"},
            score={"total": None, "band": None, "complete": False},
            score_total=None,
        )
        response.current_revision = revision
        response.save(update_fields=["current_revision"])
    ben = by_name(board_for(world, world.therapist_a))["Ben"]
    assert ben.latest.latest == 9 and ben.latest.change is None


def test_query_count_is_the_same_for_5_and_500_clients(world, acts):
    """Two queries for the figures whatever the caseload (bulk-made clients, each with an
    occurrence, an entry and a PHQ-9 score)."""
    from sampledata.caseload import bulk_caseload

    def count(n):
        bulk_caseload(world.practice_a, world.therapist_a, acts, clients=n, entries=2)
        membership = membership_of(world.practice_a, world.therapist_a)
        with practice_scope(world.practice_a), CaptureQueriesContext(connection) as ctx:
            board = selectors.caseload_dashboard(membership)
        return len(ctx.captured_queries), board

    few, board = count(5)
    assert board.total == 5 + 1  # and the world's own client
    many, board = count(495)
    assert board.total == 500 + 1
    assert few == many == 2
    assert all(row.latest is not None for row in board.rows if row.due)


def test_the_page_query_count_does_not_grow(world, acts, web):
    from sampledata.caseload import bulk_caseload

    browser = web(world.therapist_a)
    bulk_caseload(world.practice_a, world.therapist_a, acts, clients=5, entries=2)
    with CaptureQueriesContext(connection) as few:
        assert browser.get(URL).status_code == 200
    bulk_caseload(world.practice_a, world.therapist_a, acts, clients=120, entries=2)
    with CaptureQueriesContext(connection) as many:
        assert browser.get(URL + "?sort=-score&page=2").status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


def test_names_and_titles_are_escaped_in_the_rows(world, acts, caseload, frozen, web):
    """The rows are built in Python (``analytics.dashboard_rows``): every name and title a
    person typed reaches the page as text, never as markup."""
    from accounts.models import User
    from clients.models import Client
    from library.models import ActivityVersion

    with scopes_disabled():
        Client.objects.filter(pk=caseload.ana.pk).update(
            preferred_name='<b>Ana</b> & "co"', full_name="O'Brien <img src=x>"
        )
        User.objects.filter(pk=world.therapist_a.pk).update(full_name="<i>Dr</i> Who")
        ActivityVersion.objects.filter(pk=acts.phq9.pk).update(title="PHQ-9 <script>x</script>")
    html = web(world.therapist_a).get(URL).content.decode()
    ana = _row_html(html, caseload.ana.pk)
    assert "&lt;b&gt;Ana&lt;/b&gt; &amp; &quot;co&quot;</a>" in ana
    assert "O&#x27;Brien &lt;img src=x&gt; · &lt;i&gt;Dr&lt;/i&gt; Who" in ana
    assert "PHQ-9 &lt;script&gt;x&lt;/script&gt;" in ana
    assert "<b>" not in ana and "<img" not in ana and "<i>" not in ana and "<script" not in ana
