import pytest
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from clients.models import Client
from tests.factories import ClientFactory, api_token_for

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def test_token_auth_lists_only_visible_clients_paginated(world):
    for _ in range(3):
        ClientFactory(practice=world.practice_a, primary_therapist=world.therapist_a)
    body = api(world.therapist_a).get("/api/v1/clients/?page_size=2").json()
    assert body["count"] == 4
    assert len(body["results"]) == 2 and body["next"]
    names = {
        c["full_name"] for c in api(world.therapist_b).get("/api/v1/clients/").json()["results"]
    }
    assert names == {"Beta Client"}


def test_anonymous_and_client_users_have_no_staff_api(world, portal):
    assert api().get("/api/v1/clients/").status_code == 401
    client_user = APIClient()
    client_user.cookies = portal(world.client_a).cookies
    assert client_user.get("/api/v1/clients/").status_code == 403


def test_create_returns_400_with_field_errors_and_saves_nothing(world):
    before = _count()
    response = api(world.therapist_a).post(
        "/api/v1/clients/",
        {
            "full_name": "",
            "timezone": "Nowhere/Land",
            "primary_therapist": "nobody@x.test",
            "email": "client@alpha.test",
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert {"full_name", "timezone", "primary_therapist"} <= set(errors)
    assert _count() == before


def test_create_and_update(world):
    response = api(world.therapist_a).post(
        "/api/v1/clients/",
        {
            "full_name": "Api Person",
            "timezone": "Australia/Sydney",
            "primary_therapist": world.therapist_a.email,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    client_id = response.json()["id"]
    response = api(world.therapist_a).patch(
        f"/api/v1/clients/{client_id}/", {"preferred_name": "Apy"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["preferred_name"] == "Apy"
    duplicate = api(world.therapist_a).patch(
        f"/api/v1/clients/{client_id}/", {"email": "client@alpha.test"}, format="json"
    )
    assert duplicate.status_code == 400 and "email" in duplicate.json()


def test_another_practices_client_is_404_on_every_method(world):
    url = f"/api/v1/clients/{world.client_b.pk}/"
    browser = api(world.owner_a)
    for method in ("get", "patch", "put", "delete"):
        assert getattr(browser, method)(url).status_code in (404, 405)
    assert browser.post(url + "status/", {"status": "discharged"}).status_code == 404
    with scopes_disabled():
        assert Client.objects.get(pk=world.client_b.pk).status == "active"


def test_memberships_are_read_only_for_therapists(world):
    members = api(world.therapist_a).get("/api/v1/memberships/").json()["results"]
    assert {m["email"] for m in members} == {
        world.owner_a.email,
        world.therapist_a.email,
        world.colleague_a.email,
    }
    assert (
        api(world.therapist_a)
        .patch(f"/api/v1/memberships/{members[0]['id']}/", {"role": "owner"})
        .status_code
        == 403
    )


def test_api_responses_are_never_cached(world):
    assert "no-store" in api(world.therapist_a).get("/api/v1/clients/")["Cache-Control"]


def test_schema_and_docs_are_served(web, world):
    assert web().get("/api/schema/").status_code == 200
    assert web().get("/api/docs/").status_code == 200


def _count():
    with scopes_disabled():
        return Client.objects.count()


def test_the_client_list_runs_a_constant_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = api(world.owner_a)
    # The token's first use records when it was used (then at most once a minute).
    assert browser.get("/api/v1/clients/").status_code == 200
    counts = []
    for extra in (3, 40):
        ClientFactory.create_batch(
            extra, practice=world.practice_a, primary_therapist=world.therapist_a
        )
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get("/api/v1/clients/?page_size=100").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
