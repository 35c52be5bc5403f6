"""The homework conversation through its services: reviewing in session, agreeing the plan,
and the client's reasons for missed homework."""

import threading
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scopes_disabled

from assignments.models import AssignmentStatus, OccurrenceStatus, TherapySession
from assignments.services import assigning
from conversations import selectors
from conversations.models import ItemReview, MissedReason, PlanAgreement
from conversations.services import agreeing, reasons, reviewing
from core.tenancy import practice_scope
from tests.conversations.fixtures import NEXT_SESSION, week_of_homework

pytestmark = pytest.mark.django_db


def _start(world, week):
    with practice_scope(world.practice_a):
        return reviewing.conversation_start(client=world.client_a, actor=week.therapist)


@time_machine.travel(NEXT_SESSION, tick=False)
def test_starting_twice_records_one_session_for_today_and_one_conversation(
    world, acts, assign, submit
):
    week = week_of_homework(world, acts, assign, submit)
    first = _start(world, week)
    second = _start(world, week)
    assert first.pk == second.pk
    with scopes_disabled():
        assert (
            TherapySession.objects.filter(client=world.client_a, held_on=date(2025, 6, 9)).count()
            == 1
        )
        assert first.session.held_on == date(2025, 6, 9)


@time_machine.travel(NEXT_SESSION, tick=False)
def test_the_rows_are_the_week_since_the_last_session_with_the_clients_reason(
    world, acts, assign, submit
):
    week = week_of_homework(world, acts, assign, submit)
    conversation = _start(world, week)
    with practice_scope(world.practice_a):
        _since, rows = selectors.review_rows(conversation)
    by_id = {row.assignment.pk: row for row in rows}
    assert set(by_id) == {week.done.pk, week.partly.pk, week.missed.pk}
    assert by_id[week.done.pk].suggested_outcome == "done"
    assert by_id[week.partly.pk].suggested_outcome == "partly"
    missed = by_id[week.missed.pk]
    assert missed.suggested_outcome == "not_done"
    assert missed.client_reason.reason == "too_hard"


@time_machine.travel(NEXT_SESSION, tick=False)
def test_reviewing_marks_sent_entries_reviewed_and_a_second_review_is_refused(
    world, acts, assign, submit
):
    week = week_of_homework(world, acts, assign, submit)
    conversation = _start(world, week)
    with practice_scope(world.practice_a):
        item = reviewing.item_review_record(
            conversation=conversation,
            assignment=week.done,
            actor=week.therapist,
            outcome="done",
            learned="Mood dips on Sunday evenings.",
            levels={"quantity": 2, "quality": 1, "effort": 2, "skill_when_upset": 0},
        )
        with pytest.raises(ValidationError, match="already reviewed in this session"):
            reviewing.item_review_record(
                conversation=conversation,
                assignment=week.done,
                actor=week.therapist,
                outcome="done",
            )
    with scopes_disabled():
        assert week.done.occurrences.get().status == OccurrenceStatus.REVIEWED
        assert ItemReview.objects.count() == 1
    assert item.levels == {"quantity": 2, "quality": 1, "effort": 2, "skill_when_upset": 0}


@time_machine.travel(NEXT_SESSION, tick=False)
def test_bad_input_names_the_field_and_saves_nothing(world, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit)
    conversation = _start(world, week)
    with practice_scope(world.practice_a), pytest.raises(ValidationError) as error:
        reviewing.item_review_record(
            conversation=conversation,
            assignment=week.done,
            actor=week.therapist,
            outcome="done",
            reason="forgot",
            decision="later",
            levels={"quality": 3},
        )
    assert set(error.value.message_dict) == {"reason", "decision", "quality"}
    with scopes_disabled():
        assert not ItemReview.objects.exists()


