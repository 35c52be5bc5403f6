from django import template
from django.utils.crypto import salted_hmac

register = template.Library()


@register.simple_tag
def device_owner(client) -> str:
    """Who owns what the portal keeps on a device (its page cache and outbox), without
    putting the client's id in every page: a keyed hash of it, the same on every visit."""
    if client is None:
        return ""
    return salted_hmac("portal.offline.device-owner", str(client.pk)).hexdigest()[:20]
