"""Sending email: one template set (subject, text, HTML) per message, discreet subjects."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

PARTS = ("_subject.txt", ".txt", ".html")


def render_email(template: str, context: dict) -> tuple[str, ...]:
    """(subject, text, HTML) of ``templates/emails/<template>_subject.txt``, ``.txt``, ``.html``."""
    context = {"site_url": settings.SITE_URL, **context}
    return tuple(render_to_string(f"emails/{template}{part}", context) for part in PARTS)


def send_rendered_email(
    *, to: str, parts: tuple[str, ...], headers=None, connection=None, message_class=None
) -> None:
    """Send (subject, text, HTML) to one address, over ``connection`` if given, else a
    connection of its own. Subjects must never carry clinical content; the templates are
    written to that rule."""
    subject, text, html = parts
    message = (message_class or EmailMultiAlternatives)(
        subject=" ".join(subject.split()),
        body=text,
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_templated_email(*, to: str, template: str, context: dict, headers=None, connection=None):
    """Render the template set (``render_email``) and send it."""
    send_rendered_email(
        to=to, parts=render_email(template, context), headers=headers, connection=connection
    )
