"""Demo data: each practice's consent documents, accepted by its clients (so `make run` opens
straight onto homework), and one erasure request waiting for the owner (the discharged
client). Idempotent. Documents and requests go through their services; the acceptances are
written as the portal would write them."""

from django.utils import timezone

from accounts.models import Membership
from clients.models import ClientStatus
from privacy import selectors, services
from privacy.models import ConsentDocument, ConsentKind, ErasureRequest

TEXTS = {
    ConsentKind.TREATMENT: (
        "We meet at the times we agree. Between sessions your therapist may suggest short "
        "exercises to try; you choose how much to do, and you can always say no.\n\n"
        "What you write is read by your therapist and, if they share your care, their "
        "colleagues at this practice. If something you write makes us worry about your "
        "safety, we will contact you, and in an emergency we may contact others who can help."
    ),
    ConsentKind.PRIVACY: (
        "We keep your details and what you write here to provide your therapy, and for no "
        "other purpose. We never sell or share it for marketing.\n\n"
        "You may see, correct or ask us to erase your records at any time under 'Your "
        "privacy'. We keep records for eight years after therapy ends, then erase them."
    ),
    ConsentKind.PORTAL_TERMS: (
        "The portal is for your therapy homework. Keep your sign-in to yourself. It is not "
        "watched around the clock: if you need help now, use the numbers under 'Need help now?'."
    ),
    ConsentKind.SMS: (
        "We may send you short text reminders. They never say what your homework is about. "
        "You can stop them at any time in your reminder settings."
    ),
}


def seed(practice, people) -> None:
    owner = Membership.objects.get(practice=practice, user=people.owner)
    today = timezone.localdate(timezone.now(), selectors.practice_tz(practice))
    for kind, text in TEXTS.items():
        if not ConsentDocument.objects.filter(practice=practice, kind=kind).exists():
            services.consent_document_publish(
                membership=owner, kind=kind, text=text, effective_date=today
            )
    for client in people.clients:
        if client.user_id is None or client.status == ClientStatus.DISCHARGED:
            continue
        waiting = selectors.documents_to_accept(client)
        if waiting:
            services.consent_accept(client=client, actor=None, document_ids=[d.pk for d in waiting])
        if not selectors.has_sms_consent(client):
            services.sms_consent_give(client=client, actor=None)
    for client in people.clients:
        if (
            client.status == ClientStatus.DISCHARGED
            and not ErasureRequest.objects.filter(client=client).exists()
        ):
            services.erasure_request_create(client=client, actor=people.therapists[0])
