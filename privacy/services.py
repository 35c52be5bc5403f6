"""Writes: publishing consent documents, accepting and withdrawing consent, the retention
setting, and erasure (request, approval, the erasure itself, retention).

Every acceptance, withdrawal, request, approval and erasure writes an audit row. Rows about
consent name the document by its text's SHA-256, so the trail proves which wording was agreed.
"""

import hashlib
import hmac
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Role
from clients.models import Client, ClientStatus
from core.tenancy import practice_scope
from privacy import selectors
from privacy.models import (
    ConsentAction,
    ConsentDocument,
    ConsentKind,
    ConsentRecord,
    ErasureRequest,
    ErasureSource,
    ErasureStatus,
    PrivacySettings,
)

MAX_DOCUMENT_CHARS = 50_000


def pseudonym(client_id) -> str:
    """What the trail keeps of an erased client: an HMAC of the id under a deployment secret.
    The deployment can check an id it is shown against it; nobody can reverse it."""
    key = settings.PRIVACY_PSEUDONYM_KEY.encode()
    return hmac.new(key, str(client_id).encode(), hashlib.sha256).hexdigest()


# --- Consent documents -------------------------------------------------------------------------


def _require_owner(membership, field: str = "__all__") -> None:
    if membership is None or membership.role != Role.OWNER:
        raise ValidationError({field: "Only an owner of the practice can do that."})


