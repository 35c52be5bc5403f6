"""Documents are kept until what went into them changes; the worker claims before it renders;
branding uploads are checked from their bytes."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from core.tenancy import practice_scope
from reports import selectors, services
from reports.models import Audience, DocumentStatus, PdfDocument, PracticeBranding
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of
from tests.reports.conftest import pdf_reader, pdf_text

pytestmark = pytest.mark.django_db


def request_blank(world, version, capture, *, execute=True):
    with practice_scope(world.practice_a):
        membership = membership_of(world.practice_a, world.therapist_a)
        spec = selectors.blank_for_activity(membership, version.activity_id)
        with capture(execute=execute):
            document = services.pdf_request(
                practice=world.practice_a,
                requested_by=world.therapist_a,
                audience=Audience.STAFF,
                spec=spec,
            )
        document.refresh_from_db()
        return document


def test_the_same_content_is_rendered_once(world, acts, django_capture_on_commit_callbacks):
    first = request_blank(world, acts.thought_record, django_capture_on_commit_callbacks)
    assert first.status == DocumentStatus.READY
    assert first.source is None  # the rendered file holds the data now
    again = request_blank(world, acts.thought_record, django_capture_on_commit_callbacks)
    assert again.pk == first.pk
    assert again.rendered_at == first.rendered_at


def test_changed_content_makes_a_new_pdf_and_drops_the_old_file(
    world, acts, django_capture_on_commit_callbacks
):
    first = request_blank(world, acts.thought_record, django_capture_on_commit_callbacks)
    old_file = first.file.name
    with scopes_disabled():
        type(acts.thought_record).objects.filter(pk=acts.thought_record.pk).update(
            title="Thought record, revised"
        )
    second = request_blank(world, acts.thought_record, django_capture_on_commit_callbacks)
    assert second.pk != first.pk
    assert second.content_hash != first.content_hash
    with scopes_disabled():
        assert list(PdfDocument.objects.values_list("pk", flat=True)) == [second.pk]
    assert not default_storage.exists(old_file)
    with second.file.open("rb") as handle:
        assert "Thought record, revised" in pdf_text(handle.read())


def test_a_lost_file_is_rendered_again(world, acts, django_capture_on_commit_callbacks):
    first = request_blank(world, acts.thought_record, django_capture_on_commit_callbacks)
    default_storage.delete(first.file.name)
    again = request_blank(world, acts.thought_record, django_capture_on_commit_callbacks)
    assert again.pk == first.pk
    assert again.is_ready and default_storage.exists(again.file.name)


def test_the_worker_claims_before_rendering(world, acts, django_capture_on_commit_callbacks):
    """A redelivered task (or a second worker) finds the document claimed and does nothing."""
    queued = request_blank(
        world, acts.thought_record, django_capture_on_commit_callbacks, execute=False
    )
    assert queued.status == DocumentStatus.PENDING
    with practice_scope(world.practice_a):
        assert services.pdf_document_render(document_id=queued.pk) is not None
        assert services.pdf_document_render(document_id=queued.pk) is None
        queued.refresh_from_db()
    assert queued.status == DocumentStatus.READY
    assert queued.page_count >= 2
    assert queued.size_bytes == queued.file.size


def test_a_render_that_fails_is_marked_and_asked_for_again(
    world, acts, django_capture_on_commit_callbacks
):
    queued = request_blank(
        world, acts.thought_record, django_capture_on_commit_callbacks, execute=False
    )
    with scopes_disabled():
        # A definition the renderer cannot draw (a field without a type).
        PdfDocument.objects.filter(pk=queued.pk).update(
            source={**queued.source, "definition": {"sections": [{"fields": [{"id": "x"}]}]}}
        )
    with practice_scope(world.practice_a):
        assert services.pdf_document_render(document_id=queued.pk) is None
        queued.refresh_from_db()
    assert queued.status == DocumentStatus.FAILED
    again = request_blank(world, acts.thought_record, django_capture_on_commit_callbacks)
    assert again.pk == queued.pk
    assert again.status == DocumentStatus.READY


# --- Branding -------------------------------------------------------------------------------


def image_upload(name="logo.png", image_format="PNG", size=(120, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (29, 107, 102)).save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


def update_branding(world, **kwargs):
    with practice_scope(world.practice_a):
        return services.branding_update(
            practice=world.practice_a,
            actor=membership_of(world.practice_a, world.owner_a),
            **kwargs,
        )


def test_a_logo_and_confidentiality_line_appear_on_client_material(
    world, acts, django_capture_on_commit_callbacks
):
    branding = update_branding(
        world, logo=image_upload(), confidentiality_line="Alpha keeps this private."
    )
    assert branding.logo_content_type == "image/png"
    assert len(branding.logo_sha256) == 64
    document = request_blank(world, acts.thought_record, django_capture_on_commit_callbacks)
    with document.file.open("rb") as handle:
        content = handle.read()
    images = [image for page in pdf_reader(content).pages for image in page.images]
    assert images, "the logo is drawn in the header"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>"), "Upload a PNG or JPEG image."),
        (image_upload("logo.png", "GIF"), "Upload a PNG or JPEG image."),
        (image_upload(size=(4100, 10)), "at most 4000 pixels"),
        (SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (1024 * 1024)), "at most 1 MB"),
    ],
)
def test_a_logo_must_be_a_small_png_or_jpeg(world, upload, message):
    with pytest.raises(ValidationError) as error:
        update_branding(world, logo=upload)
    assert message in " ".join(error.value.message_dict["logo"])


def test_removing_the_logo_deletes_the_file(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        name = update_branding(world, logo=image_upload("logo.jpg", "JPEG")).logo.name
    assert name.endswith(".jpg") and default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        branding = update_branding(world, remove_logo=True)
    assert not branding.logo and branding.logo_sha256 == ""
    assert not default_storage.exists(name)
    with scopes_disabled():
        assert PracticeBranding.objects.filter(practice=world.practice_b).count() == 0


def test_a_deleted_clients_pdfs_leave_the_disk(
    world, web, acts, assign, submit, django_capture_on_commit_callbacks
):
    response = submit(assign(acts.thought_record), THOUGHT_RECORD_ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        web(world.therapist_a).post(reverse("reports:response", args=[response.pk]))
    with scopes_disabled():
        name = PdfDocument.objects.get(client=world.client_a).file.name
    assert default_storage.exists(name)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        world.client_a.delete()
    assert not default_storage.exists(name)
