"""Practice B's objects, one per kind of id that a URL takes.

The URLconf isolation test (tests/platform/test_tenancy.py) fails for any object URL whose
parameter is not registered here, so every new object URL gets an outsider test for free.
Keys: the URL parameter name (``client_id``), or ``<router basename>.pk`` for DRF routes.
"""

from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Invitation, Membership


def build_isolation_targets(world) -> dict:
    with scopes_disabled():
        membership_b = Membership.objects.get(practice=world.practice_b, user=world.therapist_b)
        invitation_b = Invitation.objects.create(
            practice=world.practice_b,
            email="newcomer@beta.test",
            token_hash="b" * 64,
            invited_by=world.owner_b,
            expires_at=timezone.now() + timezone.timedelta(days=3),
        )
    targets = {
        "client_id": world.client_b.pk,
        "client.pk": world.client_b.pk,
        "membership_id": membership_b.pk,
        "membership.pk": membership_b.pk,
        "invitation_id": invitation_b.pk,
    }
    for extend in EXTENSIONS:
        targets.update(extend(world))
    return targets


# Apps append functions ``(world) -> {key: pk}`` for their own object URLs.
EXTENSIONS: list = []


def library_targets(world) -> dict:
    """Practice B's activity (shared, so any B colleague could see it) and uploaded file; for
    global items, an unpublished draft: only curators may reach it, so staff of any practice
    get 404 as for a missing one."""
    from django.core.files.base import ContentFile

    from library.models import ActivityMedia
    from tests.factories import curated_activity_for, practice_activity_for

    activity_b = practice_activity_for(world.practice_b, world.therapist_b)
    draft = curated_activity_for(curator=world.curator, publish=False, title="Curator draft")
    with scopes_disabled():
        media_b = ActivityMedia.objects.create(
            practice=world.practice_b,
            file=ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 32, name="b.png"),
            kind="image",
            content_type="image/png",
            original_name="b.png",
            size=40,
        )
    return {
        "activity_id": activity_b.pk,
        "library-activity.pk": activity_b.pk,
        "number": 1,
        "curated_id": draft.pk,
        "library-global.pk": draft.pk,
        "media_id": media_b.pk,
    }


EXTENSIONS.append(library_targets)


def _assignment_targets(world) -> dict:
    """Practice B's assignment with an entry (a PHQ-9 that raised a flag) and a review."""
    import uuid

    from accounts.models import Membership
    from assignments.models import Flag, MediaAnswer
    from assignments.services import assigning, completing, reviewing
    from core.tenancy import practice_scope
    from tests.factories import activity_version_for

    version = activity_version_for(world.practice_b, "phq-9")
    answers = {f"q{n}": "1" for n in range(1, 10)}
    with practice_scope(world.practice_b):
        therapist = Membership.objects.get(practice=world.practice_b, user=world.therapist_b)
        assignment = assigning.assignment_create(
            client=world.client_b,
            actor=therapist,
            activity_version=version,
            starts_on=timezone.localdate(timezone.now(), world.client_b.tz)
            + timezone.timedelta(days=1),
        )
        occurrence = assignment.occurrences.get()
        response = completing.response_submit(
            occurrence=occurrence,
            client=world.client_b,
            answers=answers,
            submission_key=uuid.uuid4(),
        )
        review = reviewing.occurrence_review(occurrence=occurrence, actor=therapist)
        flag = Flag.objects.get(response=response)
        # A row is enough: the view refuses before it looks for the file.
        answer_file = MediaAnswer.objects.create(
            practice=world.practice_b,
            client=world.client_b,
            occurrence=occurrence,
            field_id="q1",
            kind="photo",
            content_type="image/jpeg",
            size=1,
            sha256="0" * 64,
            storage_path=f"isolation/{uuid.uuid4()}.jpg",
        )
    return {
        "answer_file_id": answer_file.pk,
        "assignment_id": assignment.pk,
        "assignment.pk": assignment.pk,
        "portal-assignment.pk": assignment.pk,
        "occurrence_id": occurrence.pk,
        "occurrence.pk": occurrence.pk,
        "portal-occurrence.pk": occurrence.pk,
        "response_id": response.pk,
        "response.pk": response.pk,
        "portal-response.pk": response.pk,
        "review.pk": review.pk,
        "flag_id": flag.pk,
        "flag.pk": flag.pk,
    }


EXTENSIONS.append(_assignment_targets)


def _report_targets(world) -> dict:
    """Practice B's finished PDF (a progress report about its client)."""
    from reports.models import Audience, DocumentKind, DocumentStatus, PdfDocument, SubjectType

    with scopes_disabled():
        document = PdfDocument.objects.create(
            practice=world.practice_b,
            kind=DocumentKind.PROGRESS_REPORT,
            audience=Audience.STAFF,
            subject_type=SubjectType.CLIENT,
            subject_id=world.client_b.pk,
            client=world.client_b,
            content_hash="b" * 64,
            title="Progress report",
            filename="progress.pdf",
            status=DocumentStatus.READY,
        )
    return {"document_id": document.pk}


EXTENSIONS.append(_report_targets)


def _pathway_targets(world) -> dict:
    """Practice B's pathway, step, enrolment and enrolment step; and a draft global pathway
    (practices see published global pathways only)."""
    from tests.pathways.isolation import pathway_targets

    return pathway_targets(world)


EXTENSIONS.append(_pathway_targets)


