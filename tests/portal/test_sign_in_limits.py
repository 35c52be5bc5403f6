"""Client sign-in limits and emails sent by the worker.

Codes and sign-in emails are limited per address typed and per client IP address, known
address or not, so being paused tells nothing. The email is sent by a Celery task after the
commit: the request itself sends nothing, and answers the same whether or not the address
belongs to a client.
"""

import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import ClientLoginToken
from clients.tasks import send_login_email
from core.tenancy import PORTAL_SESSION_KEY
from tests.factories import ClientFactory, portal_user_for

pytestmark = pytest.mark.django_db

SIGN_IN = "/portal/sign-in/"
CODE = "/portal/sign-in/code/"
PAUSED = "paused them for a while"
REQUESTS_PER_EMAIL, _ = settings.CLIENT_SIGN_IN_LIMITS["request"]["email"]
REQUESTS_PER_IP, _ = settings.CLIENT_SIGN_IN_LIMITS["request"]["ip"]
CODES_PER_EMAIL, CODE_EMAIL_WINDOW = settings.CLIENT_SIGN_IN_LIMITS["code"]["email"]
CODES_PER_IP, _ = settings.CLIENT_SIGN_IN_LIMITS["code"]["ip"]


@pytest.fixture
def ivy(world):
    client = ClientFactory(
        practice=world.practice_a,
        primary_therapist=world.therapist_a,
        full_name="Ivy Invited",
        email="ivy@example.test",
    )
    portal_user_for(client)
    return client


def code_in(message):
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def link_in(message):
    return re.search(r"https?://[^/]+(/portal/sign-in/link/[\w-]+/)", message.body).group(1)


