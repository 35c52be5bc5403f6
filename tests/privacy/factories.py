"""Consent documents and answers for tests: written straight to the tables (the services have
their own tests), in force from long ago so time travel stays after them."""

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from privacy.models import REQUIRED_KINDS, ConsentAction, ConsentDocument, ConsentRecord

LONG_AGO = datetime.date(2000, 1, 1)


def publish(practice, kind, *, text=None, effective_date=LONG_AGO, by=None) -> ConsentDocument:
    with scopes_disabled():
        last = (
            ConsentDocument.objects.filter(practice=practice, kind=kind)
            .order_by("-version")
            .first()
        )
        return ConsentDocument.objects.create(
            practice=practice,
            kind=kind,
            version=(last.version if last else 0) + 1,
            text=text
            or f"The {kind} of {practice.name}, version {(last.version if last else 0) + 1}.",
            effective_date=effective_date,
            published_by=by,
        )


def publish_required(practice) -> list[ConsentDocument]:
    return [publish(practice, kind) for kind in REQUIRED_KINDS]


def answer(client, document, action=ConsentAction.ACCEPTED, at=None) -> ConsentRecord:
    with scopes_disabled():
        return ConsentRecord.objects.create(
            practice_id=client.practice_id,
            client=client,
            document=document,
            action=action,
            at=at or timezone.now(),
        )
