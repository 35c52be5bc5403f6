"""A week of homework between two sessions: one item done, one partly, one missed (with the
client's reason), for the homework-conversation tests."""

from datetime import date
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


def week_of_homework(world, acts, assign, submit, *, reason="too_hard") -> SimpleNamespace:
    """Travel through the week; the clock is left before the next session (callers travel to
    ``NEXT_SESSION``)."""
    therapist = therapist_of(world)
    with time_machine.travel(LAST_SESSION, tick=False):
        with practice_scope(world.practice_a):
            sessions.session_record(
                client=world.client_a, actor=therapist, held_on=date(2025, 6, 2)
            )
        done = assign(acts.phq9, starts_on=date(2025, 6, 3))
        partly = assign(
            acts.thought_record, schedule_kind="daily", repeat_days=2, starts_on=date(2025, 6, 3)
        )
        missed = assign(acts.mood_log, starts_on=date(2025, 6, 4), confidence=8)
    with scopes_disabled():
        done_occurrence = done.occurrences.get()
        partly_first = partly.occurrences.order_by("sequence").first()
        missed_occurrence = missed.occurrences.get()
    with time_machine.travel("2025-06-03 18:00:00+00:00", tick=False):
        submit(done_occurrence, phq9_answers())
        submit(partly_first, THOUGHT_RECORD_ANSWERS)
    reason_row = None
    if reason:
        with (
            time_machine.travel("2025-06-06 12:00:00+00:00", tick=False),
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
