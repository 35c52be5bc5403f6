"""The demo data: homework in every state, and seeding twice changes nothing."""

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from assignments.models import AdherenceEvent, Assignment, Flag, Occurrence, State
from homework_platform.demo import seed

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_state_and_is_idempotent():
    seed()
    with scopes_disabled():
        counts = (Assignment.objects.count(), AdherenceEvent.objects.count())
        now = timezone.now()
        states = {o.state(now) for o in Occurrence.objects.select_related("assignment")}
        assert Flag.objects.filter(acknowledged_at=None).exists()
        assert Assignment.objects.filter(status="cancelled").exists()
    assert {
        State.ASSIGNED,
        State.OPENED,
        State.IN_PROGRESS,
        State.SUBMITTED,
        State.LATE,
        State.REVIEWED,
        State.MISSED,
    } <= states
    seed()
    with scopes_disabled():
        assert (Assignment.objects.count(), AdherenceEvent.objects.count()) == counts