def _reminder_targets(world) -> dict:
    """Practice B's notification (its client's), a failed reminder and a bouncing address
    (owners' Delivery problems)."""
    from reminders.models import EmailBounce, Kind, Notification, Reminder, Status

    now = timezone.now()
    with scopes_disabled():
        notification = Notification.objects.create(
            practice=world.practice_b, client=world.client_b, kind=Kind.DUE_SOON, title="B note"
        )
        reminder = Reminder.objects.create(
            practice=world.practice_b,
            client=world.client_b,
            kind=Kind.DUE_SOON,
            local_day=now.date(),
            dedupe_key="isolation-b",
            scheduled_for=now,
            due_at=now,
            status=Status.FAILED,
        )
        bounce = EmailBounce.objects.create(practice=world.practice_b, email="b@beta.test")
    return {
        "notification_id": notification.pk,
        "notification.pk": notification.pk,
        "reminder_id": reminder.pk,
        "bounce_id": bounce.pk,
    }


EXTENSIONS.append(_reminder_targets)


def _api_token_targets(world) -> dict:
    """Practice B's API token (its therapist's)."""
    from accounts.models import ApiToken
    from tests.factories import api_token_for

    secret = api_token_for(world.therapist_b)
    with scopes_disabled():
        token = ApiToken.objects.get(prefix=ApiToken.prefix_of(secret))
    return {"token_id": token.pk}


EXTENSIONS.append(_api_token_targets)


def _privacy_targets(world) -> dict:
    """Practice B's consent document and an erasure request for its client."""
    from privacy.models import ErasureRequest
    from tests.privacy.factories import publish

    document = publish(world.practice_b, "privacy")
    with scopes_disabled():
        erasure = ErasureRequest.objects.create(
            practice=world.practice_b, client=world.client_b, pseudonym="b" * 64, source="client"
        )
    return {
        "document_id": document.pk,
        "consent-document.pk": document.pk,
        "erasure_id": erasure.pk,
        "erasure-request.pk": erasure.pk,
    }


EXTENSIONS.append(_privacy_targets)


def _export_targets(world) -> dict:
    """Practice B's subject-access export of its client (an owner's)."""
    from reports.models import ClientExport, ExportKind

    with scopes_disabled():
        export = ClientExport.objects.create(
            practice=world.practice_b,
            client=world.client_b,
            kind=ExportKind.SUBJECT_ACCESS,
            requested_by=world.owner_b,
            nonce="b" * 32,
        )
    return {"export_id": export.pk}


EXTENSIONS.append(_export_targets)


def _conversation_targets(world) -> dict:
    """Practice B's homework review in session (finished, with one item), its client's
    answer to a plan and a reason for a missed item."""
    from accounts.models import Membership
    from assignments.services import assigning
    from conversations.models import MissedReason
    from conversations.services import agreeing, reviewing
    from core.tenancy import practice_scope
    from tests.factories import activity_version_for

    version = activity_version_for(world.practice_b, "daily-mood-log")
    with practice_scope(world.practice_b):
        therapist = Membership.objects.get(practice=world.practice_b, user=world.therapist_b)
        assignment = assigning.assignment_create(
            client=world.client_b,
            actor=therapist,
            activity_version=version,
            starts_on=timezone.localdate(timezone.now(), world.client_b.tz)
            + timezone.timedelta(days=1),
        )
        conversation = reviewing.conversation_start(client=world.client_b, actor=therapist)
        item = reviewing.item_review_record(
            conversation=conversation,
            assignment=assignment,
            actor=therapist,
            outcome="not_done",
            reason="no_time",
        )
        reviewing.conversation_finish(
            conversation=conversation,
            actor=therapist,
            client_involved=True,
            praise_given=True,
            difficulties_discussed=True,
            plan_adjusted=False,
        )
        agreement = agreeing.plan_agreement_give(
            assignment=assignment, client=world.client_b, confirmed=True, confidence=8
        )
        # A reason is only accepted for a missed item; this one is made directly so the
        # target needs no travel through time.
        reason = MissedReason.objects.create(
            practice=world.practice_b,
            occurrence=assignment.occurrences.get(),
            assignment=assignment,
            client=world.client_b,
            reason="forgot",
        )
    return {
        "conversation_id": conversation.pk,
        "conversation.pk": conversation.pk,
        "conversation-item.pk": item.pk,
        "plan-agreement.pk": agreement.pk,
        "portal-plan-agreement.pk": agreement.pk,
        "missed-reason.pk": reason.pk,
        "portal-missed-reason.pk": reason.pk,
    }


EXTENSIONS.append(_conversation_targets)


def _group_targets(world) -> dict:
    """Practice B's group, with B's client in it."""
    from clients.services import group_create, group_member_add
    from core.tenancy import practice_scope

    with practice_scope(world.practice_b):
        group = group_create(
            practice=world.practice_b, actor=world.therapist_b, name="B's skills group"
        )
        group_member_add(group=group, actor=world.therapist_b, client=world.client_b)
    # The walker names a DRF action's key after its URL name less the last word:
    # "client-group-remove-member" (DELETE members/<client_id>/) -> "client-group-remove".
    return {"group_id": group.pk, "client-group.pk": group.pk, "client-group-remove.pk": group.pk}


EXTENSIONS.append(_group_targets)


def _goal_targets(world) -> dict:
    """Practice B's goal (goal attainment scaling)."""
    from clients.services import goal_create
    from core.tenancy import practice_scope

    with practice_scope(world.practice_b):
        goal = goal_create(
            client=world.client_b,
            actor=world.therapist_b,
            title="Beta goal",
            level_minus_2="a",
            level_minus_1="b",
            level_0="c",
            level_plus_1="d",
            level_plus_2="e",
        )
    return {"goal_id": goal.pk, "goal.pk": goal.pk}


EXTENSIONS.append(_goal_targets)
