"""The channel registry (``reminders.channels``), and that a new channel is a module: one
registered here reaches clients through the engine, journalled and sent once, with no change
to the engine."""

import pytest
import time_machine
from django.core import mail
from django_scopes import scopes_disabled

from reminders import channels
from reminders.models import Delivery, DeliveryStatus, Status
from tests.reminders.test_engine import deliver, deliveries, due_row, refreshed  # noqa: F401


def test_the_channels_in_order():
    assert channels.choices() == [
        ("email", "Email"),
        ("in_app", "In the app"),
        ("sms", "Text message"),
    ]
    assert [channel.name for channel in channels.external()] == ["email", "sms"]
    assert channels.fallback().name == "in_app"
    assert channels.interrupting_names() == ("email", "sms")


def test_the_journal_offers_the_registered_channels():
    assert Delivery._meta.get_field("channel").choices == channels.choices()


def test_two_channels_cannot_share_a_name():
    with pytest.raises(ValueError, match="email"):
        type("Again", (channels.ReminderChannel,), {"name": "email"})


@pytest.fixture
def pager():
    """A channel added for one test: registered as a module's class is, then taken out of the
    registry again (the other tests see the real channels only)."""
    sent = []

    class Pager(channels.ReminderChannel):
        name = "pager"
        label = "Pager"
        order = 99

        def client_address(self, *, client, policy, preference):
            return "pager-7"

        def send(self, *, message, address, idempotency_key, preferences_url):
            sent.append((address, idempotency_key, message.title))

    channels._registry.cache_clear()  # built again with the new class in it
    yield sent
    del channels._REGISTRY["pager"]
    channels._registry.cache_clear()


@pytest.mark.django_db
def test_a_new_channel_is_journalled_and_sent_once(world, due_row, pager):  # noqa: F811
    with time_machine.travel(due_row.due_at, tick=False):
        assert deliver(due_row) == {"sent": 1}
        assert deliver(due_row) == {}
    assert pager == [("pager-7", f"{due_row.pk}.pager", "Something is due soon")]
    assert len(mail.outbox) == 1
    with scopes_disabled():
        journal = {d.channel: (d.status, d.get_channel_display()) for d in deliveries(due_row)}
    assert journal == {"email": (DeliveryStatus.SENT, "Email"), "pager": ("sent", "Pager")}
    assert refreshed(due_row).status == Status.SENT
