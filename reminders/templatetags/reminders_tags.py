"""The unread-notification links in the staff top bar and the portal's bottom nav."""

from django import template

from reminders import selectors

register = template.Library()


@register.inclusion_tag("reminders/_bell.html", takes_context=True)
def notification_bell(context):
    """A therapist's bell with the number of unread notifications (one query)."""
    membership = getattr(context.get("request"), "membership", None)
    if membership is None:
        return {"show": False}
    return {"show": True, "count": selectors.unread_count_for_staff(membership)}


@register.inclusion_tag("reminders/_portal_nav.html", takes_context=True)
def portal_notifications_link(context):
    """The portal nav's "Updates" item with the client's unread count (one query)."""
    request = context.get("request")
    client = getattr(request, "client", None)
    if client is None:
        return {"show": False}
    match = getattr(request, "resolver_match", None)
    return {
        "show": True,
        "count": selectors.unread_count_for_client(client),
        "current": bool(match)
        and match.namespace == "reminders"
        and match.url_name.startswith("client_"),
    }
