"""The email channel: who it reaches, the addresses it holds back, and one mail session for a
task's messages."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import override_settings

from reminders import channels
from reminders.messages import Message
from reminders.models import EmailBounce
from tests.reminders.backends import SessionBackend

EMAIL = channels.get("email")
POLICY = SimpleNamespace(email=True)
CLIENT = SimpleNamespace(email="ana@example.com")


def test_email_reaches_a_client_with_an_address_unless_turned_off():
    assert EMAIL.client_address(client=CLIENT, policy=POLICY, preference=None) == CLIENT.email
    off = SimpleNamespace(email=False)
    assert EMAIL.client_address(client=CLIENT, policy=POLICY, preference=off) is None
    assert EMAIL.client_address(client=CLIENT, policy=off, preference=None) is None
    nobody = SimpleNamespace(email="")
    assert EMAIL.client_address(client=nobody, policy=POLICY, preference=None) is None


def test_email_reaches_a_therapist_who_wants_copies():
    user = SimpleNamespace(email="t@example.com")
    assert EMAIL.staff_address(user=user, preference=SimpleNamespace(email=True)) == user.email
    assert EMAIL.staff_address(user=user, preference=SimpleNamespace(email=False)) is None


@pytest.mark.django_db
def test_bouncing_addresses_are_held_whatever_the_case_the_client_typed(world, unscoped):
    EmailBounce.objects.create(practice=world.practice_a, email="bounce@example.com")
    EmailBounce.objects.create(
        practice=world.practice_a, email="old@example.com", cleared_at="2025-01-01T00:00Z"
    )
    reminders = [
        SimpleNamespace(client_id=1, client=SimpleNamespace(email=e), for_staff=False)
        for e in ("Bounce@Example.com", "old@example.com", "fine@example.com")
    ]
    assert EMAIL.held_addresses(reminders) == {
        "bounce@example.com": "Email address is bouncing: shown in the app only."
    }


@override_settings(EMAIL_BACKEND="tests.reminders.backends.SessionBackend")
def test_one_session_carries_a_task_s_messages_with_the_idempotency_key():
    SessionBackend.sessions = 0
    message = Message(subject="Hello", title="A new step is ready", body="Body.", link="/p/")
    with EMAIL.session() as sender:
        for key in ("r1.email", "r2.email"):
            sender.send(
                message=message,
                address=f"{key}@example.com",
                idempotency_key=key,
                preferences_url="https://bridgework.test/prefs/",
            )
    assert SessionBackend.sessions == 1
    assert [m.extra_headers["X-Bridgework-Delivery"] for m in mail.outbox] == [
        "r1.email",
        "r2.email",
    ]
    assert mail.outbox[0].extra_headers["List-Unsubscribe"] == "<https://bridgework.test/prefs/>"