@time_machine.travel(NEXT_SESSION, tick=False)
def test_stop_cancels_the_assignment_through_the_cancel_service(world, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit)
    conversation = _start(world, week)
    with practice_scope(world.practice_a):
        reviewing.item_review_record(
            conversation=conversation,
            assignment=week.partly,
            actor=week.therapist,
            outcome="partly",
            decision="stop",
        )
    with scopes_disabled():
        week.partly.refresh_from_db()
        assert week.partly.status == AssignmentStatus.CANCELLED
        assert week.partly.cancel_reason == "Stopped together in session."


@time_machine.travel(NEXT_SESSION, tick=False)
def test_finishing_records_the_review_items_and_shows_the_summary_in_the_portal(
    world, acts, assign, submit
):
    week = week_of_homework(world, acts, assign, submit)
    conversation = _start(world, week)
    with practice_scope(world.practice_a):
        assert selectors.portal_summaries(world.client_a) == []
        reviewing.item_review_record(
            conversation=conversation,
            assignment=week.done,
            actor=week.therapist,
            outcome="done",
            learned="Noticing helps.",
        )
        reviewing.conversation_finish(
            conversation=conversation,
            actor=week.therapist,
            client_involved=True,
            praise_given=True,
            difficulties_discussed=False,
            plan_adjusted=True,
            agreed_note="A shorter walk, three times.",
        )
        (summary,) = selectors.portal_summaries(world.client_a)
    assert summary.conversation.praise_given
    assert [item.learned for item in summary.learned] == ["Noticing helps."]


@pytest.mark.django_db(transaction=True)
@time_machine.travel(NEXT_SESSION, tick=False)
def test_two_reviews_of_the_same_item_at_once_give_one_row_and_a_clear_error(
    world, acts, assign, submit
):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writes need PostgreSQL (SQLite serialises them).")
    week = week_of_homework(world, acts, assign, submit)
    conversation = _start(world, week)
    results = []

    def review():
        try:
            with practice_scope(world.practice_a):
                reviewing.item_review_record(
                    conversation=conversation,
                    assignment=week.done,
                    actor=week.therapist,
                    outcome="done",
                )
            results.append("saved")
        except ValidationError as exc:
            results.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=review) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted(["saved", reviewing.DUPLICATE])
    with scopes_disabled():
        assert ItemReview.objects.count() == 1


# --- Agreeing the plan ----------------------------------------------------------------------


@time_machine.travel(NEXT_SESSION, tick=False)
def test_a_low_confidence_prompts_the_therapist_until_the_plan_is_edited(world, acts, assign):
    assignment = assign(acts.thought_record, starts_on=date(2025, 6, 10), confidence=9)
    with practice_scope(world.practice_a):
        assert [a.pk for a in selectors.portal_plans_to_agree(world.client_a)] == [assignment.pk]
        agreeing.plan_agreement_give(
            assignment=assignment, client=world.client_a, confirmed=True, confidence=5
        )
        assert selectors.portal_plans_to_agree(world.client_a) == []
        (prompt,) = selectors.plan_prompts(world.client_a)
    assert (prompt.confidence, prompt.whose) == (5, "client")
    with (
        time_machine.travel("2025-06-09 09:05:00+00:00", tick=False),
        practice_scope(world.practice_a),
    ):
        assigning.assignment_update(
            assignment=assignment,
            actor=_membership(world),
            plan_when="Five minutes after breakfast",
        )
        assert selectors.plan_prompts(world.client_a) == []
        # The plan changed: the client is asked again.
        assert [a.pk for a in selectors.portal_plans_to_agree(world.client_a)] == [assignment.pk]


@time_machine.travel(NEXT_SESSION, tick=False)
def test_a_measure_is_not_a_plan_to_agree_to(world, acts, assign):
    """A PHQ-9 is measured, not homework designed together: no "does this plan work for you,
    how sure are you?" for it, while the homework beside it is asked."""
    homework = assign(acts.thought_record, starts_on=date(2025, 6, 10))
    assign(acts.phq9, starts_on=date(2025, 6, 10))
    with practice_scope(world.practice_a):
        assert [a.pk for a in selectors.portal_plans_to_agree(world.client_a)] == [homework.pk]


