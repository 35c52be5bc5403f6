"""The text-message channel: only to clients who turned it on, gave a number and agreed to
the SMS consent in force, when the practice offers it; discreet text through the configured
backend."""

from types import SimpleNamespace

import pytest
from django.test import override_settings

from core.tenancy import practice_scope
from privacy.models import ConsentAction, ConsentKind
from reminders import channels
from reminders.channels.sms import sms_backend, sms_text
from reminders.messages import Message
from tests.privacy.factories import answer, publish

SMS = channels.get("sms")
ON = SimpleNamespace(sms=True)


def test_texts_need_the_practice_the_client_a_number_and_consent(world, scoped_a):
    client = world.client_a
    consent = publish(world.practice_a, ConsentKind.SMS)
    answer(client, consent)
    CLIENT = client
    wanted = SimpleNamespace(sms=True, phone="+44 7700 900123")
    assert SMS.client_address(client=CLIENT, policy=ON, preference=wanted) == wanted.phone
    off = SimpleNamespace(sms=False)
    assert SMS.client_address(client=CLIENT, policy=off, preference=wanted) is None
    assert SMS.client_address(client=CLIENT, policy=ON, preference=None) is None
    no_number = SimpleNamespace(sms=True, phone="")
    assert SMS.client_address(client=CLIENT, policy=ON, preference=no_number) is None


def test_no_text_without_a_current_sms_consent(world, scoped_a):
    client = world.client_a
    wanted = SimpleNamespace(sms=True, phone="+44 7700 900123")
    # The practice has published no SMS consent: nobody can have agreed to it.
    assert SMS.client_address(client=client, policy=ON, preference=wanted) is None
    first = publish(world.practice_a, ConsentKind.SMS)
    assert SMS.client_address(client=client, policy=ON, preference=wanted) is None
    answer(client, first)
    assert SMS.client_address(client=client, policy=ON, preference=wanted) == wanted.phone
    # Agreement in another practice does not count here.
    answer(world.client_b, publish(world.practice_b, ConsentKind.SMS))
    # Withdrawn: no more texts.
    answer(client, first, ConsentAction.WITHDRAWN)
    assert SMS.client_address(client=client, policy=ON, preference=wanted) is None
    answer(client, first)
    assert SMS.client_address(client=client, policy=ON, preference=wanted) == wanted.phone
    # A new version in force: agreement to the old one no longer counts.
    second = publish(world.practice_a, ConsentKind.SMS)
    assert SMS.client_address(client=client, policy=ON, preference=wanted) is None
    answer(client, second)
    assert SMS.client_address(client=client, policy=ON, preference=wanted) == wanted.phone


@pytest.fixture
def scoped_a(world):
    """The channel is asked inside the practice's task scope."""
    with practice_scope(world.practice_a):
        yield


def test_therapists_get_no_texts():
    assert SMS.staff_address(user=SimpleNamespace(email="t@x"), preference=ON) is None


class Recording:
    sent: list = []

    def send(self, *, to, text, idempotency_key):
        Recording.sent.append((to, text, idempotency_key))


@override_settings(SITE_URL="https://bridgework.test")
def test_a_text_says_only_that_there_is_something_and_where():
    message = Message(subject="S", title="A check-in is due", body="PHQ-9 inside", link="/p/")
    assert (
        sms_text(message)
        == "A check-in is due. Open Bridgework to see it. https://bridgework.test/p/"
    )


@override_settings(REMINDERS_SMS_BACKEND="tests.reminders.test_channel_sms.Recording")
def test_texts_go_through_the_configured_backend():
    sms_backend.cache_clear()
    try:
        message = Message(subject="S", title="A new step is ready", body="B", link="/p/")
        with SMS.session() as sender:
            sender.send(
                message=message, address="+1555", idempotency_key="r.sms", preferences_url=""
            )
    finally:
        sms_backend.cache_clear()
    ((to, text, key),) = Recording.sent
    assert (to, key) == ("+1555", "r.sms") and text.startswith("A new step is ready.")
