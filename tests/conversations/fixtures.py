"""A week of homework between two sessions: one item done, one partly, one missed (with the
client's reason), for the homework-conversation tests."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import time_machine
from django_scopes import scopes_disabled

from assignments.services import sessions
from conversations.services import reasons
from core.tenancy import practice_scope
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of, phq9_answers

# Monday 2 June 2025 (London, summer time): the last session. The next is Monday 9 June.
LAST_SESSION = "2025-06-02 08:00:00+00:00"
NEXT_SESSION = "2025-06-09 09:00:00+00:00"


def therapist_of(world):
    return membership_of(world.practice_a, world.therapist_a)


def week_of_homework(
    world, acts, assign, submit, *, reason="too_hard", last_session: datetime | None = None
) -> SimpleNamespace:
    """Travel through the week after ``last_session`` (08:00 UTC on Monday 2 June 2025 by
    default): the session is recorded, three items assigned; the next day one is sent, and
    one of the two days of another; two days later the client says why the third was not
    done. The clock is left as it was (callers travel to the next session)."""
    therapist = therapist_of(world)
    start = last_session or datetime.fromisoformat(LAST_SESSION)
    day = start.date()
    # The clock ticks so the three are created one after another (the review lists them in
    # that order).
    with time_machine.travel(start, tick=True):
        with practice_scope(world.practice_a):
            sessions.session_record(client=world.client_a, actor=therapist, held_on=day)
        done = assign(acts.phq9, starts_on=day + timedelta(days=1))
        partly = assign(
            acts.thought_record,
            schedule_kind="daily",
            repeat_days=2,
            starts_on=day + timedelta(days=1),
        )
        missed = assign(acts.mood_log, starts_on=day + timedelta(days=2), confidence=8)
    with scopes_disabled():
        done_occurrence = done.occurrences.get()
        partly_first = partly.occurrences.order_by("sequence").first()
        missed_occurrence = missed.occurrences.get()
    with time_machine.travel(start + timedelta(days=1, hours=10), tick=False):
        submit(done_occurrence, phq9_answers())
        submit(partly_first, THOUGHT_RECORD_ANSWERS)
    reason_row = None
    if reason:
        with (
            time_machine.travel(start + timedelta(days=4, hours=4), tick=False),
            practice_scope(world.practice_a),
        ):
            reason_row = reasons.missed_reason_give(
                occurrence=missed_occurrence, client=world.client_a, reason=reason
            )
    return SimpleNamespace(
        therapist=therapist,
        done=done,
        partly=partly,
        missed=missed,
        missed_occurrence=missed_occurrence,
        reason=reason_row,
    )
