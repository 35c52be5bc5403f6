"""The library over REST: browse and search both libraries, create, version, publish, adopt,
copy, export (own JSON and FHIR R4) and import; bad content answers 400 by path."""

import pytest
from django_scopes import scopes_disabled
from fhir.resources.R4B.questionnaire import Questionnaire
from rest_framework.test import APIClient

from library.models import Activity, CuratedActivity
from tests.factories import library_content, library_definition, practice_activity_for

pytestmark = pytest.mark.django_db
BASE = "/api/v1/library"


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def _thought_record():
    return CuratedActivity.objects.get(slug="thought-record")


def test_browse_and_search_the_global_library(world, api):
    response = api(world.therapist_a).get(f"{BASE}/global/", {"q": "thought record"})
    assert response.status_code == 200
    assert [r["slug"] for r in response.json()["results"]] == ["thought-record"]
    measures = api(world.therapist_a).get(f"{BASE}/global/", {"kind": "measure"}).json()
    assert {r["slug"] for r in measures["results"]} == {
        "phq-9",
        "gad-7",
        "phq-2",
        "gad-2",
        "phq-15",
        "pcl-5",
        "dass-21",
        "k10",
    }
    detail = api(world.therapist_a).get(f"{BASE}/global/{_thought_record().pk}/").json()
    assert detail["current_version"]["definition"]["sections"][0]["id"] == "situation"
    assert detail["in_practice"] is False


