"""Figures and labels agree (issue 23): one "Last activity" (the dashboard's), a client who
uses the portal is not "Not invited", a homework done in full and then closed is not
"Cancelled", and the dashboard's filter counts say what they count."""

import re

import pytest
import time_machine
from django_scopes import scopes_disabled

from assignments.services import assigning, completing
from core.tenancy import practice_scope
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of

pytestmark = pytest.mark.django_db


def _row(page: str, name: str) -> str:
    return next(row for row in page.split("<tr") if name in row)


def test_the_caseload_says_last_activity_as_the_dashboard_does(world, acts, assign, web):
    with time_machine.travel("2025-06-02 09:00:00+00:00", tick=False):
        assignment = assign(acts.thought_record)
        with scopes_disabled():
            occurrence = assignment.occurrences.get()
    with time_machine.travel("2025-06-05 09:00:00+00:00", tick=False):
        # The client opens the homework (no entry sent): that is activity, in the portal.
        with practice_scope(world.practice_a):
            completing.occurrence_open(occurrence=occurrence, client=world.client_a)
        browser = web(world.therapist_a)
        caseload = browser.get("/clients/").content.decode()
        dashboard = browser.get("/dashboard/").content.decode()
    assert "Last entry" not in caseload and "Last activity" in caseload
    row = _row(caseload, "Alpha Client")
    assert "5 Jun" in row  # the day of the latest activity, as on the dashboard
    assert "5 Jun" in _row(dashboard, "Alpha Client")
    assert "Not invited" not in row and "Using it" in row


def test_homework_done_in_full_then_closed_is_not_labelled_cancelled(
    world, acts, assign, submit, web
):
    with time_machine.travel("2025-06-02 09:00:00+00:00", tick=False):
        done = assign(acts.thought_record)
        partly = assign(acts.mood_log, schedule_kind="daily", repeat_days=3)
        with scopes_disabled():
            submit(done.occurrences.get(), THOUGHT_RECORD_ANSWERS)
        therapist = membership_of(world.practice_a, world.therapist_a)
        with practice_scope(world.practice_a):
            assigning.assignment_cancel(assignment=done, actor=therapist)
            assigning.assignment_cancel(assignment=partly, actor=therapist)
        page = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/").content.decode()
    done_row = _row(page, "Thought record")
    assert "1 of 1" in done_row and "Cancelled" not in done_row
    assert "Cancelled" in _row(page, "Daily mood log")


def test_the_dashboard_filters_say_what_they_count(world, web):
    page = web(world.therapist_a).get("/dashboard/").content.decode()
    assert re.search(r'\d+ <span class="dash-filter__unit">clients?</span>', page)
