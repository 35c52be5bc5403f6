"""The global pathway library over REST: list, detail with steps, FHIR PlanDefinition, copy."""

import pytest
from django_scopes import scopes_disabled
from fhir.resources.R4B.plandefinition import PlanDefinition
from rest_framework.test import APIClient

from pathways.models import CuratedPathway, Pathway, PathwayStatus
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/pathways/global"


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def _sleep():
    return CuratedPathway.objects.get(slug="sleep-routine")


def test_list_and_detail_show_published_global_pathways_with_steps(world, library):
    draft = CuratedPathway.objects.create(slug="a-draft", name="A draft")
    response = api(world.therapist_a).get(f"{BASE}/")
    assert response.status_code == 200
    listed = {item["slug"]: item for item in response.json()["results"]}
    assert "sleep-routine" in listed and "a-draft" not in listed
    sleep = _sleep()
    assert listed["sleep-routine"]["step_count"] == sleep.steps.count() > 0
    detail = api(world.therapist_a).get(f"{BASE}/{sleep.pk}/").json()
    assert detail["name"] == sleep.name
    assert [step["position"] for step in detail["steps"]] == sorted(
        sleep.steps.values_list("position", flat=True)
    )
    assert all(step["title"] and step["curated_activity"] for step in detail["steps"])
    assert api(world.therapist_a).get(f"{BASE}/{draft.pk}/").status_code == 404


def test_fhir_is_a_valid_plan_definition(world, library):
    sleep = _sleep()
    response = api(world.therapist_a).get(f"{BASE}/{sleep.pk}/fhir/")
    assert response.status_code == 200
    resource = response.json()
    PlanDefinition.model_validate(resource)
    assert resource["id"] == str(sleep.pk)
    assert len(resource["action"]) == sleep.steps.count()


def test_unpublished_global_pathways_are_404_everywhere(world, library):
    sleep = _sleep()
    for status in (PathwayStatus.DRAFT, PathwayStatus.ARCHIVED):
        CuratedPathway.objects.filter(pk=sleep.pk).update(status=status)
        client = api(world.therapist_a)
        assert client.get(f"{BASE}/{sleep.pk}/").status_code == 404
        assert client.get(f"{BASE}/{sleep.pk}/fhir/").status_code == 404
        assert client.post(f"{BASE}/{sleep.pk}/copy/").status_code == 404
    with scopes_disabled():
        assert not Pathway.objects.filter(origin=sleep).exists()


def test_copy_lands_in_the_callers_practice_only(world, library):
    sleep = _sleep()
    response = api(world.therapist_a).post(f"{BASE}/{sleep.pk}/copy/")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["origin"] == str(sleep.pk)
    assert body["step_count"] == sleep.steps.count()
    with scopes_disabled():
        copies = list(Pathway.objects.filter(origin=sleep))
        assert copies[0].steps.count() == sleep.steps.count()
    assert [(str(copy.pk), copy.practice_id) for copy in copies] == [
        (body["id"], world.practice_a.pk)
    ]
    # Practice B sees nothing of it.
    ids_b = [p["id"] for p in api(world.therapist_b).get("/api/v1/pathways/").json()["results"]]
    assert body["id"] not in ids_b
    assert api(world.therapist_b).get(f"/api/v1/pathways/{body['id']}/").status_code == 404


def test_clients_and_the_anonymous_are_refused(world, library):
    sleep = _sleep()
    with scopes_disabled():
        client_user = world.client_a.user
    portal = APIClient()
    portal.force_authenticate(client_user)
    assert portal.get(f"{BASE}/").status_code == 403
    assert portal.get(f"{BASE}/{sleep.pk}/").status_code == 403
    assert portal.post(f"{BASE}/{sleep.pk}/copy/").status_code == 403
    assert APIClient().get(f"{BASE}/").status_code in (401, 403)
    with scopes_disabled():
        assert not Pathway.objects.filter(origin=sleep).exists()


def test_the_global_pathway_api_is_in_the_openapi_schema(world, library):
    client = APIClient()
    client.force_login(world.therapist_a)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in (f"{BASE}/", f"{BASE}/{{id}}/", f"{BASE}/{{id}}/fhir/", f"{BASE}/{{id}}/copy/"):
        assert path in schema["paths"], path
    assert "post" in schema["paths"][f"{BASE}/{{id}}/copy/"]
    assert "post" in schema["paths"][f"{BASE}/{{id}}/enrol/"]  # issue 23: enrol in one call
