"""Writes to the library: versions, adopting and customising global items, what an assignment
pins, import, media uploads."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from accounts.models import Membership
from core.tenancy import practice_scope
from library import services
from library.content import content_of
from library.exports import activity_document, activity_questionnaire
from library.models import Activity, ActivityVersion, CuratedActivity, PublicationStatus
from library.services import ContentError
from tests.factories import curated_activity_for, library_definition, practice_activity_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_a(world):
    with scopes_disabled():
        membership = Membership.objects.get(practice=world.practice_a, user=world.therapist_a)
    with practice_scope(world.practice_a):
        yield membership


def _thought_record():
    return CuratedActivity.objects.select_related("current_version").get(slug="thought-record")


# -- versions ---------------------------------------------------------------------------------


def test_editing_a_published_activity_makes_a_new_version_and_keeps_the_old(world, member_a):
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    first = activity.current_version
    draft = services.activity_draft_save(activity=activity, actor=member_a, title="Renamed")
    assert (draft.number, draft.published_at) == (2, None)
    activity.refresh_from_db()
    assert activity.current_version == first, "assignments keep using v1 until publishing"
    services.activity_draft_save(activity=activity, actor=member_a, estimated_minutes=5)
    assert ActivityVersion.objects.filter(activity=activity).count() == 2, "one draft at a time"
    activity = services.activity_publish(activity=activity, actor=member_a)
    assert activity.current_version.number == 2 and activity.draft_version is None
    first.refresh_from_db()
    assert (first.title, first.estimated_minutes) == ("Noticing worksheet", 10)


def test_invalid_content_is_refused_with_every_problem_by_path(world, member_a):
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    broken = library_definition(
        {"id": "a", "type": "hologram", "label": "A"},
        {"id": "b", "type": "single_choice", "label": "B", "options": []},
        {"id": "b", "type": "number", "label": "C", "min": 5, "max": 1},
        {"id": "d", "type": "short_text", "label": "D", "show_if": {"field": "z", "op": "equals"}},
    )
    with pytest.raises(ContentError) as refused:
        services.activity_draft_save(activity=activity, actor=member_a, definition=broken, title="")
    paths = {issue.path for issue in refused.value.issues}
    assert {
        "title",
        "definition.sections[0].fields[0].type",
        "definition.sections[0].fields[1].options",
        "definition.sections[0].fields[2].id",
        "definition.sections[0].fields[2].min",
        "definition.sections[0].fields[3].show_if.field",
    } <= paths
    assert set(refused.value.message_dict) == {"title", "definition"}
    activity.refresh_from_db()
    assert activity.draft_version is None, "nothing was saved"


def test_publishing_needs_the_why_and_the_how(world, member_a):
    activity = services.activity_create(
        practice=world.practice_a, actor=member_a, title="Bare", definition=library_definition()
    )
    with pytest.raises(ContentError) as refused:
        services.activity_publish(activity=activity, actor=member_a)
    assert {i.path for i in refused.value.issues} == {"rationale", "instructions"}


def test_discarding_a_never_published_draft_deletes_it(world, member_a):
    activity = services.activity_create(practice=world.practice_a, actor=member_a, title="Gone")
    assert services.activity_draft_discard(activity=activity, actor=member_a) is False
    assert not Activity.objects.filter(pk=activity.pk).exists()
    kept = practice_activity_for(world.practice_a, world.therapist_a)
    services.activity_draft_save(activity=kept, actor=member_a, title="Maybe")
    kept.refresh_from_db()
    assert services.activity_draft_discard(activity=kept, actor=member_a) is True
    kept.refresh_from_db()
    assert kept.draft_version is None and kept.current_version.title == "Noticing worksheet"


# -- global items in a practice -------------------------------------------------------------


def test_using_a_global_item_as_it_is_adopts_it_once(world, member_a):
    curated = _thought_record()
    first = services.activity_adopt(practice=world.practice_a, actor=member_a, curated=curated)
    again = services.activity_adopt(practice=world.practice_a, actor=member_a, curated=curated)
    assert first.pk == again.pk and first.is_linked_copy
    assert content_of(first.current_version) == content_of(curated.current_version)
    with pytest.raises(ValidationError):
        services.activity_draft_save(activity=first, actor=member_a, title="Mine")


def test_a_linked_copy_follows_new_global_versions_and_pins_the_old_ones(world, member_a):
    curated = curated_activity_for(curator=world.curator, title="Breathing")
    v1 = services.activity_version_for_assignment(
        practice=world.practice_a, actor=member_a, curated_activity=curated
    )
    services.curated_draft_save(curated=curated, actor=world.curator, title="Breathing, slowly")
    curated = services.curated_publish(curated=curated, actor=world.curator)
    v2 = services.activity_version_for_assignment(
        practice=world.practice_a, actor=member_a, curated_activity=curated
    )
    assert (v1.number, v1.title) == (1, "Breathing")
    assert (v2.number, v2.title) == (2, "Breathing, slowly")
    assert v1.activity_id == v2.activity_id
    same = services.activity_version_for_assignment(
        practice=world.practice_a, actor=member_a, activity=v2.activity
    )
    assert same == v2


def test_customising_makes_a_private_copy_of_the_current_global_version(world, member_a):
    curated = _thought_record()
    copy = services.activity_customise(practice=world.practice_a, actor=member_a, curated=curated)
    assert copy.is_customised and not copy.shared and copy.origin == curated
    assert copy.current_version.is_published and copy.current_version.number == 1
    assert content_of(copy.current_version) == content_of(curated.current_version)
    second = services.activity_customise(practice=world.practice_a, actor=member_a, curated=curated)
    assert second.pk != copy.pk, "several customised copies may exist"


def test_what_an_assignment_pins(world, member_a):
    draft = services.activity_create(practice=world.practice_a, actor=member_a, title="Draft")
    with pytest.raises(ValidationError, match="Publish this activity"):
        services.activity_version_for_assignment(
            practice=world.practice_a, actor=member_a, activity=draft
        )
    published = practice_activity_for(world.practice_a, world.therapist_a)
    services.activity_set_retired(activity=published, actor=member_a, retired=True)
    published.refresh_from_db()
    with pytest.raises(ValidationError, match="retired"):
        services.activity_version_for_assignment(
            practice=world.practice_a, actor=member_a, activity=published
        )
    other = practice_activity_for(world.practice_b, world.therapist_b)
    with pytest.raises(ValidationError, match="not in your practice"):
        services.activity_version_for_assignment(
            practice=world.practice_a, actor=member_a, activity=other
        )
    unpublished = curated_activity_for(curator=world.curator, publish=False)
    with pytest.raises(ValidationError, match="not available"):
        services.activity_version_for_assignment(
            practice=world.practice_a, actor=member_a, curated_activity=unpublished
        )


# -- import -----------------------------------------------------------------------------------


def test_own_json_export_imports_back_as_an_equal_activity(world, member_a):
    original = services.activity_customise(
        practice=world.practice_a, actor=member_a, curated=_thought_record()
    )
    document = activity_document(original)
    imported = services.activity_import_document(
        practice=world.practice_a, actor=member_a, document=document
    )
    assert content_of(imported.current_version) == content_of(original.current_version)
    assert imported.status == PublicationStatus.DRAFT and not imported.shared


def test_a_fhir_questionnaire_imports_what_maps_and_lists_what_did_not(world, member_a):
    resource = activity_questionnaire(practice_activity_for(world.practice_a, world.therapist_a))
    resource["item"][0]["item"].append({"linkId": "photo", "text": "A photo", "type": "attachment"})
    activity, skipped = services.activity_import_fhir(
        practice=world.practice_a, actor=member_a, resource=resource
    )
    version = activity.current_version
    assert version.title == "Noticing worksheet"
    assert version.rationale == "Writing it down helps you see patterns."
    assert [f["id"] for f in version.definition["sections"][0]["fields"]] == ["notes"]
    assert any("attachment" in item for item in skipped)


def test_a_fhir_import_with_nothing_usable_creates_nothing(world, member_a):
    before = Activity.objects.count()
    bad = {"resourceType": "Questionnaire", "status": "active", "item": []}
    with pytest.raises(ValidationError) as refused:
        services.activity_import_fhir(practice=world.practice_a, actor=member_a, resource=bad)
    assert "document" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.activity_import_fhir(
            practice=world.practice_a, actor=member_a, resource={"resourceType": "Patient"}
        )
    assert Activity.objects.count() == before


# -- media ------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
MP3 = b"ID3\x04\x00" + b"\0" * 64


@pytest.mark.parametrize(
    ("name", "content", "kind", "problem"),
    [
        ("calm.mp3", MP3, "audio", None),
        ("card.png", PNG, None, None),
        ("card.svg", b"<svg onload=alert(1)>", None, "not accepted"),
        ("renamed.png", MP3, None, "contents are not PNG"),
        ("calm.mp3", MP3, "video", "This field shows video"),
        ("empty.png", b"", None, "empty"),
        ("page.html", b"<script>alert(1)</script>", None, "not accepted"),
    ],
)
def test_media_uploads_are_checked_by_content_extension_and_kind(
    world, member_a, name, content, kind, problem
):
    uploaded = SimpleUploadedFile(name, content, content_type="image/png")
    if problem is None:
        media = services.media_upload(
            practice=world.practice_a, actor=member_a, uploaded=uploaded, kind=kind
        )
        assert media.size == len(content) and media.kind in ("audio", "image")
        return
    with pytest.raises(ValidationError, match=problem):
        services.media_upload(
            practice=world.practice_a, actor=member_a, uploaded=uploaded, kind=kind
        )


def test_media_over_20_mb_is_refused(world, member_a, settings):
    big = SimpleUploadedFile("long.mp3", MP3 + b"\0" * (20 * 1024 * 1024), "audio/mpeg")
    with pytest.raises(ValidationError, match="the limit is 20 MB"):
        services.media_upload(practice=world.practice_a, actor=member_a, uploaded=big)


def test_a_linked_copy_of_a_retired_global_item_keeps_working(world, member_a):
    curated = curated_activity_for(curator=world.curator, title="Old favourite")
    first = services.activity_version_for_assignment(
        practice=world.practice_a, actor=member_a, curated_activity=curated
    )
    services.curated_set_retired(curated=curated, actor=world.curator, retired=True)
    again = services.activity_version_for_assignment(
        practice=world.practice_a, actor=member_a, activity=first.activity
    )
    assert again == first
    with pytest.raises(ValidationError, match="not available"):
        services.activity_adopt(
            practice=world.practice_a,
            actor=member_a,
            curated=CuratedActivity.objects.get(pk=curated.pk),
        )
