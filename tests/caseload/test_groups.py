"""Client groups: pages, REST, assigning to every member at once (all or none), the group's
adherence in constant queries, and privacy between members."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from assignments.models import Assignment
from clients.models import ClientGroup, ClientStatus
from clients.services import group_create, group_member_add
from core.tenancy import practice_scope
from tests.assignments.test_api import api
from tests.factories import ClientFactory, portal_user_for, practice_activity_for

pytestmark = pytest.mark.django_db


def _client(world, name):
    client = ClientFactory(
        practice=world.practice_a, primary_therapist=world.therapist_a, full_name=name
    )
    portal_user_for(client)
    return client


def _group(world, *members, name="DBT skills"):
    with practice_scope(world.practice_a):
        group = group_create(practice=world.practice_a, actor=world.therapist_a, name=name)
        for client in members:
            group_member_add(group=group, actor=world.therapist_a, client=client)
    return group


def _assignments(*clients):
    with scopes_disabled():
        return {c.pk: Assignment.objects.filter(client=c).count() for c in clients}


PLAN = {
    "rationale": "Practise the skill between sessions.",
    "instructions": "Notice one urge.\nWrite what you did.",
    "plan_when": "After dinner",
    "plan_where": "At home",
    "visibility": "shared",
    "schedule_kind": "once",
    "due_time": "21:00",
}


# A week ahead: today in every member's time zone whatever the hour the test runs.
_STARTS = {"starts_on": (timezone.localdate() + timedelta(days=7)).isoformat()}


def test_a_therapist_creates_a_group_adds_members_and_assigns_to_all(world, web):
    other = _client(world, "Robin Second")
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    browser = web(world.therapist_a)

    created = browser.post(
        "/clients/groups/", {"name": "DBT skills", "therapists": [world.therapist_a.pk]}
    )
    assert created.status_code == 302
    with scopes_disabled():
        group = ClientGroup.objects.get(name="DBT skills")
    for client in (world.client_a, other):
        added = browser.post(f"/clients/groups/{group.pk}/members/", {"client": client.pk})
        assert added.status_code == 302

    page = browser.get(f"/clients/groups/{group.pk}/assign/")
    assert page.status_code == 200
    assert "Assign to 2 members" in page.content.decode()
    assigned = browser.post(
        f"/clients/groups/{group.pk}/assign/", {**PLAN, "activity": activity.pk, **_STARTS}
    )
    assert assigned.status_code == 302, assigned.content.decode()[:3000]
    assert _assignments(world.client_a, other) == {world.client_a.pk: 1, other.pk: 1}
    with scopes_disabled():
        copies = list(Assignment.objects.filter(client__in=[world.client_a, other]))
    # Each member has their own copy with the group's plan.
    assert len({a.pk for a in copies}) == 2
    assert {a.plan_when for a in copies} == {"After dinner"}

    detail = browser.get(f"/clients/groups/{group.pk}/").content.decode()
    assert "Alpha Client" in detail and "Robin Second" in detail
    assert "Nothing due" in detail or "%" in detail


def test_one_discharged_member_refuses_the_whole_group_by_name(world, web):
    other = _client(world, "Robin Second")
    group = _group(world, world.client_a, other)
    with scopes_disabled():
        other.status = ClientStatus.DISCHARGED
        other.save(update_fields=["status"])
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    response = web(world.therapist_a).post(
        f"/clients/groups/{group.pk}/assign/", {**PLAN, "activity": activity.pk, **_STARTS}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Robin Second is discharged" in body, (
        response.context["form"].errors,
        response.context["pick"].errors,
    )
    assert _assignments(world.client_a, other) == {world.client_a.pk: 0, other.pk: 0}

    refused = api(world.therapist_a).post(
        f"/api/v1/client-groups/{group.pk}/assign/",
        {**PLAN, "activity": str(activity.pk)},
        format="json",
    )
    assert refused.status_code == 400
    assert "Robin Second is discharged" in refused.json()["group"][0]
    assert _assignments(world.client_a, other) == {world.client_a.pk: 0, other.pk: 0}


def test_only_clients_from_the_caseload_can_be_added(world, web):
    colleagues_client = ClientFactory(
        practice=world.practice_a, primary_therapist=world.colleague_a, full_name="Not Mine"
    )
    group = _group(world)
    browser = web(world.therapist_a)
    page = browser.get(f"/clients/groups/{group.pk}/").content.decode()
    assert "Not Mine" not in page
    refused = browser.post(f"/clients/groups/{group.pk}/members/", {"client": colleagues_client.pk})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    outsider = api(world.therapist_a).post(
        f"/api/v1/client-groups/{group.pk}/members/",
        {"client": str(world.client_b.pk)},
        format="json",
    )
    assert outsider.status_code == 400
    assert outsider.json() == {"client": ["No client with this id."]}


def test_a_group_is_seen_only_by_those_who_run_it_and_managers(world, web):
    group = _group(world, world.client_a)
    assert web(world.colleague_a).get(f"/clients/groups/{group.pk}/").status_code == 404
    assert web(world.owner_a).get(f"/clients/groups/{group.pk}/").status_code == 200
    assert web(world.therapist_b).get(f"/clients/groups/{group.pk}/").status_code == 404
    assert api(world.therapist_b).get(f"/api/v1/client-groups/{group.pk}/").status_code == 404
    assert api(world.colleague_a).get("/api/v1/client-groups/").json()["results"] == []


def test_the_group_page_reads_in_constant_queries(world, web):
    small = _group(world, *[_client(world, f"Small {i}") for i in range(2)], name="Small")
    large = _group(world, *[_client(world, f"Large {i}") for i in range(7)], name="Large")
    browser = web(world.therapist_a)
    browser.get(f"/clients/groups/{small.pk}/")  # warm the session and caches
    counts = []
    for group in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(f"/clients/groups/{group.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with CaptureQueriesContext(connection) as small_api:
        api(world.therapist_a).get(f"/api/v1/client-groups/{small.pk}/members/")
    with CaptureQueriesContext(connection) as large_api:
        rows = api(world.therapist_a).get(f"/api/v1/client-groups/{large.pk}/members/").json()
    assert len(rows) == 7
    assert len(small_api) == len(large_api)


def test_groups_over_rest(world):
    therapist = api(world.therapist_a)
    blank = therapist.post("/api/v1/client-groups/", {"name": "  "}, format="json")
    assert blank.status_code == 400
    assert "name" in blank.json()
    foreign = therapist.post(
        "/api/v1/client-groups/",
        {"name": "Mixed", "therapists": [world.therapist_b.pk]},
        format="json",
    )
    assert foreign.status_code == 400
    assert "therapists" in foreign.json()

    created = therapist.post("/api/v1/client-groups/", {"name": "DBT skills"}, format="json")
    assert created.status_code == 201, created.json()
    group = created.json()
    assert group["therapists"] == [world.therapist_a.pk]
    url = f"/api/v1/client-groups/{group['id']}/"
    added = therapist.post(f"{url}members/", {"client": str(world.client_a.pk)}, format="json")
    assert added.status_code == 201
    assert [row["full_name"] for row in added.json()] == ["Alpha Client"]
    twice = therapist.post(f"{url}members/", {"client": str(world.client_a.pk)}, format="json")
    assert twice.status_code == 400
    assert "already in this group" in twice.json()["client"][0]

    no_activity = therapist.post(f"{url}assign/", PLAN, format="json")
    assert no_activity.status_code == 400
    assert "activity" in no_activity.json()
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    assigned = therapist.post(
        f"{url}assign/", {**PLAN, "activity": str(activity.pk)}, format="json"
    )
    assert assigned.status_code == 201, assigned.json()
    assert [row["client"] for row in assigned.json()] == [str(world.client_a.pk)]

    renamed = therapist.patch(url, {"name": "DBT skills (Tue)"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "DBT skills (Tue)"
    removed = therapist.delete(f"{url}members/{world.client_a.pk}/")
    assert removed.status_code == 204
    assert therapist.get(f"{url}members/").json() == []
    assert therapist.delete(url).status_code == 204
    # The member keeps the homework they were given.
    assert _assignments(world.client_a) == {world.client_a.pk: 1}


def test_a_member_never_sees_another_member(world, portal):
    other = _client(world, "Robin Second")
    group = _group(world, world.client_a, other)
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    response = api(world.therapist_a).post(
        f"/api/v1/client-groups/{group.pk}/assign/",
        {**PLAN, "activity": str(activity.pk)},
        format="json",
    )
    assert response.status_code == 201
    with scopes_disabled():
        mine = Assignment.objects.get(client=world.client_a)
        occurrence = mine.occurrences.get()
        theirs = Assignment.objects.get(client=other)
    browser = portal(world.client_a)
    pages = [
        browser.get("/portal/"),
        browser.get(f"/portal/homework/{mine.pk}/"),
        browser.get(f"/portal/do/{occurrence.pk}/"),
        browser.get("/portal/history/"),
    ]
    client_api = api(client_record=world.client_a)
    pages += [
        client_api.get("/api/v1/portal/assignments/"),
        client_api.get("/api/v1/portal/occurrences/"),
        client_api.get(f"/api/v1/portal/assignments/{mine.pk}/"),
    ]
    for page in pages:
        assert page.status_code == 200, page.request
        body = page.content.decode()
        for secret in ("Robin Second", str(other.pk), str(theirs.pk), "DBT skills", str(group.pk)):
            assert secret not in body, (page.request["PATH_INFO"], secret)
    assert browser.get(f"/portal/homework/{theirs.pk}/").status_code == 404
