"""The demo seed adds a few notifications, once."""

import pytest
from django_scopes import scopes_disabled

from homework_platform import demo
from reminders.models import Notification

pytestmark = pytest.mark.django_db


def test_seeding_twice_adds_the_notifications_once():
    demo.seed()
    with scopes_disabled():
        first = Notification.objects.count()
    demo.seed()
    with scopes_disabled():
        assert Notification.objects.count() == first > 0
