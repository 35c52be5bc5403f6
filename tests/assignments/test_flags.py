"""Responding to a flag: what the clinician did is required, kept append-only, audited,
closes the flag and shows in the client's flag history; the same rules over REST."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from assignments.models import Flag, FlagAction, FlagEvent
from assignments.selectors import flag_history
from assignments.services import flags
from core.tenancy import practice_scope
from tests.assignments.fixtures import membership_of, phq9_answers

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"


@pytest.fixture
def flagged(world, acts, assign, submit):
    """An open flag: the client answered PHQ-9 item 9 above 0."""
    with time_machine.travel(MONDAY, tick=False):
        assignment = assign(acts.phq9)
        with scopes_disabled():
            occurrence = assignment.occurrences.get()
        submit(occurrence, phq9_answers(item9="2"))
    with scopes_disabled():
        return Flag.objects.select_related("client").get()


def _respond(world, flag, **kwargs):
    therapist = membership_of(world.practice_a, world.therapist_a)
    with practice_scope(world.practice_a):
        return flags.flag_respond(flag=flag, actor=therapist, **kwargs)


# --- The service -----------------------------------------------------------------------------


def test_a_response_is_recorded_closes_the_flag_and_is_audited(world, flagged):
    with time_machine.travel("2025-06-02 09:30:00+00:00", tick=False):
        event = _respond(
            world,
            flagged,
            actions=["contacted_client", "assessed_risk"],
            note="  Called her; no plan or intent. Agreed to talk on Thursday.  ",
        )
    with scopes_disabled():
        flagged.refresh_from_db()
        audit = AuditEvent.objects.get(action="flag_respond")
    # Stored in the order of the choices, whatever order they came in.
    assert event.actions == ["assessed_risk", "contacted_client"]
    assert event.note == "Called her; no plan or intent. Agreed to talk on Thursday."
    assert event.actor == world.therapist_a
    assert event.actor_name == world.therapist_a.get_full_name()
    assert event.at.isoformat() == "2025-06-02T09:30:00+00:00"
    assert event.action_labels == ["Assessed risk", "Contacted the client"]
    assert not flagged.is_open
    assert flagged.acknowledged_by == world.therapist_a
    assert flagged.acknowledged_at == event.at
    assert (audit.object_id, audit.client_id, audit.actor) == (
        str(flagged.pk),
        world.client_a.pk,
        world.therapist_a,
    )


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"actions": []}, "actions", "Choose what you did"),
        ({"actions": ["called_a_friend"]}, "actions", "Not an action: called_a_friend"),
        ({"actions": ["other"], "note": "   "}, "note", "a note is needed with “Other”"),
        ({"actions": ["assessed_risk"], "note": "x" * 4001}, "note", "at most 4000"),
    ],
)
def test_a_response_must_say_what_was_done_and_nothing_is_half_saved(
    world, flagged, given, field, message
):
    with pytest.raises(ValidationError) as caught:
        _respond(world, flagged, **given)
    assert message in " ".join(caught.value.message_dict[field])
    with scopes_disabled():
        flagged.refresh_from_db()
        assert flagged.is_open
        assert not FlagEvent.objects.exists()
        assert not AuditEvent.objects.filter(action="flag_respond").exists()


def test_other_with_a_note_is_accepted(world, flagged):
    event = _respond(world, flagged, actions=["other"], note="Spoke with her GP.")
    assert event.actions == [FlagAction.OTHER]


def test_a_later_response_is_a_follow_up_and_keeps_who_closed_it(world, flagged):
    with time_machine.travel("2025-06-02 09:00:00+00:00", tick=False):
        first = _respond(world, flagged, actions=["assessed_risk"])
    colleague = membership_of(world.practice_a, world.owner_a)
    with (
        time_machine.travel("2025-06-03 09:00:00+00:00", tick=False),
        practice_scope(world.practice_a),
    ):
        flags.flag_respond(
            flag=flagged, actor=colleague, actions=["reviewed_safety_plan"], note="Updated."
        )
    with scopes_disabled():
        flagged.refresh_from_db()
        assert flagged.events.count() == 2
    assert flagged.acknowledged_by == world.therapist_a
    assert flagged.acknowledged_at == first.at


def test_the_flag_history_is_append_only(world, flagged):
    event = _respond(world, flagged, actions=["assessed_risk"])
    with scopes_disabled():
        event.note = "rewritten"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            FlagEvent.objects.filter(pk=event.pk).update(note="rewritten")
        with pytest.raises(PermissionError):
            FlagEvent.objects.filter(pk=event.pk).delete()
        assert FlagEvent.objects.get(pk=event.pk).note == ""


# --- The client page -------------------------------------------------------------------------


def test_the_client_page_offers_the_response_form_and_shows_the_history(world, flagged, web):
    browser = web(world.therapist_a)
    page = browser.get(f"/clients/{world.client_a.pk}/").content.decode()
    assert "Needs your attention" in page
    assert f'action="/assignments/flags/{flagged.pk}/respond/"' in page
    assert "Contacted emergency services" in page
    assert "Flag history" in page
    # The question that raised it, in the worksheet's words.
    assert "Thoughts that you would be better off dead" in page

    answer = {
        "actions": ["assessed_risk", "contacted_client"],
        "note": "No plan or intent; safety plan in place.",
        "next": f"/clients/{world.client_a.pk}/#flag-history",
    }
    response = browser.post(f"/assignments/flags/{flagged.pk}/respond/", answer)
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{world.client_a.pk}/#flag-history"

    page = browser.get(f"/clients/{world.client_a.pk}/").content.decode()
    assert "Needs your attention" not in page
    assert "Responded" in page
    assert "Assessed risk" in page and "Contacted the client" in page
    assert "No plan or intent; safety plan in place." in page
    assert world.therapist_a.get_full_name() in page


def test_open_flags_come_first_then_newest(world, acts, assign, submit, web):
    with time_machine.travel("2025-06-02 08:00:00+00:00", tick=False):
        older = assign(acts.phq9)
        with scopes_disabled():
            submit(older.occurrences.get(), phq9_answers(item9="1"))
    with time_machine.travel("2025-06-09 08:00:00+00:00", tick=False):
        newer = assign(acts.phq9)
        with scopes_disabled():
            submit(newer.occurrences.get(), phq9_answers(item9="1"))
    with scopes_disabled():
        newest = Flag.objects.get(assignment=newer)
        oldest = Flag.objects.get(assignment=older)
    _respond(world, newest, actions=["assessed_risk"])
    with practice_scope(world.practice_a):
        assert [flag.pk for flag in flag_history(world.client_a)] == [oldest.pk, newest.pk]


def test_a_form_with_a_problem_shows_it_next_to_the_field_and_keeps_what_was_typed(
    world, flagged, web
):
    browser = web(world.therapist_a)
    response = browser.post(
        f"/assignments/flags/{flagged.pk}/respond/",
        {"actions": ["other", "contacted_client"], "note": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="field field--error"' in page
    assert "a note is needed with “Other”" in page
    assert 'value="other" id="id_actions_4" checked' in page
    assert 'value="contacted_client" id="id_actions_1" checked' in page
    assert 'value="assessed_risk" id="id_actions_0" checked' not in page
    response = browser.post(f"/assignments/flags/{flagged.pk}/respond/", {"note": "Called."})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose what you did (one or more)." in page
    assert "Called." in page
    with scopes_disabled():
        flagged.refresh_from_db()
        assert flagged.is_open and not FlagEvent.objects.exists()


def test_the_respond_page_opens_on_its_own(world, flagged, web):
    page = web(world.therapist_a).get(f"/assignments/flags/{flagged.pk}/respond/")
    assert page.status_code == 200
    assert "Respond to a flag" in page.content.decode()


def test_outsiders_get_404_for_the_respond_page(world, flagged, web):
    for user in (world.colleague_a, world.therapist_b):
        browser = web(user)
        url = f"/assignments/flags/{flagged.pk}/respond/"
        assert browser.get(url).status_code == 404
        assert browser.post(url, {"actions": ["assessed_risk"]}).status_code == 404
    with scopes_disabled():
        assert not FlagEvent.objects.exists()


# --- REST -----------------------------------------------------------------------------------


def _api(user):
    browser = APIClient()
    browser.force_authenticate(user)
    return browser


def test_api_acknowledge_records_the_response_and_lists_it(world, flagged):
    browser = _api(world.therapist_a)
    url = f"/api/v1/flags/{flagged.pk}/acknowledge/"
    response = browser.post(
        url, {"actions": ["contacted_emergency"], "note": "Ambulance called."}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_open"] is False
    assert body["events"][0]["actions"] == ["contacted_emergency"]
    assert body["events"][0]["note"] == "Ambulance called."

    listed = browser.get(f"/api/v1/flags/?client={world.client_a.pk}").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [str(flagged.pk)]
    assert rows[0]["events"][0]["actor_name"] == world.therapist_a.get_full_name()


def test_api_acknowledge_answers_400_with_field_errors(world, flagged):
    browser = _api(world.therapist_a)
    url = f"/api/v1/flags/{flagged.pk}/acknowledge/"
    missing = browser.post(url, {"note": "x"}, format="json")
    assert missing.status_code == 400
    assert "Choose what you did" in missing.json()["actions"][0]
    other = browser.post(url, {"actions": ["other"]}, format="json")
    assert other.status_code == 400
    assert "note" in other.json()
    with scopes_disabled():
        flagged.refresh_from_db()
        assert flagged.is_open and not FlagEvent.objects.exists()


def test_api_flags_are_404_and_unlisted_for_outsiders(world, flagged):
    for user in (world.colleague_a, world.therapist_b):
        browser = _api(user)
        assert browser.get(f"/api/v1/flags/{flagged.pk}/").status_code == 404
        answer = {"actions": ["assessed_risk"]}
        url = f"/api/v1/flags/{flagged.pk}/acknowledge/"
        assert browser.post(url, answer, format="json").status_code == 404
        listed = browser.get("/api/v1/flags/").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert rows == []
