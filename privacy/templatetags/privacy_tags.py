"""Cards other apps' pages include: a client's consent on their staff page, and the
text-message consent on the client's reminder settings."""

from django import template

from privacy import selectors
from privacy.models import ConsentKind

register = template.Library()


@register.inclusion_tag("privacy/_client_card.html", takes_context=True)
def client_privacy_card(context, client):
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "client": client,
        "lines": selectors.consent_state(client),
        "erasure": selectors.open_erasure_request(client),
    }


@register.inclusion_tag("privacy/_sms_consent_slot.html", takes_context=True)
def sms_consent_card(context):
    request = context["request"]
    client = getattr(request, "client", None)
    sms = None
    if client is not None:
        sms = next(line for line in selectors.consent_state(client) if line.kind == ConsentKind.SMS)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "sms": sms,
        "next": request.path,
    }
