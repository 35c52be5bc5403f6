"""Sending email: one template set (subject, text, HTML) per message, discreet subjects."""

from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import escape

PARTS = ("_subject.txt", ".txt", ".html")


def _marker(name: str) -> str:
    # The "&" shows, in the rendered text, whether the template escaped the value (HTML) or
    # not (plain text, subjects): an escaped marker reads "&amp;".
    return f"\x00{name}&\x00"


def _render(template: str, context: dict) -> tuple[str, ...]:
    context = {"site_url": settings.SITE_URL, **context}
    return tuple(render_to_string(f"emails/{template}{part}", context) for part in PARTS)


@lru_cache(maxsize=256)
def _rendered_shape(template: str, shape: tuple) -> tuple[str, ...]:
    return _render(template, dict(shape))


def render_email(template: str, context: dict, *, merge=()) -> tuple[str, ...]:
    """(subject, text, HTML) of ``templates/emails/<template>_subject.txt``, ``.txt``, ``.html``.

    ``merge`` names the context entries that change from one recipient to the next (a name,
    a personal link) when the rest repeats over thousands of messages (a reminder's wording):
    a mail merge. The templates are rendered once per shape of message, with a marker in place
    of each merge entry (an empty one stays empty, so ``{% if %}`` still decides), and each
    recipient's values are put where the markers are, escaped where the template escaped the
    marker. A template that transforms a merge entry (with a filter) leaves no clean marker;
    then the message is rendered in full. The other entries must be hashable (the shape is a
    cache key): strings, numbers, frozen dataclasses.
    """
    if not merge or settings.DEBUG:  # DEBUG: templates edited while the server runs
        return _render(template, context)
    shape = tuple(
        sorted(
            (name, (_marker(name) if value else "") if name in merge else value)
            for name, value in context.items()
        )
    )
    parts = []
    for part in _rendered_shape(template, shape):
        for name in merge:
            value = str(context[name] or "")
            marker = _marker(name)
            part = part.replace(escape(marker), escape(value)).replace(marker, value)
        if "\x00" in part:
            return _render(template, context)
        parts.append(part)
    return tuple(parts)


def send_templated_email(
    *, to: str, template: str, context: dict, headers=None, connection=None, merge=()
) -> None:
    """Render the template set (``render_email``) and send, over ``connection`` if given,
    else a connection of its own.

    Subjects must never carry clinical content; the templates are written to that rule.
    """
    subject, text, html = render_email(template, context, merge=merge)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    message.send()
