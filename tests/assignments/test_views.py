"""The therapist's pages: assigning, an assignment, review, session review, adherence."""

import re
from datetime import date

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scopes_disabled

from assignments.models import Assignment, EventKind, Flag, OccurrenceStatus, TherapySession
from assignments.services import completing, reviewing
from clients.models import ClientStatus
from core.tenancy import practice_scope
from library.models import CuratedActivity
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, phq9_answers

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"


def _thought_record_curated():
    return CuratedActivity.objects.get(slug="thought-record")


def _plan(prefix="a0", **overrides):
    data = {
        f"{prefix}-rationale": "Catching the thought is the first step to changing it.",
        f"{prefix}-instructions": "Fill one in when your mood dips.\nRate your feelings.",
        f"{prefix}-plan_when": "After dinner",
        f"{prefix}-plan_where": "Kitchen table",
        f"{prefix}-obstacles": "Too tired after work",
        f"{prefix}-if_then_plan": "If I'm tired, then I'll do just the first column.",
        f"{prefix}-confidence": "7",
        f"{prefix}-personal_message": "You've got this.",
        f"{prefix}-schedule_kind": "daily",
        f"{prefix}-starts_on": "2025-06-02",
        f"{prefix}-due_time": "21:00",
        f"{prefix}-repeat_days": "7",
        f"{prefix}-times_per_week": "3",
        f"{prefix}-weeks": "2",
        f"{prefix}-visibility": "shared",
    }
    data.update({f"{prefix}-{k}": v for k, v in overrides.items()})
    return data


@time_machine.travel(MONDAY, tick=False)
def test_assigning_from_the_client_page_in_two_steps(world, web):
    browser = web(world.therapist_a)
    page = browser.get(f"/clients/{world.client_a.pk}/")
    assert page.status_code == 200
    assert f"/assignments/new/?client={world.client_a.pk}" in page.content.decode()
    choose = browser.get(f"/assignments/new/?client={world.client_a.pk}")
    assert choose.status_code == 200
    curated = _thought_record_curated()
    assert str(curated.pk) in choose.content.decode()
    url = f"/assignments/new/?client={world.client_a.pk}&curated={curated.pk}"
    plan = browser.get(url)
    assert plan.status_code == 200
    body = plan.content.decode()
    # The rationale is prefilled from the activity, in the client's words.
    assert "When your mood suddenly drops" in body
    response = browser.post(url, _plan())
    assert response.status_code == 302
    with scopes_disabled():
        assignment = Assignment.objects.get()
        assert assignment.activity_version.title == "Thought record (7 columns)"
        assert assignment.plan_when == "After dinner"
        assert assignment.if_then_plan.startswith("If I'm tired")
        assert assignment.confidence == 7
        assert assignment.occurrences.count() == 7
    detail = browser.get(f"/clients/{world.client_a.pk}/")
    assert "Thought record (7 columns)" in detail.content.decode()


@time_machine.travel(MONDAY, tick=False)
def test_several_activities_at_once_and_errors_stay_next_to_their_fields(world, web):
    browser = web(world.therapist_a)
    tr = _thought_record_curated()
    phq = CuratedActivity.objects.get(slug="phq-9")
    url = f"/assignments/new/?client={world.client_a.pk}&curated={tr.pk}&curated={phq.pk}"
    data = _plan("a0") | _plan("a1", schedule_kind="weekdays", rationale="Tracks mood.")
    response = browser.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tick at least one day of the week." in body
    assert "Too tired after work" in body  # what was typed is kept
    with scopes_disabled():
        assert not Assignment.objects.exists()  # all or nothing
    data["a1-weekdays"] = ["0", "3"]
    assert browser.post(url, data).status_code == 302
    with scopes_disabled():
        assert Assignment.objects.count() == 2
        weekly = Assignment.objects.get(activity_version__title__startswith="PHQ")
        assert weekly.weekdays == [0, 3]
        assert weekly.occurrences.count() == 4  # Mon and Thu for two weeks


@time_machine.travel(MONDAY, tick=False)
def test_assigning_to_a_discharged_client_is_refused(world, web):
    with scopes_disabled():
        world.client_a.status = ClientStatus.DISCHARGED
        world.client_a.save()
    url = f"/assignments/new/?client={world.client_a.pk}&curated={_thought_record_curated().pk}"
    response = web(world.therapist_a).post(url, _plan())
    assert response.status_code == 400
    assert "is discharged" in response.content.decode()


def test_assigning_to_someone_elses_client_is_404(world, web):
    curated = _thought_record_curated()
    for user, client in ((world.colleague_a, world.client_a), (world.owner_a, world.client_b)):
        url = f"/assignments/new/?client={client.pk}&curated={curated.pk}"
        assert web(user).get(url).status_code == 404
        assert web(user).post(url, _plan()).status_code == 404


