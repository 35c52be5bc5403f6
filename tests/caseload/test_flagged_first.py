"""A client with an open flag comes first on the caseload and the dashboard, whatever the sort,
until someone responds to the flag."""

import pytest
from django_scopes import scopes_disabled

from analytics.selectors import caseload_dashboard
from assignments.models import Flag
from assignments.selectors import caseload_rows
from assignments.services.flags import flag_respond
from clients.models import Client
from clients.selectors import caseload
from core.tenancy import practice_scope
from tests.assignments.fixtures import membership_of, phq9_answers
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(world, acts, assign, submit):
    """Client A ("Alpha Client") flagged; two unflagged clients whose names sort before it."""
    with scopes_disabled():
        for name in ("Aaron Early", "Abby Early"):
            ClientFactory(
                practice=world.practice_a, primary_therapist=world.therapist_a, full_name=name
            )
    phq9 = assign(acts.phq9)
    with scopes_disabled():
        occurrence = phq9.occurrences.get()
    submit(occurrence, phq9_answers(item9="1"))
    with scopes_disabled():
        return Flag.objects.get(client=world.client_a)


def _caseload_names(world, sort):
    membership = membership_of(world.practice_a, world.therapist_a)
    with practice_scope(world.practice_a):
        rows = caseload_rows(caseload(membership), practice_id=world.practice_a.pk, sort=sort)
        return [row.full_name for row in rows]


def _dashboard_names(world, sort):
    membership = membership_of(world.practice_a, world.therapist_a)
    with practice_scope(world.practice_a):
        return [row.name for row in caseload_dashboard(membership, sort=sort).rows]


@pytest.mark.parametrize("sort", ["name", "-name", "adherence", "slipping"])
def test_the_caseload_puts_the_flagged_client_first(world, flagged, sort):
    names = _caseload_names(world, sort)
    assert names[0] == "Alpha Client", names
    assert {"Aaron Early", "Abby Early"} <= set(names[1:])


@pytest.mark.parametrize("sort", ["name", "completion", "score"])
def test_the_dashboard_puts_the_flagged_client_first(world, flagged, sort):
    names = _dashboard_names(world, sort)
    assert names[0] == "Alpha Client", names


def test_once_answered_the_client_goes_back_to_its_place(world, flagged):
    with practice_scope(world.practice_a):
        flag_respond(
            flag=flagged,
            actor=membership_of(world.practice_a, world.therapist_a),
            actions=["assessed_risk"],
            note="Seen in session.",
        )
    assert _caseload_names(world, "name")[:2] == ["Aaron Early", "Abby Early"]
    assert _dashboard_names(world, "name")[0] != "Alpha Client"
    with scopes_disabled():
        assert Client.objects.filter(practice=world.practice_a).count() == 3
