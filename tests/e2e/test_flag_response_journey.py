"""A therapist opens a client's page with an open flag (PHQ-9 item 9), records what was done
(two actions and a note) and sees it in the flag history; on a phone, a response with "Other"
and no note is refused next to the note, keeps what was ticked, and goes through once the
note is written."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from assignments.models import Flag, FlagEvent
from tests.assignments.fixtures import phq9_answers
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _top(page) -> None:
    """Full-page screenshots draw the sticky top bar where the page is scrolled to."""
    page.evaluate("window.scrollTo(0, 0)")


@pytest.fixture
def two_flags(world, acts, assign, submit):
    tomorrow = timezone.localdate(timezone.now(), world.client_a.tz) + timedelta(days=1)
    for _ in range(2):
        assignment = assign(acts.phq9, starts_on=tomorrow)
        with scopes_disabled():
            occurrence = assignment.occurrences.get()
        submit(occurrence, phq9_answers(item9="1"))
    with scopes_disabled():
        return list(Flag.objects.order_by("created_at"))


def test_respond_to_a_flag_and_see_it_in_the_history(new_page, world, two_flags):
    # --- At the desk: two actions and a note --------------------------------------------
    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.get_by_role("link", name="Alpha Client").click()
    attention = desk.locator("section").filter(
        has=desk.get_by_role("heading", name="Needs your attention")
    )
    expect(attention.locator(".flag-open")).to_have_count(2)
    first = attention.locator(".flag-open").first
    first.get_by_text("Respond").click()
    first.get_by_label("Assessed risk").check()
    first.get_by_label("Contacted the client").check()
    first.get_by_label("Note").fill(
        "Phoned her: passive thoughts, no plan or intent. Safety plan agreed."
    )
    _top(desk)
    screenshot(desk, "flag-respond-form")
    first.get_by_role("button", name="Save response").click()

    expect(desk.get_by_text("Your response is recorded in the flag's history.")).to_be_visible()
    expect(attention.locator(".flag-open")).to_have_count(1)
    history = desk.locator("#flag-history")
    responded = history.locator(".flag-history__flag").filter(has_text="Responded")
    expect(responded).to_have_count(1)
    expect(responded.get_by_text("Assessed risk")).to_be_visible()
    expect(responded.get_by_text("Contacted the client")).to_be_visible()
    expect(responded.get_by_text("no plan or intent")).to_be_visible()
    expect(responded.get_by_text(world.therapist_a.get_full_name())).to_be_visible()
    # Open flags come first in the history.
    expect(history.locator(".flag-history__flag").first.get_by_text("Open")).to_be_visible()
    _top(desk)
    screenshot(desk, "flag-history")

    # --- On a phone: "Other" needs a note ----------------------------------------------
    phone = new_page(PHONE)
    sign_in(phone, world.therapist_a.email)
    phone.get_by_role("link", name="Alpha Client").first.click()
    remaining = phone.locator(".flag-open")
    remaining.get_by_text("Respond").click()
    remaining.get_by_label("Reviewed the safety plan").check()
    remaining.get_by_label("Other").check()
    remaining.get_by_role("button", name="Save response").click()

    expect(phone.get_by_role("heading", name="Respond to a flag")).to_be_visible()
    note = phone.get_by_label("Note")
    expect(
        phone.locator(".field--error").get_by_text("a note is needed with “Other”")
    ).to_be_visible()
    expect(phone.get_by_label("Reviewed the safety plan")).to_be_checked()
    expect(phone.get_by_label("Other")).to_be_checked()
    _top(phone)
    screenshot(phone, "flag-respond-error")
    note.fill("Left a message with her GP.")
    phone.get_by_role("button", name="Save response").click()

    expect(phone.get_by_text("Your response is recorded in the flag's history.")).to_be_visible()
    expect(phone.get_by_role("heading", name="Needs your attention")).to_have_count(0)
    expect(
        phone.locator("#flag-history").get_by_text("Left a message with her GP.")
    ).to_be_visible()
    _top(phone)
    screenshot(phone, "flag-history")

    with scopes_disabled():
        assert FlagEvent.objects.count() == 2
        assert not Flag.objects.filter(acknowledged_at=None).exists()
