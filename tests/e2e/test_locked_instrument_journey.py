"""A therapist copies the PHQ-9: the builder shows it locked with only its details to change
and the credit under the preview; "Make an adapted copy" opens an unlocked draft that
credits its source."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from library.models import CuratedActivity
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PFIZER = "with an educational grant from Pfizer Inc."


def _top(page) -> None:
    page.evaluate("window.scrollTo(0, 0)")


def test_a_locked_copy_and_an_adapted_copy(new_page, world, global_library):
    with scopes_disabled():
        phq9 = CuratedActivity.objects.get(slug="phq-9")
    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.goto(f"/library/global/{phq9.pk}/")
    expect(desk.get_by_text(PFIZER).first).to_be_attached()
    desk.get_by_role("button", name="Copy to change the details").click()
    desk.get_by_role("heading", name="The PHQ-9’s questions are locked").wait_for()
    expect(desk.get_by_role("button", name="Add a section")).to_have_count(0)
    expect(desk.get_by_text("Details the client reads")).to_be_visible()
    _top(desk)
    screenshot(desk, "library-locked-instrument")

    phone = new_page(PHONE)
    sign_in(phone, world.therapist_a.email)
    phone.goto(desk.url)
    phone.get_by_role("heading", name="The PHQ-9’s questions are locked").wait_for()
    _top(phone)
    screenshot(phone, "library-locked-instrument")

    desk.get_by_role("button", name="Make an adapted copy").click()
    desk.get_by_role("heading", name="Edit “Adapted from PHQ-9”").wait_for()
    expect(desk.get_by_role("button", name="Add a section")).to_be_visible()
    expect(desk.get_by_text("Adapted from the PHQ-9;").first).to_be_attached()
    _top(desk)
    screenshot(desk, "library-adapted-copy")
