"""Entries targets: an assignment asks for a number of entries each time (a week's diary: 7),
set on the assign plan step and through the API; the client sees "3 of 7 entries" and the
item stays on their to-do until they are all in; adherence credits min(entries/target, 1)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from assignments import adherence
from assignments.models import Assignment
from library.models import CuratedActivity
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS
from tests.assignments.test_views import _plan

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"
NOW = datetime(2025, 6, 20, 12, 0, tzinfo=UTC)


def _only(assignment):
    with scopes_disabled():
        return assignment.occurrences.get()


# --- The figures ------------------------------------------------------------------------------


def test_credit_is_entries_over_target_in_thousandths_never_above_one():
    assert adherence.credit(3, 7) == 428
    assert adherence.credit(7, 7) == 1000
    assert adherence.credit(9, 7) == 1000
    assert adherence.credit(1, 1) == 1000


def test_a_diary_part_done_counts_in_part_and_a_measure_counts_apart():
    due = NOW - timedelta(days=2)
    figures = adherence.adherence_of(
        [
            (due, due - timedelta(days=3), 3, 7, False),  # a week's diary: 3 of 7
            (due, due - timedelta(hours=1), 1, 1, False),  # a worksheet, sent
            (due, None, 0, 1, True),  # a PHQ-9 not sent: not homework, not overdue
            (due - timedelta(days=7), due - timedelta(days=7), 1, 1, True),  # a PHQ-9 sent
        ],
        now=NOW,
    )
    assert (figures.due, figures.done, figures.partly, figures.credit) == (2, 1, 1, 1428)
    assert figures.completion == 71  # (3/7 + 1) / 2
    assert (figures.overdue, figures.streak) == (0, 2)
    assert (figures.measures_due, figures.measures_done) == (2, 1)
    # Two-element rows (the older callers) still read as one entry asked, homework.
    assert adherence.adherence_of([(due, due)], now=NOW).completion == 100


# --- Setting it -------------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_plan_step_sets_the_target_and_refuses_one_the_activity_cannot_take(world, web):
    browser = web(world.therapist_a)
    diary = CuratedActivity.objects.get(slug="daily-mood-log")
    url = f"/assignments/new/?client={world.client_a.pk}&curated={diary.pk}"
    page = browser.get(url).content.decode()
    assert 'name="a0-entries_target"' in page and "Entries each time" in page
    data = _plan("a0", schedule_kind="once", entries_target="7")
    assert browser.post(url, data).status_code == 302
    with scopes_disabled():
        assert Assignment.objects.get().entries_target == 7
    single = CuratedActivity.objects.get(slug="phq-9")
    url = f"/assignments/new/?client={world.client_a.pk}&curated={single.pk}"
    refused = browser.post(url, _plan("a0", schedule_kind="once", entries_target="7"))
    assert refused.status_code == 400
    assert "This activity takes one entry each time" in refused.content.decode()
    with scopes_disabled():
        assert Assignment.objects.count() == 1  # nothing half-saved


@time_machine.travel(MONDAY, tick=False)
def test_the_api_sets_the_target_and_names_the_field_when_it_cannot(world):
    therapist = APIClient()
    therapist.force_authenticate(world.therapist_a)
    base = {"client": str(world.client_a.pk)}
    diary = CuratedActivity.objects.get(slug="thought-record")
    made = therapist.post(
        "/api/v1/assignments/",
        base | {"curated_activity": str(diary.pk), "entries_target": 5},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert (made.json()["entries_target"], made.json()["is_measure"]) == (5, False)
    phq = CuratedActivity.objects.get(slug="phq-9")
    measure = therapist.post(
        "/api/v1/assignments/", base | {"curated_activity": str(phq.pk)}, format="json"
    )
    assert (measure.json()["entries_target"], measure.json()["is_measure"]) == (1, True)
    for bad in (0, 99):
        refused = therapist.post(
            "/api/v1/assignments/",
            base | {"curated_activity": str(diary.pk), "entries_target": bad},
            format="json",
        )
        assert refused.status_code == 400 and "entries_target" in refused.json()
    single = therapist.post(
        "/api/v1/assignments/",
        base | {"curated_activity": str(phq.pk), "entries_target": 3},
        format="json",
    )
    assert single.status_code == 400 and "entries_target" in single.json()


# --- What the client sees ---------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_client_sees_3_of_7_and_the_diary_stays_on_their_todo(
    world, acts, assign, submit, portal
):
    diary = assign(acts.thought_record, entries_target=7, starts_on=datetime(2025, 6, 8).date())
    occurrence = _only(diary)
    for _ in range(3):
        submit(occurrence, THOUGHT_RECORD_ANSWERS)
    browser = portal(world.client_a)
    home = browser.get("/portal/").content.decode()
    assert "3 of 7 entries" in home
    assert "Coming up" in home  # still to do, not under "Done"
    page = browser.get(f"/portal/do/{occurrence.pk}/").content.decode()
    assert "3 of 7 entries" in page
    assert 'aria-label="3 of 7 entries sent"' in page


def test_the_session_review_counts_homework_and_measures_apart(world, acts, assign, submit, web):
    from tests.assignments.fixtures import phq9_answers

    with time_machine.travel(MONDAY, tick=False):
        measure = assign(acts.phq9)
        submit(_only(measure), phq9_answers())
        assign(acts.thought_record)  # due tonight, not sent
    with time_machine.travel("2025-06-03 12:00:00+00:00", tick=False):
        page = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/session-review/")
    body = page.content.decode()
    assert "homework 0 done, 1 not done · measures completed: 1 of 1" in body


def test_a_log_carries_its_default_target_and_the_definition_checks_it(world):
    from library.seeding import sync_global_library
    from worksheets import validate_definition

    sync_global_library()  # the seed files as they are now (a reused database may be older)
    therapist = APIClient()
    therapist.force_authenticate(world.therapist_a)
    diary = CuratedActivity.objects.get(slug="sleep-diary")
    assert diary.current_version.default_entries_target == 7
    with time_machine.travel(MONDAY, tick=False):
        made = therapist.post(
            "/api/v1/assignments/",
            {"client": str(world.client_a.pk), "curated_activity": str(diary.pk)},
            format="json",
        )
    assert made.status_code == 201 and made.json()["entries_target"] == 7
    base = {"schema_version": 1, "sections": diary.current_version.definition["sections"]}
    single = validate_definition(base | {"entries_target": 7})
    assert [issue.path for issue in single] == ["entries_target"]
    assert [i.path for i in validate_definition(base | {"entries_target": 0})] == ["entries_target"]
    assert validate_definition(base | {"entry_mode": "multiple", "entries_target": 7}) == []


# --- What the therapist sees on the client page -----------------------------------------------


def test_the_client_page_rows_count_entries_against_the_target_and_mark_measures(
    world, acts, assign, submit, web
):
    """A diary with 3 of 7 entries in is not "1 of 1" done: the row reads "3 of 7 entries"
    with the partial credit (3/7 → 43 %), the figures above count it in part, and a PHQ-9
    is marked as a measure and counted apart."""
    from assignments.selectors import adherence_by_activity
    from core.tenancy import practice_scope
    from tests.assignments.fixtures import phq9_answers

    with time_machine.travel(MONDAY, tick=False):
        diary = assign(acts.thought_record, entries_target=7)
        for _ in range(3):
            submit(_only(diary), THOUGHT_RECORD_ANSWERS)
        measure = assign(acts.phq9)
        submit(_only(measure), phq9_answers())
    with time_machine.travel(NOW, tick=False):
        page = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/").content.decode()
        with practice_scope(world.practice_a):
            stats = {s["title"]: s for s in adherence_by_activity(world.client_a)}
    rows = page.split('id="homework-title"')[1].split("</table>")[0]
    assert "3 of 7 entries" in rows and "43% done" in rows
    assert "1 of 1</td>" not in rows.split("Thought record")[1].split("</tr>")[0]
    phq_row = rows.split("PHQ-9")[1].split("</tr>")[0]
    assert "Measure</span>" in phq_row and "1 of 1 completed" in phq_row
    assert ">43%<" in rows  # homework done: the diary's credit only, not the PHQ-9
    assert "measures completed" in rows
    thought = stats["Thought record (7 columns)"]
    assert (thought["due"], thought["done"], thought["partly"]) == (1, 0, 1)
    assert thought["completion_rate"] == 43
    (phq,) = [s for s in stats.values() if s["is_measure"]]
    assert (phq["due"], phq["done"]) == (1, 1)
