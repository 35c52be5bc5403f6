"""Discharge: every open flag needs a recorded decision (which acknowledges it); open
homework and running enrolments are closed when asked; a final measure may be assigned; a
summary is kept and shown; a refusal saves nothing."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from assignments.models import Assignment, AssignmentStatus, Flag
from caseload.services import client_discharge, flag_field
from clients.models import Client, ClientStatus, Discharge
from clients.services import client_set_status
from core.tenancy import practice_scope
from tests.assignments.fixtures import membership_of, phq9_answers
from tests.pathways.conftest import step_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(world, acts, assign, submit):
    """Client A with a worksheet still to do and a PHQ-9 whose item 9 raised a flag."""
    assign(acts.thought_record)
    phq9 = assign(acts.phq9)
    with scopes_disabled():
        occurrence = phq9.occurrences.get()
    submit(occurrence, phq9_answers(item9="2"))
    with scopes_disabled():
        return Flag.objects.get(client=world.client_a)


def discharge(world, **kwargs):
    kwargs.setdefault("flag_decisions", {})
    with practice_scope(world.practice_a):
        return client_discharge(
            client=world.client_a,
            actor=membership_of(world.practice_a, world.therapist_a),
            **kwargs,
        )


def state(world):
    with scopes_disabled():
        client = Client.objects.get(pk=world.client_a.pk)
        return (
            client.status,
            Flag.objects.filter(client=client, acknowledged_at=None).count(),
            Assignment.objects.filter(client=client, status=AssignmentStatus.ACTIVE).count(),
            Discharge.objects.filter(client=client).count(),
        )


def test_an_open_flag_without_a_decision_refuses_and_saves_nothing(world, flagged):
    before = state(world)
    with pytest.raises(ValidationError) as error:
        discharge(world, flag_decisions={flag_field(flagged): "  "})
    assert flag_field(flagged) in error.value.message_dict
    assert state(world) == before
    assert before[0] == ClientStatus.ACTIVE and before[1] == 1


def test_setting_the_status_alone_is_refused_with_the_open_flags_listed(world, flagged):
    with practice_scope(world.practice_a), pytest.raises(ValidationError) as error:
        client_set_status(client=world.client_a, actor=None, status=ClientStatus.DISCHARGED)
    assert flagged.message in error.value.message_dict["status"][0]


def test_a_decision_on_each_flag_acknowledges_it_and_the_summary_records_it(world, flagged):
    summary = discharge(
        world,
        flag_decisions={flag_field(flagged): "Seen in session; crisis plan in place."},
        note="Goals met.",
    )
    status, open_flags, active, summaries = state(world)
    assert (status, open_flags, active, summaries) == (ClientStatus.DISCHARGED, 0, 0, 1)
    assert summary.closed_assignments == 2
    assert summary.discharged_by == world.therapist_a
    (decision,) = summary.flag_decisions
    assert decision["decision"] == "Seen in session; crisis plan in place."
    with scopes_disabled():
        assert Flag.objects.get(pk=flagged.pk).acknowledged_by == world.therapist_a


def test_open_homework_can_be_left_open(world, acts, assign):
    assign(acts.thought_record)
    summary = discharge(world, close_assignments=False)
    assert summary.closed_assignments == 0
    assert state(world)[2] == 1


def test_a_final_measure_is_assigned_and_kept_open(world, library):
    summary = discharge(world, final_measure="gad-7")
    assert summary.final_measure.activity_version.title.startswith("GAD-7")
    assert summary.final_measure.status == AssignmentStatus.ACTIVE


def test_an_unknown_final_measure_is_refused(world):
    with pytest.raises(ValidationError) as error:
        discharge(world, final_measure="beck")
    assert "final_measure" in error.value.message_dict
    assert state(world)[0] == ClientStatus.ACTIVE


def test_running_enrolments_are_ended(world, library, build, enrol):
    from pathways.models import Enrolment, EnrolmentStatus

    enrolment = enrol(build([step_spec(library.plain[0], "days_after_enrolment", delay_days=3)]))
    summary = discharge(world)
    assert summary.closed_enrolments == 1
    with scopes_disabled():
        assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.CANCELLED


def test_the_page_shows_errors_next_to_each_flag_and_the_summary_after(web, world, flagged):
    browser = web(world.therapist_a)
    url = f"/clients/{world.client_a.pk}/discharge/"
    page = browser.get(url).content.decode()
    assert f'name="{flag_field(flagged)}"' in page and 'name="close_assignments"' in page
    refused = browser.post(url, {"close_assignments": "on", "close_enrolments": "on"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'id="id_{flag_field(flagged)}_error"' in html
    assert state(world)[0] == ClientStatus.ACTIVE
    done = browser.post(
        url,
        {flag_field(flagged): "Called today; safe.", "close_assignments": "on", "note": "Ended."},
    )
    assert done.status_code == 302
    detail = browser.get(f"/clients/{world.client_a.pk}/").content.decode()
    assert "Called today; safe." in detail and "Discharged" in detail
    assert state(world)[:3] == (ClientStatus.DISCHARGED, 0, 0)
