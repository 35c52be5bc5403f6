"""Assigning, completing, revising, reviewing and the adherence log, through the services."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from assignments.models import (
    AdherenceEvent,
    Draft,
    EventKind,
    Flag,
    OccurrenceStatus,
    Response,
    ResponseRevision,
    State,
)
from assignments.services import assigning, completing, missed, reviewing, sessions
from assignments.signals import flag_raised
from clients.models import ClientStatus
from core.tenancy import practice_scope
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of, phq9_answers

pytestmark = pytest.mark.django_db

# A Monday morning in London; every test that needs "now" runs here.
MONDAY = "2025-06-02 08:00:00+00:00"


def _occurrences(assignment):
    with scopes_disabled():
        return list(assignment.occurrences.order_by("sequence"))


def _events(assignment):
    with scopes_disabled():
        return list(
            AdherenceEvent.objects.filter(assignment=assignment)
            .order_by("at", "created_at")
            .values_list("kind", flat=True)
        )


@time_machine.travel(MONDAY, tick=False)
def test_assigning_once_pins_the_version_and_prefills_the_rationale(world, acts, assign):
    assignment = assign(acts.thought_record, obstacles="Too tired after work", confidence=7)
    assert assignment.activity_version == acts.thought_record
    assert assignment.rationale == acts.thought_record.rationale
    assert assignment.instruction_steps == acts.thought_record.instructions
    (occurrence,) = _occurrences(assignment)
    assert occurrence.local_date == date(2025, 6, 2)
    # 21:00 in London in summer is 20:00 UTC.
    assert occurrence.due_at == datetime(2025, 6, 2, 20, 0, tzinfo=UTC)
    assert occurrence.state() == State.ASSIGNED
    assert _events(assignment) == [EventKind.ASSIGNED]


@time_machine.travel(MONDAY, tick=False)
def test_assigning_refuses_discharged_clients_other_practices_and_past_times(world, acts, assign):
    with pytest.raises(ValidationError) as error:
        assign(acts.thought_record_b)
    assert "activity_version" in error.value.message_dict
    with pytest.raises(ValidationError) as error:  # 07:00 today has passed (it is 09:00)
        assign(acts.thought_record, starts_on=date(2025, 6, 2), due_time=time(7, 0))
    assert "due_time" in error.value.message_dict
    # Without a date, the first day whose 07:00 is still ahead: tomorrow.
    tomorrow = assign(acts.thought_record, due_time=time(7, 0))
    assert [o.local_date for o in _occurrences(tomorrow)] == [date(2025, 6, 3)]
    with pytest.raises(ValidationError) as error:
        assign(acts.thought_record, starts_on=date(2025, 6, 1))
    assert "starts_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        assign(acts.thought_record, rationale="  ")
    assert "rationale" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        assign(acts.thought_record, schedule_kind="weekdays", weekdays=[], weeks=2)
    assert "weekdays" in error.value.message_dict
    with scopes_disabled():
        world.client_a.status = ClientStatus.DISCHARGED
        world.client_a.save()
    with pytest.raises(ValidationError) as error:
        assign(acts.thought_record)
    assert "discharged" in error.value.message_dict["client"][0]


@time_machine.travel(MONDAY, tick=True)  # events in order of time
def test_submitting_is_idempotent_and_records_state_changes(world, acts, assign, submit):
    assignment = assign(acts.thought_record)
    (occurrence,) = _occurrences(assignment)
    key = uuid.uuid4()
    first = submit(occurrence, THOUGHT_RECORD_ANSWERS, key=key)
    again = submit(occurrence, THOUGHT_RECORD_ANSWERS, key=key)
    assert first.pk == again.pk
    with scopes_disabled():
        assert Response.objects.filter(occurrence=occurrence).count() == 1
        revision = first.current_revision
        assert revision.number == 1
        assert revision.answers["balanced_belief"] == 70
        occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.SUBMITTED
    assert occurrence.state() == State.SUBMITTED
    assert _events(assignment) == [EventKind.ASSIGNED, EventKind.SUBMITTED]


@time_machine.travel(MONDAY, tick=False)
def test_invalid_answers_are_refused_with_paths_and_nothing_is_saved(world, acts, assign, submit):
    assignment = assign(acts.thought_record)
    (occurrence,) = _occurrences(assignment)
    answers = dict(THOUGHT_RECORD_ANSWERS, balanced_belief=130)
    answers["thoughts"] = [{"thought": "", "belief": 50}]
    with pytest.raises(completing.AnswersInvalid) as error:
        submit(occurrence, answers)
    paths = {issue.path for issue in error.value.issues}
    assert {"balanced_belief", "thoughts[0].thought"} <= paths
    assert "answers.balanced_belief" in error.value.message_dict
    with scopes_disabled():
        assert not Response.objects.exists()
        assert not ResponseRevision.objects.exists()
        occurrence.refresh_from_db()
    assert occurrence.submitted_at is None


@time_machine.travel(MONDAY, tick=False)
def test_single_entry_activities_take_one_entry_log_types_take_several(world, acts, assign, submit):
    single = assign(acts.phq9)
    (occurrence,) = _occurrences(single)
    submit(occurrence, phq9_answers())
    with pytest.raises(ValidationError, match="already sent"):
        submit(occurrence, phq9_answers())
    log = assign(acts.thought_record)
    (log_occurrence,) = _occurrences(log)
    submit(log_occurrence, THOUGHT_RECORD_ANSWERS)
    second = submit(log_occurrence, THOUGHT_RECORD_ANSWERS)
    assert second.entry_number == 2


@time_machine.travel(MONDAY, tick=True)  # events in order of time
def test_an_edit_is_a_new_revision_and_old_answers_never_change(world, acts, assign, submit):
    assignment = assign(acts.thought_record)
    (occurrence,) = _occurrences(assignment)
    response = submit(occurrence, THOUGHT_RECORD_ANSWERS)
    edited = dict(THOUGHT_RECORD_ANSWERS, balanced_belief=80)
    with practice_scope(world.practice_a):
        revision = completing.response_revise(
            response=response, client=world.client_a, answers=edited, submission_key=uuid.uuid4()
        )
    with scopes_disabled():
        response.refresh_from_db()
        first = ResponseRevision.objects.get(response=response, number=1)
        assert response.current_revision == revision
        assert response.revision_count == 2
        assert first.answers["balanced_belief"] == 70
        assert revision.answers["balanced_belief"] == 80
        first.answers["balanced_belief"] = 1
        with pytest.raises(PermissionError):
            first.save()
    assert _events(assignment)[-1] == EventKind.REVISED


@time_machine.travel(MONDAY, tick=False)
def test_phq9_item9_raises_a_flag_and_sends_the_signal(
    world, acts, assign, submit, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, signal, **kwargs):
        received.append(kwargs)

    flag_raised.connect(receiver)
    try:
        (occurrence,) = _occurrences(assign(acts.phq9))
        with django_capture_on_commit_callbacks(execute=True):
            response = submit(occurrence, phq9_answers(item9="2"))
    finally:
        flag_raised.disconnect(receiver)
    with scopes_disabled():
        flag = Flag.objects.get()
        assert flag.response == response
        assert flag.field_id == "q9"
        assert response.current_revision.score_total == 10
        assert response.current_revision.band_label == "Moderate"
    assert received == [
        {"flag_id": flag.pk, "practice_id": world.practice_a.pk, "client_id": world.client_a.pk}
    ]


@time_machine.travel(MONDAY, tick=True)  # events in order of time
def test_a_draft_is_validated_saved_and_marks_the_occurrence_started(world, acts, assign):
    assignment = assign(acts.thought_record)
    (occurrence,) = _occurrences(assignment)
    with practice_scope(world.practice_a):
        completing.occurrence_open(occurrence=occurrence, client=world.client_a)
        with pytest.raises(completing.AnswersInvalid):
            completing.draft_save(
                occurrence=occurrence, client=world.client_a, answers={"balanced_belief": 300}
            )
        completing.draft_save(
            occurrence=occurrence, client=world.client_a, answers={"situation": "At work"}
        )
        completing.draft_save(
            occurrence=occurrence, client=world.client_a, answers={"situation": "At work, 3pm"}
        )
    with scopes_disabled():
        assert Draft.objects.get().answers == {"situation": "At work, 3pm"}
        occurrence.refresh_from_db()
    assert occurrence.state() == State.IN_PROGRESS
    assert _events(assignment) == [EventKind.ASSIGNED, EventKind.OPENED, EventKind.STARTED]


@time_machine.travel(MONDAY, tick=False)
def test_cancelling_keeps_what_was_sent_and_refuses_new_entries(world, acts, assign, submit):
    assignment = assign(acts.thought_record, schedule_kind="daily", repeat_days=3)
    first, second, _third = _occurrences(assignment)
    submit(first, THOUGHT_RECORD_ANSWERS)
    with practice_scope(world.practice_a):
        assigning.assignment_cancel(
            assignment=assignment, actor=membership_of(world.practice_a, world.therapist_a)
        )
    with scopes_disabled():
        statuses = [o.status for o in assignment.occurrences.order_by("sequence")]
    assert statuses == ["submitted", "cancelled", "cancelled"]
    with pytest.raises(ValidationError, match="cancelled"):
        submit(second, THOUGHT_RECORD_ANSWERS)
    with scopes_disabled():
        assert Response.objects.count() == 1


@time_machine.travel(MONDAY, tick=True)  # events in order of time
def test_rescheduling_replaces_only_untouched_future_occurrences(world, acts, assign, submit):
    assignment = assign(acts.thought_record, schedule_kind="daily", repeat_days=3)
    first, second, _ = _occurrences(assignment)
    submit(first, THOUGHT_RECORD_ANSWERS)
    with practice_scope(world.practice_a):
        completing.occurrence_open(occurrence=second, client=world.client_a)
        assigning.assignment_update(
            assignment=assignment,
            actor=membership_of(world.practice_a, world.therapist_a),
            repeat_days=5,
            due_time=time(20, 0),
            rationale="Practising daily builds the habit.",
        )
    occurrences = _occurrences(assignment)
    assert [o.local_date.day for o in occurrences] == [2, 3, 4, 5, 6]
    assert [o.sequence for o in occurrences] == [1, 2, 3, 4, 5]
    assert occurrences[0].submitted_at is not None
    assert occurrences[1].opened_at is not None
    assert occurrences[2].due_at.hour == 19  # 20:00 BST
    assert _events(assignment)[-1] == EventKind.EDITED


@time_machine.travel(MONDAY, tick=False)
def test_review_marks_reviewed_and_needs_a_submission(world, acts, assign, submit):
    (occurrence,) = _occurrences(assign(acts.thought_record))
    therapist = membership_of(world.practice_a, world.therapist_a)
    with practice_scope(world.practice_a), pytest.raises(ValidationError, match="nothing"):
        reviewing.occurrence_review(occurrence=occurrence, actor=therapist)
    submit(occurrence, THOUGHT_RECORD_ANSWERS)
    with practice_scope(world.practice_a):
        review = reviewing.occurrence_review(
            occurrence=occurrence,
            actor=therapist,
            comment="Great catch of the hot thought.",
            rating=8,
        )
    with scopes_disabled():
        occurrence.refresh_from_db()
    assert review.reviewer == world.therapist_a
    assert occurrence.state() == State.REVIEWED


def test_missed_is_computed_from_the_clock_and_recorded_by_the_sweeper(world, acts, assign, submit):
    with time_machine.travel(MONDAY, tick=False):
        assignment = assign(acts.thought_record, schedule_kind="daily", repeat_days=3)
        first, second, _third = _occurrences(assignment)
    # Tuesday 08:00 UTC (09:00 BST): Monday's 21:00 is past, but the grace runs to 09:00 BST.
    with time_machine.travel("2025-06-03 07:59:00+00:00", tick=False):
        assert first.state() == State.OVERDUE
        assert missed.occurrences_mark_missed() == 0
    with time_machine.travel("2025-06-03 08:00:00+00:00", tick=False):
        assert first.state() == State.MISSED
        submit(second, THOUGHT_RECORD_ANSWERS)
        assert missed.occurrences_mark_missed() == 1
        assert missed.occurrences_mark_missed() == 0
    with scopes_disabled():
        first.refresh_from_db()
    assert first.status == OccurrenceStatus.MISSED
    assert _events(assignment).count(EventKind.MISSED) == 1
    # A late entry is still welcome: it is "late", not "missed".
    with time_machine.travel("2025-06-03 12:00:00+00:00", tick=False):
        submit(first, THOUGHT_RECORD_ANSWERS)
    with scopes_disabled():
        first.refresh_from_db()
    assert first.state() == State.LATE


@time_machine.travel(MONDAY, tick=False)
def test_the_adherence_log_is_append_only(world, acts, assign):
    assignment = assign(acts.thought_record)
    with scopes_disabled():
        event = AdherenceEvent.objects.get(assignment=assignment)
        event.kind = EventKind.REVIEWED
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            AdherenceEvent.objects.filter(pk=event.pk).update(kind="reviewed")


# The clock ticks: with it frozen, every event had one timestamp and PostgreSQL returned ties in
# any order (the log is ordered by time).
@time_machine.travel(MONDAY, tick=True)
def test_checkin_is_recorded_once_and_questions_make_a_thread(world, acts, assign, submit):
    assignment = assign(acts.thought_record)
    (occurrence,) = _occurrences(assignment)
    response = submit(occurrence, THOUGHT_RECORD_ANSWERS)
    with practice_scope(world.practice_a):
        with pytest.raises(ValidationError):
            completing.checkin_record(response=response, client=world.client_a, helpful=11)
        checkin = completing.checkin_record(
            response=response, client=world.client_a, helpful=7, difficulty=4, minutes_spent=15
        )
        again = completing.checkin_record(response=response, client=world.client_a, helpful=1)
        reviewing.message_post(
            assignment=assignment, client=world.client_a, body="Can I do it on paper?"
        )
        reviewing.message_post(
            assignment=assignment,
            actor=membership_of(world.practice_a, world.therapist_a),
            body="Yes — bring it next session.",
        )
    assert again.pk == checkin.pk and again.helpful == 7
    assert _events(assignment)[-3:] == [
        EventKind.CHECKED_IN,
        EventKind.QUESTION_ASKED,
        EventKind.QUESTION_ANSWERED,
    ]


@time_machine.travel(MONDAY, tick=False)
def test_client_decides_visibility_needs_a_choice(world, acts, assign, submit):
    assignment = assign(acts.thought_record, visibility="client_decides")
    (occurrence,) = _occurrences(assignment)
    with pytest.raises(ValidationError) as error:
        submit(occurrence, THOUGHT_RECORD_ANSWERS)
    assert "share_with_therapist" in error.value.message_dict
    private = submit(occurrence, THOUGHT_RECORD_ANSWERS, share_with_therapist=False)
    assert private.shared_with_therapist is False
    hidden = assign(acts.thought_record, visibility="client_only")
    (hidden_occurrence,) = _occurrences(hidden)
    assert submit(hidden_occurrence, THOUGHT_RECORD_ANSWERS).shared_with_therapist is False


def test_session_record_refuses_future_dates(world):
    therapist = membership_of(world.practice_a, world.therapist_a)
    tomorrow = timezone.localdate() + timedelta(days=2)
    with practice_scope(world.practice_a), pytest.raises(ValidationError):
        sessions.session_record(client=world.client_a, actor=therapist, held_on=tomorrow)


def test_the_beat_task_marks_missed_occurrences(world, acts, assign):
    from django.conf import settings

    from assignments.tasks import mark_missed

    assert settings.CELERY_BEAT_SCHEDULE["assignments-mark-missed"]["task"] == mark_missed.name
    with time_machine.travel(MONDAY, tick=False):
        assign(acts.thought_record)
    with time_machine.travel("2025-06-04 08:00:00+00:00", tick=False):
        assert mark_missed.delay().get() == 1