@time_machine.travel(MONDAY, tick=False)
def test_the_assignment_page_shows_entries_and_takes_a_review(world, acts, assign, submit, web):
    assignment = assign(acts.thought_record, obstacles="Busy evenings")
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    submit(occurrence, THOUGHT_RECORD_ANSWERS)
    browser = web(world.therapist_a)
    page = browser.get(f"/assignments/{assignment.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "She praised my report on Monday." in body  # read-only answers
    assert "Busy evenings" in body
    review = browser.post(
        f"/assignments/occurrences/{occurrence.pk}/review/",
        {
            "comment": "Lovely balanced thought.",
            "rating": "8",
            "next": f"/assignments/{assignment.pk}/",
        },
    )
    assert review.status_code == 302 and review["Location"] == f"/assignments/{assignment.pk}/"
    with scopes_disabled():
        occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.REVIEWED
    assert (
        "Lovely balanced thought." in browser.get(f"/assignments/{assignment.pk}/").content.decode()
    )


@time_machine.travel(MONDAY, tick=False)
def test_edit_cancel_and_answer_a_question(world, acts, assign, web):
    assignment = assign(acts.thought_record, schedule_kind="daily", repeat_days=3)
    browser = web(world.therapist_a)
    edit = browser.get(f"/assignments/{assignment.pk}/edit/")
    assert edit.status_code == 200
    data = {k.removeprefix("a0-"): v for k, v in _plan(repeat_days="5").items()}
    assert browser.post(f"/assignments/{assignment.pk}/edit/", data).status_code == 302
    with scopes_disabled():
        assert assignment.occurrences.count() == 5
    browser.post(f"/assignments/{assignment.pk}/messages/", {"body": "Any time after dinner."})
    cancel = browser.post(f"/assignments/{assignment.pk}/cancel/", {"reason": "Trying another"})
    assert cancel.status_code == 302
    with scopes_disabled():
        assignment.refresh_from_db()
        kinds = list(assignment.events.values_list("kind", flat=True))
    assert assignment.is_cancelled and assignment.cancel_reason == "Trying another"
    assert {EventKind.EDITED, EventKind.QUESTION_ANSWERED, EventKind.CANCELLED} <= set(kinds)
    assert browser.get(f"/assignments/{assignment.pk}/edit/").status_code == 302


@time_machine.travel(MONDAY, tick=False)
def test_flags_are_highlighted_and_can_be_responded_to(world, acts, assign, submit, web):
    assignment = assign(acts.phq9)
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    submit(occurrence, phq9_answers(item9="1"))
    browser = web(world.therapist_a)
    body = browser.get(f"/clients/{world.client_a.pk}/").content.decode()
    assert "Needs your attention" in body
    assert "Thoughts of self-harm (item 9): answered “Several days” (level 1)." in body
    with scopes_disabled():
        flag = Flag.objects.get()
    answer = {"actions": ["assessed_risk"], "note": ""}
    assert browser.post(f"/assignments/flags/{flag.pk}/respond/", answer).status_code == 302
    with scopes_disabled():
        flag.refresh_from_db()
    assert flag.acknowledged_by == world.therapist_a


def test_session_review_shows_what_happened_since_the_last_session(
    world, acts, assign, submit, web
):
    with time_machine.travel("2025-06-02 08:00:00+00:00", tick=False):
        old = assign(acts.phq9)
        with scopes_disabled():
            submit(old.occurrences.get(), phq9_answers(others="2"))  # 16
            TherapySession.objects.create(
                practice=world.practice_a, client=world.client_a, held_on=date(2025, 6, 2)
            )
    with time_machine.travel("2025-06-04 08:00:00+00:00", tick=False):
        tr = assign(acts.thought_record, schedule_kind="daily", repeat_days=2)
        again = assign(acts.phq9)
        with scopes_disabled():
            first, _second = list(tr.occurrences.order_by("sequence"))
            again_occurrence = again.occurrences.get()
        response = submit(first, THOUGHT_RECORD_ANSWERS)
        submit(again_occurrence, phq9_answers(others="1"))  # 8
        with practice_scope(world.practice_a):
            completing.checkin_record(
                response=response, client=world.client_a, helpful=8, obstacles="Kids were loud"
            )
            reviewing.message_post(assignment=tr, client=world.client_a, body="Is one enough?")
    with time_machine.travel("2025-06-06 12:00:00+00:00", tick=False):
        browser = web(world.therapist_a)
        page = browser.get(f"/clients/{world.client_a.pk}/session-review/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "Monday 2 June" in body
        assert "Kids were loud" in body
        assert "Is one enough?" in body
        assert re.search(r"▼\s*8", body)  # PHQ-9 went from 16 to 8
        assert "She praised my report on Monday." in body
        # Issue 23: the answers are in view (every entry's disclosure open), and the summary
        # says it opens and closes, not a bare "Entry 1" heading.
        answers = re.findall(r'<details class="entry__answers"( open)?>', body)
        assert len(answers) >= 2 and all(answers), answers
        assert "Hide answers" in body and "Show answers" in body
        # The thoughts table's row-number column is "#", not a second "Thought" header.
        assert '<th scope="col">#<span class="visually-hidden"> (thought number)' in body
        assert '<th scope="col">Thought</th><th scope="col"' not in body
        recorded = browser.post(
            f"/clients/{world.client_a.pk}/session-review/", {"held_on": "2025-06-06"}
        )
        assert recorded.status_code == 302
        after = browser.get(f"/clients/{world.client_a.pk}/session-review/")
        assert "Kids were loud" not in after.content.decode()


@time_machine.travel(MONDAY, tick=False)
def test_adherence_page_lists_rates_and_the_log(world, acts, assign, submit, web):
    assignment = assign(acts.thought_record)
    with scopes_disabled():
        submit(assignment.occurrences.get(), THOUGHT_RECORD_ANSWERS)
    page = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/adherence/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "100%" in body
    assert "Submitted" in body and "Assigned" in body


@time_machine.travel(MONDAY, tick=False)
def test_every_page_is_404_for_a_colleague_who_does_not_share_the_client(
    world, acts, assign, submit, web
):
    assignment = assign(acts.phq9)
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    submit(occurrence, phq9_answers(item9="2"))
    with scopes_disabled():
        flag = Flag.objects.get()
    browser = web(world.colleague_a)
    for url in (
        f"/assignments/{assignment.pk}/",
        f"/assignments/{assignment.pk}/edit/",
        f"/clients/{world.client_a.pk}/session-review/",
        f"/clients/{world.client_a.pk}/adherence/",
    ):
        assert browser.get(url).status_code == 404, url
    for url in (
        f"/assignments/{assignment.pk}/cancel/",
        f"/assignments/{assignment.pk}/messages/",
        f"/assignments/occurrences/{occurrence.pk}/review/",
        f"/assignments/flags/{flag.pk}/respond/",
    ):
        assert browser.post(url, {"body": "x"}).status_code == 404, url
    with scopes_disabled():
        assignment.refresh_from_db()
        assert not assignment.is_cancelled


def test_a_client_signed_in_to_the_portal_gets_no_staff_pages(world, acts, assign, portal):
    with time_machine.travel(MONDAY, tick=False):
        assignment = assign(acts.thought_record)
    browser = portal(world.client_a)
    assert browser.get(f"/assignments/{assignment.pk}/").status_code == 404
    assert browser.get(f"/assignments/new/?client={world.client_a.pk}").status_code == 404


def test_the_client_page_tolerates_no_homework(world, web):
    body = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/").content.decode()
    assert "No homework yet" in body
    assert timezone.now()


@time_machine.travel(MONDAY, tick=False)
def test_assigning_from_the_library_starts_with_choosing_the_client(world, web):
    curated = _thought_record_curated()
    browser = web(world.therapist_a)
    detail = browser.get(f"/library/global/{curated.pk}/").content.decode()
    assert f"/assignments/new/?curated={curated.pk}" in detail
    choose = browser.get(f"/assignments/new/?curated={curated.pk}")
    body = choose.content.decode()
    assert "Choose a client" in body and "Alpha Client" in body
    assert "Beta Client" not in body
    plan = browser.get(f"/assignments/new/?client={world.client_a.pk}&curated={curated.pk}")
    assert "Plan homework for Alpha Client" in plan.content.decode()


# --- First use: a search keeps what was ticked (issue 23) ------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_searching_while_assigning_keeps_what_was_ticked(world, web):
    browser = web(world.therapist_a)
    phq = CuratedActivity.objects.get(slug="phq-9")
    tr = _thought_record_curated()
    base = f"/assignments/new/?client={world.client_a.pk}"
    # PHQ-9 ticked, then a search for "thought": PHQ-9 is no longer in the results...
    page = browser.get(f"{base}&curated={phq.pk}&q=thought&step=choose").content.decode()
    # ...but it is still selected, carried as a hidden input and named with a remove button.
    assert f'<input type="hidden" name="curated" value="{phq.pk}">' in page
    assert "Selected (1)" in page
    assert f'name="remove" value="{phq.pk}"' in page
    # Tick the thought record too and continue: both reach the plan step.
    plan = browser.get(f"{base}&curated={phq.pk}&q=thought&curated={tr.pk}").content.decode()
    assert 'name="a0-rationale"' in plan and 'name="a1-rationale"' in plan
    # The same id twice (hidden and ticked) is one activity, not two plans.
    twice = browser.get(f"{base}&curated={phq.pk}&curated={phq.pk}").content.decode()
    assert 'name="a1-rationale"' not in twice


@time_machine.travel(MONDAY, tick=False)
def test_removing_one_chosen_activity_keeps_the_others(world, web):
    browser = web(world.therapist_a)
    phq = CuratedActivity.objects.get(slug="phq-9")
    tr = _thought_record_curated()
    url = f"/assignments/new/?client={world.client_a.pk}&curated={phq.pk}&curated={tr.pk}"
    page = browser.get(f"{url}&remove={phq.pk}").content.decode()
    assert "Selected (1)" in page
    assert f'<input type="hidden" name="curated" value="{tr.pk}">' in page
    assert f'<input type="hidden" name="curated" value="{phq.pk}">' not in page
