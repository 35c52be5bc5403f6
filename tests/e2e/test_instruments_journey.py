"""The new standard measures in use: a client fills in the DASS-21 on a phone and sees its
three subscale scores; the PCL-5 shows its published instructions; the therapist finds all
the measures in the library, each credited, and reads the subscales with the answers."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot, sign_in
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db(transaction=True)

DEPRESSION = (3, 5, 10, 13, 16, 17, 21)
ANXIETY = (2, 4, 7, 9, 15, 19, 20)


def _top(page) -> None:
    page.evaluate("window.scrollTo(0, 0)")


def test_dass21_and_pcl5_in_the_portal_and_the_library(new_page, world, global_library, assign):
    with scopes_disabled():
        dass = assign(activity_version_for(world.practice_a, "dass-21"))
        assign(activity_version_for(world.practice_a, "pcl-5"))

    phone = new_page(PHONE)
    portal_sign_in(phone, world.client_a.email)
    # The to-do item opens the measure (the "A quick word" plan ask above it links elsewhere).
    phone.locator("a.todo", has_text="PCL-5").first.click()
    phone.wait_for_url("**/do/**")
    expect(phone.get_by_text("In the past month, how much were you bothered by:")).to_be_visible()
    expect(phone.get_by_text("Being “superalert” or watchful or on guard?")).to_be_visible()
    _top(phone)
    screenshot(phone, "instrument-pcl5")

    phone.goto("/portal/")
    phone.locator("a.todo", has_text="DASS-21").first.click()
    phone.wait_for_url("**/do/**")
    expect(phone.get_by_text("I found it hard to wind down")).to_be_visible()
    _top(phone)
    screenshot(phone, "instrument-dass21")
    for n in range(1, 22):
        value = "2" if n in DEPRESSION else "1" if n in ANXIETY else "0"
        phone.locator(f'input[name="f.q{n}"][value="{value}"]').check()
    phone.get_by_role("button", name="Send to your therapist").click()
    phone.wait_for_url("**/entries/**")
    scores = phone.get_by_role("list", name="Subscale scores")
    expect(scores).to_contain_text("Depression")
    expect(scores).to_contain_text("28")
    expect(scores).to_contain_text("Extremely severe")
    expect(scores).to_contain_text("Anxiety")
    _top(phone)
    screenshot(phone, "instrument-dass21-sent")

    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.goto("/library/?kind=measure")
    for title in ("PHQ-2", "GAD-2", "PHQ-15", "PCL-5", "DASS-21", "K10"):
        expect(desk.get_by_text(re.compile(re.escape(title))).first).to_be_visible()
    _top(desk)
    screenshot(desk, "instrument-library-measures")

    desk.goto(f"/assignments/{dass.pk}/")
    detail = desk.get_by_role("list", name="Subscale scores").first
    expect(detail).to_contain_text("Stress")
    screenshot(desk, "instrument-dass21-therapist")
