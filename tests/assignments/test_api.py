"""The REST API: staff endpoints, the client API (portal session), bad input, isolation."""

import itertools
import uuid

import pytest
import time_machine
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from assignments.models import Assignment, OccurrenceStatus, Response
from clients.models import ClientStatus
from library.models import CuratedActivity
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, phq9_answers
from tests.factories import ClientFactory, portal_user_for, sign_in_to_portal

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"


def api(user=None, client_record=None):
    browser = APIClient()
    if client_record is not None:
        # Clients reach their API with a portal session: API tokens belong to staff members.
        sign_in_to_portal(browser, client_record)
    elif user is not None:
        browser.force_authenticate(user)
    return browser


def _only(assignment):
    with scopes_disabled():
        return assignment.occurrences.get()


@time_machine.travel(MONDAY, tick=False)
def test_a_therapist_assigns_lists_changes_and_cancels(world):
    therapist = api(world.therapist_a)
    curated = CuratedActivity.objects.get(slug="thought-record")
    created = therapist.post(
        "/api/v1/assignments/",
        {
            "client": str(world.client_a.pk),
            "curated_activity": str(curated.pk),
            "obstacles": "Late shifts",
            "if_then_plan": "If I'm late, then I'll do it at lunch the next day.",
            "confidence": 6,
            "schedule_kind": "times_per_week",
            "times_per_week": 3,
            "weeks": 2,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["title"] == "Thought record (7 columns)"
    assert body["schedule"] == "3 times a week for 2 weeks, by 21:00"
    assert body["rationale"].startswith("When your mood suddenly drops")
    listed = therapist.get(f"/api/v1/assignments/?client={world.client_a.pk}").json()
    assert [a["id"] for a in listed["results"]] == [body["id"]]
    occurrences = therapist.get(f"/api/v1/occurrences/?assignment={body['id']}").json()
    assert occurrences["count"] == 6
    changed = therapist.patch(
        f"/api/v1/assignments/{body['id']}/", {"confidence": 8}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["confidence"] == 8
    cancelled = therapist.post(f"/api/v1/assignments/{body['id']}/cancel/", {"reason": "Later"})
    assert cancelled.json()["status"] == "cancelled"


@time_machine.travel(MONDAY, tick=False)
def test_bad_assignments_are_refused_with_the_field_named(world, acts):
    therapist = api(world.therapist_a)
    curated = CuratedActivity.objects.get(slug="thought-record")
    base = {"client": str(world.client_a.pk), "curated_activity": str(curated.pk)}
    weekly = therapist.post(
        "/api/v1/assignments/", base | {"schedule_kind": "weekdays", "weeks": 2}, format="json"
    )
    assert weekly.status_code == 400 and "weekdays" in weekly.json()
    other = therapist.post(
        "/api/v1/assignments/", base | {"client": str(world.client_b.pk)}, format="json"
    )
    assert other.status_code == 400 and "client" in other.json()
    both = therapist.post(
        "/api/v1/assignments/",
        base | {"activity": str(acts.thought_record.activity_id)},
        format="json",
    )
    assert both.status_code == 400
    with scopes_disabled():
        world.client_a.status = ClientStatus.DISCHARGED
        world.client_a.save()
    discharged = therapist.post("/api/v1/assignments/", base, format="json")
    assert discharged.status_code == 400 and "discharged" in discharged.json()["client"][0]
    with scopes_disabled():
        assert not Assignment.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_a_client_submits_through_the_api(world, acts, assign):
    with scopes_disabled():  # a UK practice: its crisis lines include Samaritans
        world.practice_a.crisis_country = "GB"
        world.practice_a.save(update_fields=["crisis_country"])
    occurrence = _only(assign(acts.phq9))
    client = api(client_record=world.client_a)
    todo = client.get("/api/v1/portal/occurrences/").json()
    assert [o["id"] for o in todo["results"]] == [str(occurrence.pk)]
    detail = client.get(f"/api/v1/portal/occurrences/{occurrence.pk}/").json()
    assert detail["definition"]["scoring"]["method"] == "sum"
    assert detail["state"] == "opened"
    key = str(uuid.uuid4())
    url = f"/api/v1/portal/occurrences/{occurrence.pk}/responses/"
    bad = client.post(url, {"answers": {"q1": "7"}, "submission_key": key}, format="json")
    assert bad.status_code == 400
    paths = {issue["path"] for issue in bad.json()["answers"]}
    assert {"q1", "q9"} <= paths
    sent = client.post(
        url, {"answers": phq9_answers(item9="1"), "submission_key": key}, format="json"
    )
    assert sent.status_code == 201
    assert sent.json()["score"] == {"total": 9, "band": "Mild"}
    assert "Samaritans" in sent.json()["crisis_resources"]
    replay = client.post(
        url, {"answers": phq9_answers(item9="1"), "submission_key": key}, format="json"
    )
    assert replay.status_code == 200 and replay.json()["id"] == sent.json()["id"]
    response_id = sent.json()["id"]
    checkin = client.post(
        f"/api/v1/portal/responses/{response_id}/checkin/",
        {"helpful": 7, "difficulty": 2, "minutes_spent": 4},
        format="json",
    )
    assert checkin.status_code == 400  # a measure gets no homework check-in (issue 23)
    revised = client.post(
        f"/api/v1/portal/responses/{response_id}/revisions/",
        {"answers": phq9_answers(item9="0"), "submission_key": str(uuid.uuid4())},
        format="json",
    )
    assert revised.status_code == 200 and revised.json()["revision_count"] == 2
    with scopes_disabled():
        assert Response.objects.count() == 1


@time_machine.travel(MONDAY, tick=False)
def test_the_client_api_autosaves_drafts_and_takes_questions(world, acts, assign, portal):
    assignment = assign(acts.thought_record)
    occurrence = _only(assignment)
    client = APIClient()
    client.cookies = portal(world.client_a).cookies  # the portal's own browser session
    draft = client.put(
        f"/api/v1/portal/occurrences/{occurrence.pk}/draft/",
        {"answers": {"situation": "At the bus stop"}},
        format="json",
    )
    assert draft.status_code == 200, draft.content
    bad = client.put(
        f"/api/v1/portal/occurrences/{occurrence.pk}/draft/",
        {"answers": {"balanced_belief": "lots"}},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["answers"][0]["path"] == "balanced_belief"
    asked = client.post(
        f"/api/v1/portal/assignments/{assignment.pk}/questions/", {"body": "Paper OK?"}
    )
    assert asked.status_code == 201
    with scopes_disabled():
        occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.IN_PROGRESS


@time_machine.travel(MONDAY, tick=False)
def test_clients_reach_only_their_own_and_cancelled_refuses(world, acts, assign, submit):
    assignment = assign(acts.thought_record)
    occurrence = _only(assignment)
    response = submit(occurrence, THOUGHT_RECORD_ANSWERS)
    other = ClientFactory(practice=world.practice_a, primary_therapist=world.therapist_a)
    portal_user_for(other)
    for intruder in (api(client_record=other), api(client_record=world.client_b)):
        assert intruder.get("/api/v1/portal/occurrences/").json()["count"] == 0
        assert intruder.get(f"/api/v1/portal/occurrences/{occurrence.pk}/").status_code == 404
        assert intruder.get(f"/api/v1/portal/responses/{response.pk}/").status_code == 404
        sent = intruder.post(
            f"/api/v1/portal/occurrences/{occurrence.pk}/responses/",
            {"answers": THOUGHT_RECORD_ANSWERS, "submission_key": str(uuid.uuid4())},
            format="json",
        )
        assert sent.status_code == 404
    # Staff have no client API: nothing listed, every object 404.
    staff = api(world.therapist_a)
    assert staff.get("/api/v1/portal/occurrences/").json()["count"] == 0
    assert staff.get(f"/api/v1/portal/occurrences/{occurrence.pk}/").status_code == 404
    # And clients have no staff API.
    assert api(client_record=world.client_a).get("/api/v1/assignments/").status_code == 403
    therapist = api(world.therapist_a)
    therapist.post(f"/api/v1/assignments/{assignment.pk}/cancel/")
    refused = api(client_record=world.client_a).post(
        f"/api/v1/portal/occurrences/{occurrence.pk}/responses/",
        {"answers": THOUGHT_RECORD_ANSWERS, "submission_key": str(uuid.uuid4())},
        format="json",
    )
    assert refused.status_code == 400
    assert "cancelled" in str(refused.json())


@time_machine.travel(MONDAY, tick=False)
def test_therapists_read_shared_entries_and_review(world, acts, assign, submit):
    shared = assign(acts.thought_record)
    private = assign(acts.thought_record, visibility="client_only")
    occurrence = _only(shared)
    response = submit(occurrence, THOUGHT_RECORD_ANSWERS)
    hidden = submit(_only(private), THOUGHT_RECORD_ANSWERS)
    therapist = api(world.therapist_a)
    listed = therapist.get(f"/api/v1/responses/?client={world.client_a.pk}").json()
    assert [r["id"] for r in listed["results"]] == [str(response.pk)]
    assert therapist.get(f"/api/v1/responses/{hidden.pk}/").status_code == 404
    detail = therapist.get(f"/api/v1/responses/{response.pk}/").json()
    assert detail["answers"]["balanced_belief"] == 70
    assert len(detail["revisions"]) == 1
    review = therapist.post(
        f"/api/v1/occurrences/{occurrence.pk}/review/", {"comment": "Nice", "rating": 9}
    )
    assert review.status_code == 201
    assert therapist.get("/api/v1/reviews/").json()["count"] == 1
    assert api(world.colleague_a).get(f"/api/v1/occurrences/{occurrence.pk}/").status_code == 404
    assert api(world.owner_b).get(f"/api/v1/assignments/{shared.pk}/").status_code == 404


def test_the_endpoints_are_in_the_openapi_schema(world):
    schema = api(world.therapist_a).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = set(schema["paths"])
    for path in (
        "/api/v1/assignments/",
        "/api/v1/assignments/{id}/cancel/",
        "/api/v1/occurrences/{id}/review/",
        "/api/v1/responses/",
        "/api/v1/reviews/",
        "/api/v1/portal/occurrences/{id}/responses/",
        "/api/v1/portal/occurrences/{id}/draft/",
        "/api/v1/portal/responses/{id}/revisions/",
        "/api/v1/portal/responses/{id}/checkin/",
        "/api/v1/portal/assignments/{id}/questions/",
    ):
        assert path in paths, path


@time_machine.travel(MONDAY, tick=False)
def test_a_measure_every_two_weeks_through_the_api(world):
    therapist = api(world.therapist_a)
    curated = CuratedActivity.objects.get(slug="gad-7")
    base = {
        "client": str(world.client_a.pk),
        "curated_activity": str(curated.pk),
        "schedule_kind": "every_n_weeks",
        "weeks": 6,
    }
    bad = therapist.post("/api/v1/assignments/", {**base, "interval_weeks": 9}, format="json")
    assert bad.status_code == 400 and "interval_weeks" in bad.json()
    with scopes_disabled():
        assert not Assignment.objects.filter(client=world.client_a).exists()
    created = therapist.post("/api/v1/assignments/", {**base, "interval_weeks": 2}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["interval_weeks"] == 2
    with scopes_disabled():
        days = list(
            Assignment.objects.get(pk=created.json()["id"])
            .occurrences.order_by("local_date")
            .values_list("local_date", flat=True)
        )
    assert [(b - a).days for a, b in itertools.pairwise(days)] == [14, 14]
