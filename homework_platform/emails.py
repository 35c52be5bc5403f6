"""Sending email: one template pair (text + HTML) per message, discreet subjects."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(
    *, to: str, template: str, context: dict, headers=None, connection=None
) -> None:
    """Render ``templates/emails/<template>_subject.txt``, ``.txt`` and ``.html`` and send
    (over ``connection`` if given, else a connection of its own).

    Subjects must never carry clinical content; the templates are written to that rule.
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    message.send()
