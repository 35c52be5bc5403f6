"""The client's homework in the portal: to-do, filling in (drafts, errors, idempotent
sending), the check-in, crisis resources, edits as revisions, questions and history."""

import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from assignments.models import Draft, OccurrenceStatus, Response, ResponseRevision
from assignments.services import assigning
from core.tenancy import practice_scope
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of, phq9_answers
from tests.factories import ClientFactory, portal_user_for

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"

THOUGHT_RECORD_FORM = {
    "f.situation": "Tuesday 3pm at my desk. My manager walked past without saying hello.",
    "f.emotions.0.emotion": "Anxious",
    "f.emotions.0.intensity": "80",
    "f.thoughts.0.thought": "She thinks I'm useless.",
    "f.thoughts.0.hot": "hot",
    "f.thoughts.0.belief": "85",
    "f.evidence_for": "She didn't say hello.",
    "f.evidence_against": "She praised my report on Monday.",
    "f.balanced_thought": "She was probably busy.",
    "f.balanced_belief": "70",
    "f.emotions_after.0.emotion": "Anxious",
    "f.emotions_after.0.intensity": "40",
}


def _only(assignment):
    with scopes_disabled():
        return assignment.occurrences.get()


@time_machine.travel(MONDAY, tick=False)
def test_the_todo_shows_today_upcoming_overdue_and_done(world, acts, assign, submit, portal):
    assign(acts.thought_record, plan_when="After dinner")
    assign(acts.mood_log, schedule_kind="weekdays", weekdays=[3], weeks=2)
    done = assign(acts.phq9)
    submit(_only(done), phq9_answers())
    page = portal(world.client_a).get("/portal/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Today" in body and "Coming up" in body and "Done" in body
    assert "Due today by 21:00" in body
    assert "about 15 min" in body
    assert "When your mood suddenly drops" in body  # the rationale
    # Only the next of a recurring one (the plan to agree to, above the list, names it too).
    assert body.count('<span class="todo__title">Daily mood log</span>') == 1


def test_the_todo_keeps_a_missed_item_open_once_per_assignment(world, acts, assign, portal):
    with time_machine.travel(MONDAY, tick=False):
        assign(acts.thought_record, schedule_kind="daily", repeat_days=3)
    with time_machine.travel("2025-06-04 12:00:00+00:00", tick=False):
        body = portal(world.client_a).get("/portal/").content.decode()
    assert "Still open" in body
    assert body.count("you can still do it") == 1


@time_machine.travel(MONDAY, tick=False)
def test_opening_filling_in_and_sending_a_worksheet(world, acts, assign, portal):
    occurrence = _only(assign(acts.thought_record))
    browser = portal(world.client_a)
    page = browser.get(f"/portal/do/{occurrence.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="submission_key"' in body
    assert "Why this helps" in body
    with scopes_disabled():
        occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.OPENED
    key = str(uuid.uuid4())
    sent = browser.post(
        f"/portal/do/{occurrence.pk}/", THOUGHT_RECORD_FORM | {"submission_key": key}
    )
    assert sent.status_code == 302
    # A double tap (or a retry after a dropped connection) sends the same key: one entry.
    again = browser.post(
        f"/portal/do/{occurrence.pk}/", THOUGHT_RECORD_FORM | {"submission_key": key}
    )
    assert again.status_code == 302 and again["Location"] == sent["Location"]
    with scopes_disabled():
        response = Response.objects.get()
        assert response.current_revision.answers["thoughts"] == [
            {"thought": "She thinks I'm useless.", "hot": ["hot"], "belief": 85}
        ]
    entry = browser.get(sent["Location"])
    assert entry.status_code == 200
    assert "Sent. Well done." in entry.content.decode()
    assert "How did it go?" in entry.content.decode()


@time_machine.travel(MONDAY, tick=False)
def test_errors_show_inline_and_keep_everything_typed(world, acts, assign, portal):
    occurrence = _only(assign(acts.thought_record))
    browser = portal(world.client_a)
    data = THOUGHT_RECORD_FORM | {"f.balanced_belief": "130", "submission_key": str(uuid.uuid4())}
    del data["f.evidence_for"]
    response = browser.post(f"/portal/do/{occurrence.pk}/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please check these answers" in body
    assert "This field is required." in body
    assert "from 0 to 100" in body
    assert "She praised my report on Monday." in body  # kept
    assert 'value="130"' in body  # even the wrong answer
    assert data["submission_key"] in body  # the retry is the same submission
    with scopes_disabled():
        assert not Response.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_drafts_autosave_and_come_back_on_reload(world, acts, assign, portal):
    occurrence = _only(assign(acts.thought_record))
    browser = portal(world.client_a)
    saved = browser.post(f"/portal/do/{occurrence.pk}/draft/", {"f.situation": "At my desk"})
    assert saved.status_code == 200
    assert "saved_at" in saved.json()
    bad = browser.post(f"/portal/do/{occurrence.pk}/draft/", {"f.balanced_belief": "300"})
    assert bad.status_code == 400
    assert bad.json()["issues"][0]["path"] == "balanced_belief"
    with scopes_disabled():
        assert Draft.objects.get().answers == {"situation": "At my desk"}
        occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.IN_PROGRESS
    reload = browser.get(f"/portal/do/{occurrence.pk}/")
    assert "At my desk" in reload.content.decode()
    assert "Draft saved" in reload.content.decode()


@time_machine.travel(MONDAY, tick=False)
def test_a_sent_entry_takes_a_check_in_once(world, acts, assign, submit, portal):
    response = submit(_only(assign(acts.thought_record)), THOUGHT_RECORD_ANSWERS)
    browser = portal(world.client_a)
    checkin = browser.post(
        f"/portal/entries/{response.pk}/check-in/",
        {"helpful": "8", "difficulty": "3", "minutes_spent": "20", "obstacles": "Noisy flat"},
    )
    assert checkin.status_code == 302
    with scopes_disabled():
        response.refresh_from_db()
        assert response.checkin.obstacles == "Noisy flat"
    page = browser.get(f"/portal/entries/{response.pk}/?sent=1").content.decode()
    assert "How did it go?" not in page
    bad = browser.post(f"/portal/entries/{response.pk}/check-in/", {"helpful": "12"})
    assert bad.status_code == 302 and "#check-in" in bad["Location"]


@time_machine.travel(MONDAY, tick=False)
def test_item_9_shows_the_practice_crisis_resources_instead_of_the_score(
    world, acts, assign, submit, portal
):
    response = submit(_only(assign(acts.phq9)), phq9_answers(item9="1"))
    browser = portal(world.client_a)
    body = browser.get(f"/portal/entries/{response.pk}/?sent=1").content.decode()
    assert "your local emergency number" in body and "findahelpline.com" in body
    assert "Your score" not in body
    with scopes_disabled():
        practice = world.practice_a
        practice.crisis_country = "GB"
        practice.crisis_resources = "Call the practice crisis line: 0800 000 000."
        practice.save()
    body = browser.get(f"/portal/entries/{response.pk}/").content.decode()
    assert "0800 000 000" in body and "Samaritans" in body
    assert "score" not in body.split('class="card entry-view"')[1].split("</header>")[0]


@time_machine.travel(MONDAY, tick=False)
def test_scores_follow_the_practice(world, acts, assign, submit, portal):
    response = submit(_only(assign(acts.phq9)), phq9_answers())
    browser = portal(world.client_a)
    assert "Your score" in browser.get(f"/portal/entries/{response.pk}/?sent=1").content.decode()
    with scopes_disabled():
        world.practice_a.show_scores_to_clients = False
        world.practice_a.save()
    body = browser.get(f"/portal/entries/{response.pk}/?sent=1").content.decode()
    assert "Your score" not in body


@time_machine.travel(MONDAY, tick=False)
def test_editing_an_entry_adds_a_revision(world, acts, assign, submit, portal):
    response = submit(_only(assign(acts.thought_record)), THOUGHT_RECORD_ANSWERS)
    browser = portal(world.client_a)
    form = browser.get(f"/portal/entries/{response.pk}/edit/")
    assert form.status_code == 200
    assert "She praised my report on Monday." in form.content.decode()
    data = THOUGHT_RECORD_FORM | {"f.balanced_belief": "90", "submission_key": str(uuid.uuid4())}
    assert browser.post(f"/portal/entries/{response.pk}/edit/", data).status_code == 302
    with scopes_disabled():
        beliefs = list(
            ResponseRevision.objects.filter(response=response)
            .order_by("number")
            .values_list("answers__balanced_belief", flat=True)
        )
    assert beliefs == [70, 90]


@time_machine.travel(MONDAY, tick=False)
def test_a_cancelled_assignment_takes_nothing(world, acts, assign, portal):
    assignment = assign(acts.thought_record)
    occurrence = _only(assignment)
    with practice_scope(world.practice_a):
        assigning.assignment_cancel(
            assignment=assignment, actor=membership_of(world.practice_a, world.therapist_a)
        )
    browser = portal(world.client_a)
    assert "This was cancelled" in browser.get(f"/portal/do/{occurrence.pk}/").content.decode()
    response = browser.post(
        f"/portal/do/{occurrence.pk}/", THOUGHT_RECORD_FORM | {"submission_key": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    with scopes_disabled():
        assert not Response.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_another_clients_homework_is_404(world, acts, assign, submit, portal):
    other = ClientFactory(practice=world.practice_a, primary_therapist=world.therapist_a)
    portal_user_for(other)
    assignment = assign(acts.thought_record)
    occurrence = _only(assignment)
    response = submit(occurrence, THOUGHT_RECORD_ANSWERS)
    for intruder in (portal(other), portal(world.client_b)):
        for url in (
            f"/portal/do/{occurrence.pk}/",
            f"/portal/entries/{response.pk}/",
            f"/portal/entries/{response.pk}/edit/",
            f"/portal/homework/{assignment.pk}/",
        ):
            assert intruder.get(url).status_code == 404, url
        for url in (
            f"/portal/do/{occurrence.pk}/",
            f"/portal/do/{occurrence.pk}/draft/",
            f"/portal/entries/{response.pk}/edit/",
            f"/portal/entries/{response.pk}/draft/",
            f"/portal/entries/{response.pk}/check-in/",
            f"/portal/homework/{assignment.pk}/",
        ):
            data = THOUGHT_RECORD_FORM | {"submission_key": str(uuid.uuid4()), "body": "hi"}
            assert intruder.post(url, data).status_code == 404, url
    with scopes_disabled():
        assert Response.objects.count() == 1


@time_machine.travel(MONDAY, tick=False)
def test_asking_a_question_and_the_history(world, acts, assign, submit, portal):
    assignment = assign(acts.thought_record)
    submit(_only(assignment), THOUGHT_RECORD_ANSWERS)
    browser = portal(world.client_a)
    asked = browser.post(f"/portal/homework/{assignment.pk}/", {"body": "Can I use paper?"})
    assert asked.status_code == 302
    assert "Can I use paper?" in browser.get(f"/portal/homework/{assignment.pk}/").content.decode()
    empty = browser.post(f"/portal/homework/{assignment.pk}/", {"body": "  "})
    assert empty.status_code == 400
    history = browser.get("/portal/history/").content.decode()
    assert "Thought record (7 columns)" in history


@time_machine.travel(MONDAY, tick=False)
def test_the_todo_runs_a_constant_number_of_queries(world, acts, assign, submit, portal):
    """5 assignments or 200 (with 600 occurrences): the same queries."""
    browser = portal(world.client_a)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert browser.get("/portal/").status_code == 200
        return len(captured)

    for _ in range(5):
        submit(_only(assign(acts.phq9)), phq9_answers())
    few = count()
    for _ in range(175):
        assign(acts.mood_log, schedule_kind="daily", repeat_days=3)
    for _ in range(20):
        submit(_only(assign(acts.phq9)), phq9_answers())
    assert count() == few


# --- First use (issue 23): the crisis box on a phone, and no homework check-in after a measure


@time_machine.travel(MONDAY, tick=False)
def test_after_a_flagged_answer_the_crisis_lines_come_first_and_are_one_tap(
    world, acts, assign, submit, portal
):
    with scopes_disabled():
        practice = world.practice_a
        practice.crisis_country = "GB"
        practice.crisis_resources = "Out of hours: +44 (0)20 7946 0000, or see https://example.org"
        practice.save()
    response = submit(_only(assign(acts.phq9)), phq9_answers(item9="1"))
    body = portal(world.client_a).get(f"/portal/entries/{response.pk}/?sent=1").content.decode()
    main = body.split('class="back-link"', 1)[1]
    # The support section is the first thing after the back link; no praise, no check-in.
    assert main.index('class="support"') < main.index('class="card entry-view"')
    assert "Well done" not in body and "How did it go?" not in body
    assert 'href="tel:999"' in body  # emergency
    assert 'href="tel:116123"' in body  # Samaritans, "116 123" as written
    assert 'href="sms:85258"' in body  # Shout, a text shortcode
    assert '<a class="tel-link" href="tel:+442079460000">+44 (0)20 7946 0000</a>' in body
    assert 'href="https://example.org"' in body


@time_machine.travel(MONDAY, tick=False)
def test_a_measure_gets_no_homework_check_in(world, acts, assign, submit, portal):
    browser = portal(world.client_a)
    measure = submit(_only(assign(acts.phq9)), phq9_answers(item9="0"))
    body = browser.get(f"/portal/entries/{measure.pk}/?sent=1").content.decode()
    assert "Sent. Well done." in body and "How did it go?" not in body
    refused = browser.post(f"/portal/entries/{measure.pk}/check-in/", {"helpful": "8"})
    assert refused.status_code == 302
    with scopes_disabled():
        assert not hasattr(Response.objects.get(pk=measure.pk), "checkin")
    homework = submit(_only(assign(acts.thought_record)), THOUGHT_RECORD_ANSWERS)
    body = browser.get(f"/portal/entries/{homework.pk}/?sent=1").content.decode()
    assert "How did it go?" in body
