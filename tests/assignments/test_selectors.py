"""Adherence figures, "slipping", and constant query counts on the list pages."""

import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from assignments.selectors import adherence_by_activity, caseload_rows
from assignments.services import completing, reviewing
from clients.models import Client
from core.tenancy import practice_scope
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, phq9_answers
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"


def _queries(browser, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured)


def _occurrences(assignment):
    with scopes_disabled():
        return list(assignment.occurrences.order_by("sequence"))


def _homework_for(client, acts, assign, submit):
    """A week of daily thought records (two done, one late, the rest missed or to come) and
    a PHQ-9."""
    with time_machine.travel("2025-05-26 08:00:00+00:00", tick=False):
        daily = assign(acts.thought_record, client=client, schedule_kind="daily", repeat_days=9)
        measure = assign(acts.phq9, client=client)
    occurrences = _occurrences(daily)
    with time_machine.travel("2025-05-26 12:00:00+00:00", tick=False):
        submit(occurrences[0], THOUGHT_RECORD_ANSWERS)
        submit(_occurrences(measure)[0], phq9_answers())
    with time_machine.travel("2025-05-27 12:00:00+00:00", tick=False):
        submit(occurrences[1], THOUGHT_RECORD_ANSWERS)
    with time_machine.travel("2025-05-29 06:00:00+00:00", tick=False):
        submit(occurrences[2], THOUGHT_RECORD_ANSWERS)  # due the 28th at 21:00: late


def test_adherence_counts_done_on_time_and_slipping(world, acts, assign, submit):
    _homework_for(world.client_a, acts, assign, submit)
    with time_machine.travel(MONDAY, tick=False), practice_scope(world.practice_a):
        clients = Client.objects.filter(pk=world.client_a.pk)
        (row,) = caseload_rows(clients, practice_id=world.practice_a.pk)
        stats = {s["title"]: s for s in adherence_by_activity(world.client_a)}
    # Due so far: 7 thought records (26 May – 1 June); the PHQ-9 is a measure, apart.
    figures = row.adherence
    assert (figures.due, figures.done, figures.on_time) == (7, 3, 2)
    assert (figures.measures_due, figures.measures_done) == (1, 1)
    assert figures.completion == 43
    assert figures.overdue == 4  # 29 May – 1 June not done
    assert figures.slipping  # 43 % is below 50 %, and 4 overdue is 2 or more
    assert figures.streak == 0  # the most recent item due, 1 June, was not sent
    assert row.to_review == 4
    thought = stats["Thought record (7 columns)"]
    assert (thought["due"], thought["done"], thought["completion_rate"]) == (7, 3, 43)
    assert thought["on_time_rate"] == 29


def test_the_caseload_sorts_by_adherence_and_slipping(world, acts, assign, submit, web):
    _homework_for(world.client_a, acts, assign, submit)
    steady = ClientFactory(
        practice=world.practice_a, primary_therapist=world.therapist_a, full_name="Steady Sam"
    )
    with time_machine.travel("2025-06-01 08:00:00+00:00", tick=False):
        done = assign(acts.thought_record, client=steady)
        submit(_occurrences(done)[0], THOUGHT_RECORD_ANSWERS)
    with time_machine.travel(MONDAY, tick=False):
        browser = web(world.therapist_a)
        slipping = browser.get("/clients/?sort=slipping").content.decode()
        low_first = browser.get("/clients/?sort=adherence").content.decode()
        high_first = browser.get("/clients/?sort=-adherence").content.decode()
    assert slipping.index("Alpha Client") < slipping.index("Steady Sam")
    assert "Slipping</span>" in slipping and "4 overdue" in slipping
    assert low_first.index("Alpha Client") < low_first.index("Steady Sam")
    assert high_first.index("Steady Sam") < high_first.index("Alpha Client")
    assert "43%" in slipping and "100%" in slipping


def test_caseload_client_page_and_session_review_run_constant_queries(
    world, acts, assign, submit, web
):
    """The same number of queries with 5 clients (and their homework) as with 200."""
    browser = web(world.owner_a)
    clients = [world.client_a]

    def grow(to):
        while len(clients) < to:
            clients.append(
                ClientFactory(practice=world.practice_a, primary_therapist=world.therapist_a)
            )
            with time_machine.travel("2025-05-30 08:00:00+00:00", tick=False):
                assignment = assign(acts.phq9, client=clients[-1])
                submit(_occurrences(assignment)[0], phq9_answers())
                assign(
                    acts.thought_record, client=world.client_a, schedule_kind="daily", repeat_days=2
                )

    def measure():
        with time_machine.travel(MONDAY, tick=False):
            return (
                _queries(browser, "/clients/"),
                _queries(browser, f"/clients/{world.client_a.pk}/"),
                _queries(browser, f"/clients/{world.client_a.pk}/session-review/"),
            )

    grow(5)
    few = measure()
    grow(200)
    many = measure()
    assert few == many, (few, many)
    with scopes_disabled():
        assert Client.objects.filter(practice=world.practice_a).count() == 200


def test_the_session_review_holds_its_queries_with_many_responses(world, acts, assign, submit, web):
    browser = web(world.therapist_a)
    url = f"/clients/{world.client_a.pk}/session-review/"

    def add(count):
        """Entries, each edited once, with a check-in, a question and a flagged PHQ-9."""
        for _ in range(count):
            with time_machine.travel("2025-05-30 08:00:00+00:00", tick=False):
                assignment = assign(acts.thought_record)
                response = submit(_occurrences(assignment)[0], THOUGHT_RECORD_ANSWERS)
                with practice_scope(world.practice_a):
                    completing.checkin_record(response=response, client=world.client_a, helpful=5)
                    completing.response_revise(
                        response=response,
                        client=world.client_a,
                        answers=THOUGHT_RECORD_ANSWERS,
                        submission_key=uuid.uuid4(),
                    )
                    reviewing.message_post(assignment=assignment, client=world.client_a, body="?")
                measure_assignment = assign(acts.phq9)
                submit(_occurrences(measure_assignment)[0], phq9_answers(item9="1"))

    add(5)
    with time_machine.travel(MONDAY, tick=False):
        few = _queries(browser, url)
    add(195)  # 200 entries and 200 measures
    with time_machine.travel(MONDAY, tick=False):
        many = _queries(browser, url)
    assert few == many
