"""Voice memo and photo answers: checked by their bytes and size, stored privately, served
only to the client and their care team (audited), named in PDFs, attachments in FHIR."""

import base64
import hashlib
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from assignments.models import MediaAnswer, Response
from reports import selectors as report_selectors
from reports.pdf import render_pdf
from tests.factories import activity_version_for, library_definition
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 200
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200

DEFINITION = library_definition(
    {"id": "memo", "type": "audio", "label": "Say what you noticed", "required": True},
    {"id": "scene", "type": "photo", "label": "A photo of where you were", "required": False},
)


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def occurrence(world, assign):
    version = activity_version_for(world.practice_a, "thought-record", definition=DEFINITION)
    assignment = assign(version)
    with scopes_disabled():
        return assignment.occurrences.get()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def send(portal, client, occurrence, **files):
    return portal(client).post(
        f"/portal/do/{occurrence.pk}/",
        {"submission_key": "5b4b2b9e-6f3e-4a45-9f61-3d2a8d0a1c11", **files},
    )


@pytest.fixture
def sent(world, portal, occurrence):
    with time_machine.travel(MONDAY, tick=False):
        reply = send(
            portal,
            world.client_a,
            occurrence,
            **{"f.memo": upload("memo.m4a", M4A), "f.scene": upload("IMG_1.HEIC", HEIC)},
        )
    assert reply.status_code == 302, reply.content.decode()[:2000]
    with scopes_disabled():
        response = Response.objects.get(occurrence=occurrence)
        memo = MediaAnswer.objects.get(field_id="memo")
        scene = MediaAnswer.objects.get(field_id="scene")
    return response, memo, scene


