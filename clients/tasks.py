"""Celery tasks for client sign-in. Thin: they take ids and call a service.

Sign-in emails are sent here, not in the request, so how long a sign-in page takes to answer
does not tell whether an address belongs to a client.
"""

from smtplib import SMTPException

from celery import shared_task

from clients.services import client_login_email_send
from core.tasks import TenantTask

# A mail server that is down or refuses for a moment: try again a few times, sooner than the
# link would expire (the link's minutes count from the send that succeeds).
_RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 10,
    "retry_backoff_max": 120,
    "max_retries": 5,
}


@shared_task(name="clients.send_login_email", base=TenantTask, acks_late=True, **_RETRY)
def send_login_email(*, token_id: str, practice_id: str) -> bool:
    return client_login_email_send(token_id=token_id, template="client_login")


@shared_task(name="clients.send_invitation_email", base=TenantTask, acks_late=True, **_RETRY)
def send_invitation_email(*, token_id: str, practice_id: str) -> bool:
    return client_login_email_send(token_id=token_id, template="client_invitation")