def test_create_change_and_publish_a_new_version(world, api):
    client = api(world.therapist_a)
    created = client.post(f"{BASE}/activities/", library_content(title="Sleep plan"), format="json")
    assert created.status_code == 201, created.json()
    activity_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["shared"] is False
    published = client.post(f"{BASE}/activities/{activity_id}/publish/")
    assert published.json()["version"] == 1
    changed = client.post(
        f"{BASE}/activities/{activity_id}/versions/",
        {"title": "Sleep plan (short)", "estimated_minutes": 5},
        format="json",
    )
    assert changed.status_code == 201 and changed.json()["number"] == 2
    assert changed.json()["is_published"] is False
    published = client.post(f"{BASE}/activities/{activity_id}/publish/").json()
    assert (published["version"], published["title"]) == (2, "Sleep plan (short)")
    versions = client.get(f"{BASE}/activities/{activity_id}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    listed = client.get(f"{BASE}/activities/", {"q": "sleep plan"}).json()
    assert [r["id"] for r in listed["results"]] == [activity_id]


def test_invalid_definitions_answer_400_with_every_error_by_path(world, api):
    broken = library_definition(
        {"id": "a", "type": "hologram", "label": "A"},
        {"id": "a", "type": "checklist", "label": "B", "options": []},
        {"id": "c", "type": "number", "label": "C", "min": 9, "max": 1},
        {
            "id": "d",
            "type": "short_text",
            "label": "D",
            "show_if": {"field": "nope", "op": "answered"},
        },
    )
    response = api(world.therapist_a).post(
        f"{BASE}/activities/", library_content(definition=broken), format="json"
    )
    assert response.status_code == 400
    paths = {error["path"] for error in response.json()["definition"]}
    assert paths >= {
        "definition.sections[0].fields[0].type",
        "definition.sections[0].fields[1].id",
        "definition.sections[0].fields[1].options",
        "definition.sections[0].fields[2].min",
        "definition.sections[0].fields[3].show_if.field",
    }
    assert all(error["message"] for error in response.json()["definition"])


def test_adopt_and_copy_a_global_item(world, api):
    client = api(world.therapist_a)
    curated = _thought_record()
    adopted = client.post(f"{BASE}/global/{curated.pk}/adopt/")
    again = client.post(f"{BASE}/global/{curated.pk}/adopt/")
    assert adopted.status_code == again.status_code == 200
    assert adopted.json()["id"] == again.json()["id"] and adopted.json()["is_linked_copy"]
    refused = client.post(
        f"{BASE}/activities/{adopted.json()['id']}/versions/", {"title": "Mine"}, format="json"
    )
    assert refused.status_code == 403
    copied = client.post(f"{BASE}/global/{curated.pk}/copy/")
    assert copied.status_code == 201 and copied.json()["is_customised"] is True
    assert client.get(f"{BASE}/global/{curated.pk}/").json()["in_practice"] is True


def test_exports_are_valid_r4_questionnaires_and_own_json_round_trips(world, api):
    client = api(world.therapist_a)
    for curated in CuratedActivity.objects.filter(status="published"):
        resource = client.get(f"{BASE}/global/{curated.pk}/fhir/").json()
        Questionnaire.model_validate(resource)
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    resource = client.get(f"{BASE}/activities/{activity.pk}/fhir/").json()
    Questionnaire.model_validate(resource)
    assert resource["status"] == "active" and resource["url"].endswith(f"{activity.pk}/fhir/")
    document = client.get(f"{BASE}/activities/{activity.pk}/export/").json()
    imported = client.post(f"{BASE}/activities/import/", {"document": document}, format="json")
    assert imported.status_code == 201 and imported.json()["skipped"] == []
    version = imported.json()["activity"]["current_version"]
    original = client.get(f"{BASE}/activities/{activity.pk}/").json()["current_version"]
    keys = ["title", "summary", "rationale", "instructions", "estimated_minutes", "kind"]
    keys += ["approaches", "problems", "definition"]
    assert {k: version[k] for k in keys} == {k: original[k] for k in keys}


def test_fhir_import_reports_what_it_skipped_and_never_half_creates(world, api):
    client = api(world.therapist_a)
    resource = client.get(f"{BASE}/global/{_thought_record().pk}/fhir/").json()
    resource["item"].append({"linkId": "scan", "text": "Attach a scan", "type": "attachment"})
    imported = client.post(f"{BASE}/activities/import/", {"document": resource}, format="json")
    assert imported.status_code == 201
    assert any("attachment" in s for s in imported.json()["skipped"])
    with scopes_disabled():
        before = Activity.objects.count()
    nothing = {
        "resourceType": "Questionnaire",
        "status": "draft",
        "item": [{"linkId": "x", "type": "attachment", "text": "X"}],
    }
    refused = client.post(f"{BASE}/activities/import/", {"document": nothing}, format="json")
    assert refused.status_code == 400 and "document" in refused.json()
    with scopes_disabled():
        assert Activity.objects.count() == before


def test_an_import_with_an_external_media_link_is_refused_at_its_path(world, api):
    client = api(world.therapist_a)
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    document = client.get(f"{BASE}/activities/{activity.pk}/export/").json()
    fields = document["definition"]["sections"][0]["fields"]
    fields.append({"id": "pixel", "type": "media", "label": "Look", "kind": "image"})
    fields[-1]["url"] = "https://tracker.example/pixel.gif"
    with scopes_disabled():
        before = Activity.objects.count()
    refused = client.post(f"{BASE}/activities/import/", {"document": document}, format="json")
    assert refused.status_code == 400
    errors = [e for errors in refused.json().values() for e in errors]
    path = f"definition.sections[0].fields[{len(fields) - 1}].url"
    assert {
        "path": path,
        "message": "Upload the file instead: worksheets show only files stored in Bridgework.",
    } in errors, errors
    with scopes_disabled():
        assert Activity.objects.count() == before


def test_media_upload_checks_the_content(world, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(world.therapist_a)
    good = SimpleUploadedFile("calm.mp3", b"ID3\x04" + b"\0" * 40, "audio/mpeg")
    response = client.post(f"{BASE}/media/", {"file": good, "kind": "audio"}, format="multipart")
    assert response.status_code == 201 and response.json()["content_type"] == "audio/mpeg"
    fake = SimpleUploadedFile("calm.mp3", b"<html><script>", "audio/mpeg")
    response = client.post(f"{BASE}/media/", {"file": fake}, format="multipart")
    assert response.status_code == 400 and "not MP3" in str(response.json()["file"])


def test_clients_and_curators_have_no_staff_library_api(world, api):
    assert api(world.curator).get(f"{BASE}/global/").status_code == 403
    with scopes_disabled():
        client_user = world.client_a.user
    assert api(client_user).get(f"{BASE}/activities/").status_code == 403
    assert APIClient().get(f"{BASE}/global/").status_code in (401, 403)


def test_the_library_api_is_in_the_openapi_schema(world, web):
    schema = web(world.therapist_a).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/library/activities/",
        "/api/v1/library/activities/{id}/versions/",
        "/api/v1/library/activities/{id}/publish/",
        "/api/v1/library/activities/{id}/fhir/",
        "/api/v1/library/activities/{id}/export/",
        "/api/v1/library/activities/import/",
        "/api/v1/library/global/",
        "/api/v1/library/global/{id}/adopt/",
        "/api/v1/library/global/{id}/copy/",
        "/api/v1/library/media/",
    ):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/library/activities/"]