def ask_for_email(web, ivy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        web().post(SIGN_IN, {"email": "ivy@example.test"})
    return mail.outbox[-1]


def page_without(response, email):
    """The page, with the address typed and the browser's own CSRF token blanked out."""
    html = response.content.decode().replace(email, "EMAIL")
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF", html)


# --- Emails are sent by the worker ------------------------------------------------------------


def test_the_request_sends_nothing_and_queues_the_email_after_commit(
    web, ivy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as known_callbacks:
        known = web().post(SIGN_IN, {"email": "ivy@example.test"})
    assert mail.outbox == []  # nothing went out inside the request
    with django_capture_on_commit_callbacks() as unknown_callbacks:
        unknown = web().post(SIGN_IN, {"email": "nobody@example.test"})
    assert mail.outbox == []

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == CODE
    assert known.content == unknown.content
    # The only difference: one task queued, to run once the transaction has committed.
    assert len(known_callbacks) == 1 and unknown_callbacks == []

    known_callbacks[0]()  # the commit: the (eager) task runs and sends
    assert [m.to for m in mail.outbox] == [["ivy@example.test"]]
    browser = web()
    response = browser.post(CODE, {"email": "ivy@example.test", "code": code_in(mail.outbox[0])})
    assert response.status_code == 302
    assert browser.session[PORTAL_SESSION_KEY] == str(ivy.pk)


def test_the_queued_task_carries_only_ids(web, ivy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        web().post(SIGN_IN, {"email": "ivy@example.test"})
    with scopes_disabled():
        row = ClientLoginToken.objects.get(client=ivy)
    assert row.emailed_at is None
    (queued,) = callbacks  # delay_on_commit: functools.partial(task.delay, **kwargs)
    assert queued.func == send_login_email.delay
    assert queued.args == ()
    assert queued.keywords == {"token_id": str(row.pk), "practice_id": str(ivy.practice_id)}


def test_a_token_is_emailed_once_even_if_the_task_runs_again(
    web, ivy, django_capture_on_commit_callbacks
):
    ask_for_email(web, ivy, django_capture_on_commit_callbacks)
    with scopes_disabled():
        row = ClientLoginToken.objects.get(client=ivy)
    assert row.emailed_at is not None
    # A redelivered task (late acknowledgement, a worker killed after sending).
    assert send_login_email.delay(token_id=str(row.pk), practice_id=str(ivy.practice_id)).get() is (
        False
    )
    assert len(mail.outbox) == 1
    link_works = web().post(link_in(mail.outbox[0]))
    assert link_works.status_code == 302


def test_nothing_is_sent_for_a_client_discharged_before_the_worker_ran(
    web, ivy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        web().post(SIGN_IN, {"email": "ivy@example.test"})
    with scopes_disabled():
        ivy.status = "discharged"
        ivy.save()
    callbacks[0]()
    assert mail.outbox == []


def test_the_link_lasts_its_minutes_from_the_send_not_from_the_request(
    web, ivy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        web().post(SIGN_IN, {"email": "ivy@example.test"})
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=10)):
        callbacks[0]()  # a busy queue: sent ten minutes later
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=20)):
        response = web().post(link_in(mail.outbox[0]))
    assert response.status_code == 302


def test_a_row_waiting_for_the_worker_cannot_be_used(web, ivy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        web().post(SIGN_IN, {"email": "ivy@example.test"})
    for code in ("000000", "123456"):
        response = web().post(CODE, {"email": "ivy@example.test", "code": code})
        assert response.status_code == 400


def test_the_portal_invitation_is_sent_by_the_worker_too(
    web, world, django_capture_on_commit_callbacks
):
    client = ClientFactory(
        practice=world.practice_a, primary_therapist=world.therapist_a, email="new@example.test"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = web(world.therapist_a).post(f"/clients/{client.pk}/invite/")
    assert response.status_code == 302
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["new@example.test"]]
    assert "private space" in mail.outbox[0].body  # the invitation, not the sign-in email
    browser = web()
    assert browser.post(link_in(mail.outbox[0])).status_code == 302


# --- Code attempts ----------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["ivy@example.test", "nobody@example.test"])
def test_code_attempts_per_address_are_limited_the_same_for_known_and_unknown(
    web, ivy, django_capture_on_commit_callbacks, email
):
    browser = web()
    # Fresh codes do not buy more guesses: only so many tries per address in the window.
    answers = []
    for _ in range(CODES_PER_EMAIL):
        answers.append(browser.post(CODE, {"email": email, "code": "000000"}).status_code)
    assert answers == [400] * CODES_PER_EMAIL
    message = ask_for_email(web, ivy, django_capture_on_commit_callbacks)
    response = browser.post(CODE, {"email": email, "code": code_in(message)})
    assert response.status_code == 429
    html = response.content.decode()
    assert PAUSED in html and 'role="alert"' in html
    assert 'name="code"' in html and f'value="{email}"' in html  # the form, as typed
    assert PORTAL_SESSION_KEY not in browser.session
    # Another address from elsewhere is not affected.
    other = web().post(
        CODE, {"email": "other@example.test", "code": "000000"}, REMOTE_ADDR="10.1.1.1"
    )
    assert other.status_code == 400


def test_the_pause_reads_the_same_for_known_and_unknown_addresses(web, ivy):
    pages = {}
    for email, address in (("ivy@example.test", "10.0.0.1"), ("nobody@example.test", "10.0.0.2")):
        for _ in range(CODES_PER_EMAIL + 1):
            response = web().post(CODE, {"email": email, "code": "000000"}, REMOTE_ADDR=address)
        pages[email] = (response.status_code, page_without(response, email))
    assert pages["ivy@example.test"] == pages["nobody@example.test"]
    assert pages["ivy@example.test"][0] == 429


def test_code_attempts_per_address_start_again_after_the_window(
    web, ivy, django_capture_on_commit_callbacks
):
    for _ in range(CODES_PER_EMAIL + 1):
        web().post(CODE, {"email": "ivy@example.test", "code": "000000"})
    later = timezone.now() + timezone.timedelta(seconds=CODE_EMAIL_WINDOW + 60)
    with time_machine.travel(later):
        message = ask_for_email(web, ivy, django_capture_on_commit_callbacks)
        browser = web()
        response = browser.post(CODE, {"email": "ivy@example.test", "code": code_in(message)})
    assert response.status_code == 302


def test_code_attempts_from_one_ip_address_are_limited_across_addresses(web):
    answers = [
        web().post(CODE, {"email": f"guess{n}@example.test", "code": "000000"}).status_code
        for n in range(CODES_PER_IP + 1)
    ]
    assert answers == [400] * CODES_PER_IP + [429]
    elsewhere = web().post(
        CODE, {"email": "guess0@example.test", "code": "000000"}, REMOTE_ADDR="10.9.9.9"
    )
    assert elsewhere.status_code == 400


def test_a_forwarded_for_header_does_not_make_a_new_ip_address(web):
    for n in range(CODES_PER_IP):
        web().post(
            CODE,
            {"email": f"guess{n}@example.test", "code": "000000"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = web().post(
        CODE,
        {"email": "fresh@example.test", "code": "000000"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429


def test_a_malformed_code_is_not_counted(web):
    for _ in range(CODES_PER_EMAIL + 1):
        response = web().post(CODE, {"email": "ivy@example.test", "code": "12"})
        assert response.status_code == 400
    response = web().post(CODE, {"email": "ivy@example.test", "code": "000000"})
    assert response.status_code == 400 and "did not work" in response.content.decode()


# --- Asking for sign-in emails ----------------------------------------------------------------


def test_sign_in_emails_per_address_are_limited_the_same_for_known_and_unknown(
    web, ivy, django_capture_on_commit_callbacks
):
    pages = {}
    for email, address in (("ivy@example.test", "10.0.0.1"), ("nobody@example.test", "10.0.0.2")):
        with django_capture_on_commit_callbacks(execute=True):
            answers = [
                web().post(SIGN_IN, {"email": email}, REMOTE_ADDR=address).status_code
                for _ in range(REQUESTS_PER_EMAIL)
            ]
            paused = web().post(SIGN_IN, {"email": email}, REMOTE_ADDR=address)
        assert answers == [302] * REQUESTS_PER_EMAIL
        pages[email] = (paused.status_code, page_without(paused, email))
    assert pages["ivy@example.test"] == pages["nobody@example.test"]
    status, html = pages["ivy@example.test"]
    assert status == 429
    assert PAUSED in html and 'name="email"' in html and 'value="EMAIL"' in html
    assert len(mail.outbox) == REQUESTS_PER_EMAIL  # only the ones that were not paused


def test_sign_in_emails_from_one_ip_address_are_limited_across_addresses(
    web, ivy, django_capture_on_commit_callbacks
):
    for n in range(REQUESTS_PER_IP):
        assert web().post(SIGN_IN, {"email": f"someone{n}@example.test"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        paused = web().post(SIGN_IN, {"email": "ivy@example.test"})
    assert paused.status_code == 429
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere = web().post(SIGN_IN, {"email": "ivy@example.test"}, REMOTE_ADDR="10.2.2.2")
    assert elsewhere.status_code == 302
    assert [m.to for m in mail.outbox] == [["ivy@example.test"]]
