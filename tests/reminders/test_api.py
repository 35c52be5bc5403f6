"""The notifications API: a therapist's own notifications, mark read, mark all read."""

import pytest
from django_scopes import scopes_disabled

from reminders.models import Notification
from tests.reminders.test_views import make_notifications

pytestmark = pytest.mark.django_db


def test_a_therapist_lists_and_reads_their_notifications(world, web):
    first, _ = make_notifications(world.client_a, user=world.therapist_a, count=2)
    make_notifications(world.client_a, user=world.colleague_a, title="Not mine")
    api = web(world.therapist_a)
    listing = api.get("/api/v1/notifications/").json()
    assert listing["count"] == 2
    assert "Not mine" not in str(listing)
    assert api.get("/api/v1/notifications/?unread=1").json()["count"] == 2
    read = api.post(f"/api/v1/notifications/{first.pk}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert api.get("/api/v1/notifications/?unread=1").json()["count"] == 1
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    with scopes_disabled():
        assert not Notification.objects.filter(recipient_user=world.therapist_a, read_at=None)
    assert api.get(f"/api/v1/notifications/{first.pk}/")["Cache-Control"].startswith("no-store")


def test_a_colleagues_or_other_practices_notification_is_404(world, web):
    (theirs,) = make_notifications(world.client_a, user=world.colleague_a)
    (other,) = make_notifications(world.client_b, user=world.therapist_b)
    api = web(world.therapist_a)
    for note in (theirs, other):
        assert api.get(f"/api/v1/notifications/{note.pk}/").status_code == 404
        assert api.post(f"/api/v1/notifications/{note.pk}/read/").status_code == 404


def test_clients_have_no_notifications_api(world, portal):
    assert portal(world.client_a).get("/api/v1/notifications/").status_code == 403