def _membership(world):
    from tests.assignments.fixtures import membership_of

    return membership_of(world.practice_a, world.therapist_a)


@time_machine.travel(NEXT_SESSION, tick=False)
def test_the_therapists_own_low_confidence_prompts_too(world, acts, assign):
    assign(acts.thought_record, starts_on=date(2025, 6, 10), confidence=4)
    with practice_scope(world.practice_a):
        (prompt,) = selectors.plan_prompts(world.client_a)
    assert (prompt.confidence, prompt.whose) == (4, "therapist")


@time_machine.travel(NEXT_SESSION, tick=False)
def test_a_proposed_change_needs_words_and_the_confidence_a_number(world, acts, assign):
    assignment = assign(acts.thought_record, starts_on=date(2025, 6, 10))
    with practice_scope(world.practice_a):
        with pytest.raises(ValidationError) as error:
            agreeing.plan_agreement_give(
                assignment=assignment, client=world.client_a, confirmed=False, confidence=11
            )
        assert set(error.value.message_dict) == {"confidence", "proposed_change"}
        with pytest.raises(ValidationError):
            agreeing.plan_agreement_give(
                assignment=assignment, client=world.client_b, confirmed=True, confidence=8
            )
    with scopes_disabled():
        assert not PlanAgreement.objects.exists()


# --- Why not --------------------------------------------------------------------------------


@time_machine.travel(NEXT_SESSION, tick=False)
def test_reasons_only_for_missed_items_and_once(world, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit, reason="")
    with practice_scope(world.practice_a):
        with scopes_disabled():
            partly_second = week.partly.occurrences.get(sequence=2)
        assert {o.pk for o in selectors.portal_missed_to_explain(world.client_a)} == {
            week.missed_occurrence.pk,
            partly_second.pk,
        }
        with scopes_disabled():
            done_occurrence = week.done.occurrences.get()
        with pytest.raises(ValidationError, match="Only homework that was missed"):
            reasons.missed_reason_give(
                occurrence=done_occurrence, client=world.client_a, reason="forgot"
            )
        reasons.missed_reason_give(
            occurrence=week.missed_occurrence, client=world.client_a, reason="felt_worse"
        )
        with pytest.raises(ValidationError, match="already told us"):
            reasons.missed_reason_give(
                occurrence=week.missed_occurrence, client=world.client_a, reason="forgot"
            )
        assert [o.pk for o in selectors.portal_missed_to_explain(world.client_a)] == [
            partly_second.pk
        ]
        (worse,) = selectors.felt_worse(world.client_a)
    assert worse.assignment_id == week.missed.pk
    with scopes_disabled():
        assert MissedReason.objects.count() == 1


@time_machine.travel("2025-06-04 12:00:00+00:00", tick=False)
def test_an_item_not_yet_missed_cannot_be_given_a_reason(world, acts, assign):
    assignment = assign(acts.mood_log, starts_on=date(2025, 6, 4))
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    with practice_scope(world.practice_a), pytest.raises(ValidationError):
        reasons.missed_reason_give(occurrence=occurrence, client=world.client_a, reason="forgot")


@time_machine.travel("2025-10-27 10:00:00+00:00", tick=False)
def test_missed_across_the_clock_change_is_asked_about_the_next_morning(world, acts, assign):
    # Due Saturday 25 October 21:00 BST (20:00 UTC); the clocks go back on Sunday 26th.
    # Missed at 09:00 the next morning local time (08:00 UTC); on Monday it is asked about.
    with time_machine.travel("2025-10-25 10:00:00+00:00", tick=False):
        assignment = assign(acts.mood_log, starts_on=date(2025, 10, 25))
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    with (
        time_machine.travel("2025-10-26 07:59:00+00:00", tick=False),
        practice_scope(world.practice_a),
    ):
        assert selectors.portal_missed_to_explain(world.client_a) == []
    with practice_scope(world.practice_a):
        assert [o.pk for o in selectors.portal_missed_to_explain(world.client_a)] == [occurrence.pk]
