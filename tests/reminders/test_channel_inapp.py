"""The in-app channel: the fallback, written with the reminder's status (once per reminder)."""

from types import SimpleNamespace

import pytest
import time_machine
from django_scopes import scopes_disabled

from reminders import channels
from reminders.models import Notification
from tests.reminders.test_engine import deliver, due_row  # noqa: F401

IN_APP = channels.get("in_app")
CLIENT = SimpleNamespace(email="")


def test_in_the_app_unless_the_client_turned_it_off():
    assert IN_APP.client_address(client=CLIENT, policy=None, preference=None) == ""
    on, off = SimpleNamespace(in_app=True), SimpleNamespace(in_app=False)
    assert IN_APP.client_address(client=CLIENT, policy=None, preference=on) == ""
    assert IN_APP.client_address(client=CLIENT, policy=None, preference=off) is None
    assert IN_APP.staff_address(user=None, preference=None) == ""
    assert (IN_APP.external, IN_APP.interrupts, IN_APP.fallback) == (False, False, True)


@pytest.mark.django_db
def test_recording_twice_writes_one_notification(world, due_row):  # noqa: F811
    with time_machine.travel(due_row.due_at, tick=False):
        deliver(due_row)
    with scopes_disabled():
        (notification,) = Notification.objects.filter(reminder=due_row)
        plan = SimpleNamespace(
            reminder=due_row,
            message=SimpleNamespace(title="Again", body="b", signed_in_body="", link="/"),
        )
        IN_APP.record([plan])
        assert list(Notification.objects.filter(reminder=due_row)) == [notification]
        assert notification.title == "Something is due soon"
