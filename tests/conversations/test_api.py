"""The homework conversation over REST: staff reviews, the client's agreements and reasons."""

from datetime import date

import pytest
import time_machine
from django_scopes import scopes_disabled

from conversations.models import ItemReview, MissedReason
from tests.assignments.test_api import api
from tests.conversations.fixtures import NEXT_SESSION, week_of_homework

pytestmark = pytest.mark.django_db


@time_machine.travel(NEXT_SESSION, tick=False)
def test_a_therapist_reviews_in_session_through_the_api(world, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit)
    therapist = api(world.therapist_a)
    started = therapist.post("/api/v1/conversations/", {"client": str(world.client_a.pk)})
    assert started.status_code == 201
    conversation = started.json()["id"]
    assert started.json()["held_on"] == "2025-06-09"
    item = {
        "conversation": conversation,
        "assignment": str(week.missed.pk),
        "outcome": "not_done",
        "reason": "too_hard",
        "quantity": 0,
        "effort": 1,
    }
    created = therapist.post("/api/v1/conversation-items/", item, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["effort"] == 1
    twice = therapist.post("/api/v1/conversation-items/", item, format="json")
    assert twice.status_code == 400
    assert "already reviewed in this session" in twice.json()["__all__"][0]
    changed = therapist.patch(
        f"/api/v1/conversation-items/{created.json()['id']}/",
        {"learned": "Smaller steps"},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["learned"] == "Smaller steps"
    assert changed.json()["reason"] == "too_hard"
    finished = therapist.post(
        f"/api/v1/conversations/{conversation}/finish/",
        {
            "client_involved": True,
            "praise_given": True,
            "difficulties_discussed": True,
            "plan_adjusted": False,
            "agreed_note": "Try it on Tuesday.",
        },
        format="json",
    )
    assert finished.status_code == 200
    assert finished.json()["finished_at"] is not None
    listed = therapist.get(f"/api/v1/conversations/?client={world.client_a.pk}").json()
    assert [len(c["items"]) for c in listed["results"]] == [1]


@time_machine.travel(NEXT_SESSION, tick=False)
def test_bad_reviews_are_400s_naming_the_fields(world, acts, assign, submit, unscoped):
    week = week_of_homework(world, acts, assign, submit)
    therapist = api(world.therapist_a)
    conversation = therapist.post(
        "/api/v1/conversations/", {"client": str(world.client_a.pk)}
    ).json()["id"]
    bad = therapist.post(
        "/api/v1/conversation-items/",
        {
            "conversation": conversation,
            "assignment": str(week.done.pk),
            "outcome": "maybe",
            "quality": 3,
        },
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"outcome", "quality"}
    reason_for_done = therapist.post(
        "/api/v1/conversation-items/",
        {
            "conversation": conversation,
            "assignment": str(week.done.pk),
            "outcome": "done",
            "reason": "forgot",
        },
        format="json",
    )
    assert reason_for_done.status_code == 400
    assert "reason" in reason_for_done.json()
    # Practice B's client or assignment named in a body: a 400 naming the field.
    other = therapist.post("/api/v1/conversations/", {"client": str(world.client_b.pk)})
    assert other.status_code == 400 and "client" in other.json()
    with scopes_disabled():
        assert not ItemReview.objects.exists()


@time_machine.travel(NEXT_SESSION, tick=False)
def test_a_client_agrees_a_plan_and_gives_a_reason_through_the_api(world, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit, reason="")
    new = assign(acts.thought_record, starts_on=date(2025, 6, 10))
    client = api(client_record=world.client_a)
    agreed = client.post(
        "/api/v1/portal/plan-agreements/",
        {"assignment": str(new.pk), "status": "change_proposed", "confidence": 5},
        format="json",
    )
    assert agreed.status_code == 400
    assert "proposed_change" in agreed.json()
    agreed = client.post(
        "/api/v1/portal/plan-agreements/",
        {
            "assignment": str(new.pk),
            "status": "change_proposed",
            "confidence": 5,
            "proposed_change": "Mornings, not evenings",
        },
        format="json",
    )
    assert agreed.status_code == 201
    with scopes_disabled():
        done = week.done.occurrences.get()
    refused = client.post(
        "/api/v1/portal/missed-reasons/",
        {"occurrence": str(done.pk), "reason": "forgot"},
        format="json",
    )
    assert refused.status_code == 400
    given = client.post(
        "/api/v1/portal/missed-reasons/",
        {"occurrence": str(week.missed_occurrence.pk), "reason": "no_time"},
        format="json",
    )
    assert given.status_code == 201
    staff = api(world.therapist_a)
    reasons = staff.get(f"/api/v1/missed-reasons/?client={world.client_a.pk}").json()
    assert [r["reason"] for r in reasons["results"]] == ["no_time"]
    agreements = staff.get("/api/v1/plan-agreements/").json()
    assert [a["confidence"] for a in agreements["results"]] == [5]
    # Practice B's staff see none of it.
    assert api(world.therapist_b).get("/api/v1/missed-reasons/").json()["results"] == []
    with scopes_disabled():
        assert MissedReason.objects.count() == 1


def test_the_endpoints_are_in_the_openapi_schema(world):
    schema = api(world.therapist_a).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = set(schema["paths"])
    for path in (
        "/api/v1/conversations/",
        "/api/v1/conversations/{id}/finish/",
        "/api/v1/conversation-items/",
        "/api/v1/conversation-items/{id}/",
        "/api/v1/plan-agreements/",
        "/api/v1/missed-reasons/",
        "/api/v1/portal/plan-agreements/",
        "/api/v1/portal/missed-reasons/",
    ):
        assert path in paths, path