@transaction.atomic
def consent_document_publish(
    *, membership, kind: str, text: str, effective_date: date
) -> ConsentDocument:
    """A new version of ``kind``, in force from ``effective_date`` (today or later). Clients
    are asked to accept it the first time they open the portal on or after that date."""
    _require_owner(membership)
    practice = membership.practice
    errors = {}
    if kind not in ConsentKind.values:
        errors["kind"] = "Choose one of the kinds of document."
    text = (text or "").strip()
    if not text:
        errors["text"] = "Write the text clients will be asked to accept."
    elif len(text) > MAX_DOCUMENT_CHARS:
        errors["text"] = f"Keep the text under {MAX_DOCUMENT_CHARS:,} characters."
    today = timezone.localdate(timezone.now(), selectors.practice_tz(practice))
    if effective_date is None:
        errors["effective_date"] = "Give the date the version comes into force."
    elif effective_date < today:
        errors["effective_date"] = "The date cannot be in the past: clients accept from today."
    if errors:
        raise ValidationError(errors)
    # Numbered under a lock on the practice's versions of this kind, so two owners publishing
    # at once get 3 and 4, not 3 twice (the unique constraint backs this up).
    last = (
        ConsentDocument.objects.select_for_update()
        .filter(practice=practice, kind=kind)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    document = ConsentDocument.objects.create(
        practice=practice,
        kind=kind,
        version=(last or 0) + 1,
        text=text,
        effective_date=effective_date,
        published_by=membership.user,
    )
    audit_record(
        actor=membership.user,
        practice=practice,
        action="consent_publish",
        obj=document,
        object_id=document.sha256,
    )
    return document


# --- A client's consent ------------------------------------------------------------------------


def _record(*, client, actor, document, action: str) -> ConsentRecord:
    record = ConsentRecord.objects.create(
        practice_id=client.practice_id,
        client=client,
        document=document,
        action=action,
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        practice=client.practice_id,
        action=f"consent_{action}",
        obj=document,
        client=client,
        object_id=document.sha256,
    )
    return record


@transaction.atomic
def consent_accept(*, client: Client, actor, document_ids: list) -> list[ConsentRecord]:
    """The client accepts every required document waiting for them; ``document_ids`` must name
    all of them (the page shows each with its own box), so nothing is accepted unseen."""
    waiting = selectors.documents_to_accept(client)
    missing = [d for d in waiting if str(d.pk) not in {str(i) for i in document_ids}]
    if missing:
        raise ValidationError(
            {"documents": "Tick each box to say you have read and agree to every document."}
        )
    return [
        _record(client=client, actor=actor, document=doc, action=ConsentAction.ACCEPTED)
        for doc in waiting
    ]


def _current_sms(client) -> ConsentDocument:
    doc = selectors.current_documents(client.practice).get(ConsentKind.SMS)
    if doc is None:
        raise ValidationError({"sms": "Your practice does not offer text-message reminders."})
    return doc


@transaction.atomic
def sms_consent_give(*, client: Client, actor) -> ConsentRecord:
    doc = _current_sms(client)
    return _record(client=client, actor=actor, document=doc, action=ConsentAction.ACCEPTED)


@transaction.atomic
def sms_consent_withdraw(*, client: Client, actor) -> ConsentRecord:
    """Texts stop at once: the SMS channel asks for a current consent before every send."""
    doc = _current_sms(client)
    return _record(client=client, actor=actor, document=doc, action=ConsentAction.WITHDRAWN)


# --- Retention setting -------------------------------------------------------------------------


@transaction.atomic
def retention_set(*, membership, retention_years: int) -> PrivacySettings:
    _require_owner(membership)
    if retention_years is None or not 1 <= int(retention_years) <= 100:
        raise ValidationError({"retention_years": "Give a number of years from 1 to 100."})
    row, _ = PrivacySettings.objects.update_or_create(
        practice=membership.practice, defaults={"retention_years": int(retention_years)}
    )
    audit_record(
        actor=membership.user, practice=membership.practice, action="retention_set", obj=row
    )
    return row


# --- Erasure -----------------------------------------------------------------------------------


_open_request = selectors.open_erasure_request


@transaction.atomic
def erasure_request_create(
    *, client: Client, actor, source: str = ErasureSource.STAFF
) -> ErasureRequest:
    """Step one: someone asks. Staff ask only for discharged clients; a client may ask at any
    time (an owner discharges them before approving)."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if source == ErasureSource.STAFF and client.status != ClientStatus.DISCHARGED:
        raise ValidationError(
            {"client": "Only a discharged client can be erased. Discharge the client first."}
        )
    existing = _open_request(client)
    if existing is not None:
        return existing
    erasure = ErasureRequest.objects.create(
        practice_id=client.practice_id,
        client=client,
        pseudonym=pseudonym(client.pk),
        source=source,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        practice=client.practice_id,
        action="erasure_request",
        obj=erasure,
        client=client,
    )
    return erasure


def _pending_for_decision(erasure: ErasureRequest, membership) -> ErasureRequest:
    """The request, locked, if ``membership`` is an owner and it still waits for a decision."""
    _require_owner(membership)
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if erasure.status != ErasureStatus.PENDING:
        raise ValidationError({"status": "This request is not waiting for approval."})
    return erasure


@transaction.atomic
def erasure_request_approve(*, erasure: ErasureRequest, membership) -> ErasureRequest:
    """Step two: an owner approves; the erasure itself runs in the worker."""
    from privacy.tasks import erase_client

    erasure = _pending_for_decision(erasure, membership)
    client = _client_of(erasure)
    if client.status != ClientStatus.DISCHARGED:
        raise ValidationError(
            {"client": "This client is not discharged. Discharge them before erasing."}
        )
    erasure.status = ErasureStatus.APPROVED
    erasure.approved_by = membership.user
    erasure.approved_at = timezone.now()
    erasure.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(
        actor=membership.user,
        practice=erasure.practice_id,
        action="erasure_approve",
        obj=erasure,
        client=client,
    )
    erase_client.delay_on_commit(erasure_id=str(erasure.pk), practice_id=str(erasure.practice_id))
    return erasure


@transaction.atomic
def erasure_request_decline(*, erasure: ErasureRequest, membership) -> ErasureRequest:
    erasure = _pending_for_decision(erasure, membership)
    erasure.status = ErasureStatus.DECLINED
    erasure.approved_by = membership.user
    erasure.approved_at = timezone.now()
    erasure.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(
        actor=membership.user,
        practice=erasure.practice_id,
        action="erasure_decline",
        obj=erasure,
        client=erasure.client_id,
    )
    return erasure


def _client_of(erasure: ErasureRequest, *, lock: bool = False) -> Client:
    if erasure.client_id is None:
        raise ValidationError({"client": "This client's records have already been erased."})
    clients = Client.objects.select_for_update() if lock else Client.objects.all()
    return clients.get(pk=erasure.client_id)


def _delete_files(collector: Collector) -> None:
    """Remove from storage every file held by a row about to be deleted (PDFs, exports):
    deleting a row leaves its file behind."""
    batches = [(model, list(objs)) for model, objs in collector.data.items()]
    batches += [(qs.model, list(qs)) for qs in collector.fast_deletes if hasattr(qs, "model")]
    for model, objs in batches:
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for obj in objs if fields else []:
            for field in fields:
                stored = getattr(obj, field.attname)
                if stored:
                    stored.storage.delete(stored.name)


def _anonymise_user(user) -> None:
    """The client's sign-in, unless it is also someone else's (a member, a client of another
    practice). Anonymised rather than deleted: audit rows point at it and are append-only."""
    if user is None:
        return
    if user.memberships.exists() or user.client_records.exists():
        return
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "full_name", "is_active", "password"])


@transaction.atomic
def client_erase(*, erasure: ErasureRequest, actor=None) -> ErasureRequest:
    """Delete the client and everything about them: identifying fields, entries, answers,
    revisions, drafts, check-ins, messages, reminders, consent records, PDFs and their files.
    What stays is this request (with the pseudonym) and the audit trail (ids, no content)."""
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if erasure.status == ErasureStatus.DONE:
        return erasure
    if erasure.status != ErasureStatus.APPROVED:
        raise ValidationError({"status": "An owner has not approved this erasure."})
    client = _client_of(erasure, lock=True)
    if client.status != ClientStatus.DISCHARGED:
        raise ValidationError({"client": "Only a discharged client can be erased."})
    user = client.user
    using = router.db_for_write(Client)
    collector = Collector(using=using)
    collector.collect([client])
    _delete_files(collector)
    client.delete()
    _anonymise_user(user)
    erasure.client = None
    erasure.status = ErasureStatus.DONE
    erasure.completed_at = timezone.now()
    erasure.save(update_fields=["client", "status", "completed_at", "updated_at"])
    audit_record(
        actor=actor,
        practice=erasure.practice_id,
        action="client_erased",
        obj=erasure,
        client=None,
        object_id=erasure.pseudonym,
    )
    return erasure


def retention_cutoff(*, now: datetime, years: int) -> datetime:
    """The same moment ``years`` calendar years earlier (29 February → 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def retention_due(practice, *, now: datetime) -> list[Client]:
    years = selectors.privacy_settings(practice).retention_years
    return list(
        Client.objects.filter(
            practice=practice,
            status=ClientStatus.DISCHARGED,
            discharged_at__lt=retention_cutoff(now=now, years=years),
        ).exclude(erasure_requests__status=ErasureStatus.DONE)
    )


def retention_apply(*, practice) -> list[ErasureRequest]:
    """Erase, one transaction each, every client of ``practice`` discharged longer ago than
    the practice keeps records. The retention rule is the approval: the audit says so."""
    done = []
    with practice_scope(practice):
        for client in retention_due(practice, now=timezone.now()):
            with transaction.atomic():
                erasure = _open_request(client) or ErasureRequest.objects.create(
                    practice_id=client.practice_id,
                    client=client,
                    pseudonym=pseudonym(client.pk),
                    source=ErasureSource.RETENTION,
                )
                ErasureRequest.objects.filter(pk=erasure.pk).update(
                    status=ErasureStatus.APPROVED, approved_at=timezone.now()
                )
                audit_record(
                    actor=None,
                    practice=practice,
                    action="erasure_retention",
                    obj=erasure,
                    client=client,
                )
                done.append(client_erase(erasure=erasure))
    return done


def retention_practices() -> list:
    from accounts.models import Practice

    return list(Practice.objects.all())
