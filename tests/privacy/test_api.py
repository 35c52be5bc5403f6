"""REST: consent document versions (owners publish, members read, nobody edits), a client's
consent state, erasure requests (ask, list, approve). 400 with field errors; other practices
404."""

import datetime

import pytest
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from clients.models import Client, ClientStatus
from privacy.models import ConsentKind, ErasureRequest, ErasureStatus
from tests.privacy.factories import answer, publish, publish_required

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_owner_publishes_and_members_read(world):
    owner = api(world.owner_a)
    response = owner.post(
        "/api/v1/consent-documents/",
        {
            "kind": "treatment",
            "text": "We meet weekly.",
            "effective_date": str(datetime.date.today()),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 1 and len(body["sha256"]) == 64 and body["required"] is True
    listed = api(world.therapist_a).get("/api/v1/consent-documents/").json()
    assert [d["id"] for d in listed["results"]] == [body["id"]]
    current = api(world.therapist_a).get("/api/v1/consent-documents/current/").json()
    assert [d["kind"] for d in current] == ["treatment"]
    # Immutable: no update, no delete.
    url = f"/api/v1/consent-documents/{body['id']}/"
    assert owner.put(url, {"text": "x"}, format="json").status_code == 405
    assert owner.delete(url).status_code == 405
    # Another practice cannot see it.
    assert api(world.owner_b).get(url).status_code == 404


def test_bad_input_is_a_400_with_field_errors(world):
    owner = api(world.owner_a)
    response = owner.post(
        "/api/v1/consent-documents/",
        {"kind": "poem", "text": "", "effective_date": "2001-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert {"kind", "text"} <= set(response.json())
    past = owner.post(
        "/api/v1/consent-documents/",
        {"kind": "privacy", "text": "Notice", "effective_date": "2001-01-01"},
        format="json",
    )
    assert past.status_code == 400 and "effective_date" in past.json()
    therapist = api(world.therapist_a).post(
        "/api/v1/consent-documents/",
        {"kind": "privacy", "text": "Notice", "effective_date": str(datetime.date.today())},
        format="json",
    )
    assert therapist.status_code == 400


def test_a_client_s_consent_state(world):
    treatment, privacy, terms = publish_required(world.practice_a)
    for doc in (treatment, privacy, terms):
        answer(world.client_a, doc)
    publish(world.practice_a, ConsentKind.SMS)
    body = api(world.therapist_a).get(f"/api/v1/clients/{world.client_a.pk}/consent/").json()
    assert body["complete"] is True
    states = {line["kind"]: line["state"] for line in body["documents"]}
    assert states == {
        "treatment": "accepted",
        "privacy": "accepted",
        "portal_terms": "accepted",
        "sms": "not_accepted",
    }
    assert (
        api(world.owner_b).get(f"/api/v1/clients/{world.client_a.pk}/consent/").status_code == 404
    )


def test_erasure_requests_through_the_api(world, django_capture_on_commit_callbacks):
    therapist = api(world.therapist_a)
    active = therapist.post("/api/v1/erasure-requests/", {"client": str(world.client_a.pk)})
    assert active.status_code == 400 and "client" in active.json()
    other = therapist.post("/api/v1/erasure-requests/", {"client": str(world.client_b.pk)})
    assert other.status_code == 400 and "client" in other.json()
    assert therapist.post("/api/v1/erasure-requests/", {}).status_code == 400
    with scopes_disabled():
        Client.objects.filter(pk=world.client_a.pk).update(status=ClientStatus.DISCHARGED)
    created = therapist.post("/api/v1/erasure-requests/", {"client": str(world.client_a.pk)})
    assert created.status_code == 201
    erasure_id = created.json()["id"]
    assert therapist.post(f"/api/v1/erasure-requests/{erasure_id}/approve/").status_code == 400
    assert (
        api(world.owner_b).post(f"/api/v1/erasure-requests/{erasure_id}/approve/").status_code
        == 404
    )
    listed = api(world.owner_a).get("/api/v1/erasure-requests/").json()
    assert [e["id"] for e in listed["results"]] == [erasure_id]
    with django_capture_on_commit_callbacks(execute=True):
        approved = api(world.owner_a).post(f"/api/v1/erasure-requests/{erasure_id}/approve/")
    assert approved.status_code == 200
    with scopes_disabled():
        assert ErasureRequest.objects.get(pk=erasure_id).status == ErasureStatus.DONE
        assert not Client.objects.filter(pk=world.client_a.pk).exists()


def test_the_schema_lists_the_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/v1/consent-documents/",
        "/api/v1/consent-documents/current/",
        "/api/v1/clients/{client_id}/consent/",
        "/api/v1/erasure-requests/",
        "/api/v1/erasure-requests/{id}/approve/",
    ):
        assert path in paths, path


def test_lists_cost_the_same_whatever_their_length(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert api(world.owner_a).get(url).status_code == 200
        return len(queries)

    def add_discharged(n, start):
        from tests.factories import ClientFactory

        for i in range(start, start + n):
            client = ClientFactory(
                practice=world.practice_a,
                primary_therapist=world.therapist_a,
                status=ClientStatus.DISCHARGED,
                full_name=f"Gone {i}",
                email=f"gone{i}@alpha.test",
            )
            with scopes_disabled():
                ErasureRequest.objects.create(
                    practice=world.practice_a,
                    client=client,
                    pseudonym=str(i) * 64,
                    source="staff",
                    requested_by=world.therapist_a,
                )
            publish(world.practice_a, ConsentKind.PRIVACY)

    add_discharged(1, 0)
    few = [count("/api/v1/erasure-requests/"), count("/api/v1/consent-documents/")]
    add_discharged(6, 1)
    many = [count("/api/v1/erasure-requests/"), count("/api/v1/consent-documents/")]
    assert few == many


def test_the_practice_page_costs_the_same_whatever_the_lists(world, web):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.factories import ClientFactory

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert web(world.owner_a).get(reverse("privacy:practice_privacy")).status_code == 200
        return len(queries)

    def add(n, start):
        for i in range(start, start + n):
            client = ClientFactory(
                practice=world.practice_a,
                primary_therapist=world.therapist_a,
                status=ClientStatus.DISCHARGED,
                email=f"p{i}@alpha.test",
            )
            with scopes_disabled():
                ErasureRequest.objects.create(
                    practice=world.practice_a, client=client, pseudonym="p" * 64, source="client"
                )
            publish(world.practice_a, ConsentKind.TREATMENT)

    add(1, 0)
    few = count()
    add(5, 1)
    assert count() == few


def test_another_practice_s_document_is_not_found_in_the_portal(world, portal):
    doc = publish(world.practice_b, ConsentKind.PRIVACY)
    assert portal(world.client_a).get(f"/portal/privacy/documents/{doc.pk}/").status_code == 404
    assert portal(world.client_b).get(f"/portal/privacy/documents/{doc.pk}/").status_code == 200
