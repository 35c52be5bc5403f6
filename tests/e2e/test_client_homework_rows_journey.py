"""A therapist opens a client's page: the week's diary with 3 entries in reads "3 of 7
entries · 43% done" (not "1 of 1"), the PHQ-9 carries a "Measure" badge, and the figures
above the list count the diary in part and the measure apart."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, phq9_answers
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_client_page_counts_diary_entries_and_marks_measures(
    new_page, world, acts, assign, submit
):
    diary = assign(acts.thought_record, entries_target=7)
    with scopes_disabled():
        occurrence = diary.occurrences.get()
    for _ in range(3):
        submit(occurrence, THOUGHT_RECORD_ANSWERS)
    measure = assign(acts.phq9)
    with scopes_disabled():
        submit(measure.occurrences.get(), phq9_answers())

    page = new_page(DESKTOP)
    sign_in(page, world.therapist_a.email)
    page.goto(f"/clients/{world.client_a.pk}/")
    homework = page.get_by_role("region", name="Homework")
    diary_row = homework.get_by_role("row").filter(has_text="Thought record")
    expect(diary_row).to_contain_text("3 of 7 entries")
    expect(diary_row).to_contain_text("43% done")
    measure_row = homework.get_by_role("row").filter(has_text="PHQ-9")
    expect(measure_row).to_contain_text("Measure")
    expect(measure_row).to_contain_text("1 of 1 completed")
    expect(homework).to_contain_text("measures completed")
    screenshot(page, "client-homework-rows")
    phone = new_page(PHONE)
    sign_in(phone, world.therapist_a.email)
    phone.goto(f"/clients/{world.client_a.pk}/")
    expect(phone.get_by_role("region", name="Homework")).to_contain_text("3 of 7 entries")
    screenshot(phone, "client-homework-rows")