def test_the_form_posts_multipart_with_a_capture_input_per_field(world, portal, occurrence):
    with time_machine.travel(MONDAY, tick=False):
        body = portal(world.client_a).get(f"/portal/do/{occurrence.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'type="file"' in body and 'accept="audio/*" capture="user"' in body
    assert 'accept="image/*" capture="environment"' in body
    assert '<label class="field__label" for="f-memo"' in body or 'for="' in body


def test_files_are_stored_privately_with_type_size_and_hash(sent, settings):
    response, memo, scene = sent
    assert memo.content_type == "audio/mp4" and scene.content_type == "image/heic"
    assert memo.size == len(M4A) and memo.sha256 == hashlib.sha256(M4A).hexdigest()
    path = settings.PRIVATE_MEDIA_ROOT / memo.storage_path
    assert path.read_bytes() == M4A
    assert "memo" not in memo.storage_path  # named by id, not the uploaded name
    with scopes_disabled():
        answers = response.current_revision.answers
    assert answers["memo"] == {
        "media": str(memo.pk),
        "content_type": "audio/mp4",
        "size": len(M4A),
        "sha256": memo.sha256,
    }


@pytest.mark.parametrize(
    ("field", "name", "content", "message"),
    [
        ("f.scene", "holiday.jpg", EXE, "JPEG, PNG, HEIC or WebP"),  # a renamed .exe
        ("f.memo", "memo.m4a", JPEG, "M4A, AAC, MP3"),  # a photo is not a recording
        ("f.memo", "memo.m4a", b"", "empty"),
    ],
)
def test_files_that_are_not_what_the_field_takes_are_refused_next_to_the_field(
    world, portal, occurrence, field, name, content, message
):
    files = {"f.memo": upload("memo.m4a", M4A), field: upload(name, content)}
    with time_machine.travel(MONDAY, tick=False):
        reply = send(portal, world.client_a, occurrence, **files)
    assert reply.status_code == 400
    body = reply.content.decode()
    assert message in body and 'class="field__error"' in body
    with scopes_disabled():
        assert not Response.objects.filter(occurrence=occurrence).exists()


def test_size_limits_are_ten_mb_for_photos_and_twenty_for_recordings(world, portal, occurrence):
    big_photo = JPEG + b"\x00" * (10 * 1024 * 1024)
    big_memo = M4A + b"\x00" * (20 * 1024 * 1024)
    with time_machine.travel(MONDAY, tick=False):
        photo_reply = send(
            portal,
            world.client_a,
            occurrence,
            **{"f.memo": upload("a.m4a", M4A), "f.scene": upload("big.jpg", big_photo)},
        )
        memo_reply = send(
            portal, world.client_a, occurrence, **{"f.memo": upload("big.m4a", big_memo)}
        )
    assert photo_reply.status_code == 400 and "the limit is 10 MB" in photo_reply.content.decode()
    assert memo_reply.status_code == 400 and "the limit is 20 MB" in memo_reply.content.decode()


def test_a_required_recording_must_be_sent(world, portal, occurrence):
    with time_machine.travel(MONDAY, tick=False):
        reply = send(portal, world.client_a, occurrence)
    assert reply.status_code == 400
    with scopes_disabled():
        assert not Response.objects.exists()


def test_a_reference_typed_into_the_form_is_ignored(world, portal, occurrence, sent):
    """Only a file of the client's own can be kept; naming someone's id gets nothing."""
    _, memo, _ = sent
    with time_machine.travel(MONDAY, tick=False):
        reply = portal(world.client_b).post(
            f"/portal/do/{occurrence.pk}/", {"f.memo.kept": str(memo.pk)}
        )
    assert reply.status_code == 404


def test_the_client_and_their_care_team_can_open_it_and_each_opening_is_audited(
    world, portal, web, sent
):
    _, memo, _ = sent
    url = reverse("assignments:answer_media", args=[memo.pk])
    for browser in (portal(world.client_a), web(world.therapist_a), web(world.owner_a)):
        reply = browser.get(url)
        assert reply.status_code == 200
        assert reply["Content-Type"] == "audio/mp4"
        assert "no-store" in reply["Cache-Control"]
        assert b"".join(reply.streaming_content) == M4A
    with scopes_disabled():
        rows = AuditEvent.objects.filter(action="media_view", object_id=str(memo.pk))
        assert rows.count() == 3
        assert {row.client_id for row in rows} == {world.client_a.pk}


def test_a_colleague_without_access_another_practice_and_anonymous_get_404(
    world, portal, web, sent, client
):
    _, memo, _ = sent
    url = reverse("assignments:answer_media", args=[memo.pk])
    for browser in (
        web(world.colleague_a),
        web(world.therapist_b),
        web(world.owner_b),
        portal(world.client_b),
        web(),
    ):
        assert browser.get(url).status_code == 404
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="media_view").exists()


def test_the_therapist_sees_a_player_and_the_photo_in_the_entry(world, web, sent):
    response, memo, scene = sent
    body = web(world.therapist_a).get(f"/assignments/{response.assignment_id}/").content.decode()
    assert f'<audio controls preload="none" src="/assignments/answer-files/{memo.pk}/"' in body
    assert f'<img src="/assignments/answer-files/{scene.pk}/"' in body


def test_the_pdf_names_the_files_and_never_embeds_them(world, sent):
    response, _, _ = sent
    from tests.assignments.fixtures import membership_of

    with scopes_disabled():
        spec = report_selectors.response_for_staff(
            membership_of(world.practice_a, world.therapist_a), response.pk
        )
    rendered = render_pdf(spec.kind, spec.source)
    text = " ".join(pdf_text(rendered.content).split())
    assert "Voice memo attached — view in Bridgework" in text
    assert "Photo attached — view in Bridgework" in text
    assert M4A not in rendered.content and HEIC[:16] not in rendered.content


def test_the_fhir_response_carries_attachments_without_data(world, sent):
    response, memo, _ = sent
    api = APIClient()
    api.force_authenticate(world.therapist_a)
    resource = json.loads(api.get(f"/api/v1/responses/{response.pk}/fhir/").content)
    QuestionnaireResponse.model_validate(resource)
    items = {item["linkId"]: item for item in _flatten(resource["item"])}
    attachment = items["memo"]["answer"][0]["valueAttachment"]
    assert attachment["url"] == f"/assignments/answer-files/{memo.pk}/"
    assert attachment["contentType"] == "audio/mp4"
    assert attachment["size"] == len(M4A)
    assert attachment["hash"] == base64.b64encode(hashlib.sha256(M4A).digest()).decode()
    assert "data" not in attachment


def _flatten(items):
    for item in items:
        yield item
        yield from _flatten(item.get("item", []))


def test_an_answer_naming_someone_elses_file_is_refused(world, sent, assign, submit):
    """Through the service (as the API sends): a reference must be one of the client's own
    files, unchanged."""
    from assignments.services.completing import AnswersInvalid

    _, memo, _ = sent
    version = activity_version_for(world.practice_b, "thought-record", definition=DEFINITION)
    with scopes_disabled():
        theirs = assign(version, client=world.client_b, therapist=world.therapist_b)
        occurrence_b = theirs.occurrences.get()
        stolen = memo.as_answer()
    with pytest.raises(AnswersInvalid) as refused:
        submit(occurrence_b, {"memo": stolen})
    assert refused.value.issues[0].path == "memo"
    with scopes_disabled():
        assert not Response.objects.filter(occurrence=occurrence_b).exists()


def test_deleting_the_client_removes_their_files_from_disk(
    world, sent, settings, django_capture_on_commit_callbacks
):
    _, memo, scene = sent
    paths = [settings.PRIVATE_MEDIA_ROOT / m.storage_path for m in (memo, scene)]
    assert all(path.exists() for path in paths)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        world.client_a.delete()
    assert not any(path.exists() for path in paths)
