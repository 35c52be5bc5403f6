"""First use, the client's side (issue 23), on a 390×844 phone. The invitation, sent a day
ago, still works (one button press, as a link scanner cannot); the first worksheet opens with
its first question in view; reminder settings are found from the to-do page; after a flagged
PHQ-9 answer the crisis lines come first and the number is a tap-to-call link. Every tap
target on the client pages is at least 44×44 px."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from clients.services import client_portal_invite
from core.tenancy import practice_scope
from tests.assignments.fixtures import membership_of
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in_link
from tests.e2e.test_accessibility import violations
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db(transaction=True)

# Everything a thumb can hit. Inline links inside running text are exempt (WCAG 2.5.8).
TARGETS = """() => [...document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')]
  .filter((el) => el.offsetParent !== null && !el.closest('p, li.plain, .field__help, dd'))
  .map((el) => { const r = el.getBoundingClientRect();
    const label = el.closest('label'); const lr = label ? label.getBoundingClientRect() : r;
    const w = Math.max(r.width, lr.width), h = Math.max(r.height, lr.height);
    return {what: (el.innerText || el.name || el.type || el.tagName).trim().slice(0, 40),
            w: Math.round(w), h: Math.round(h)}; })
  .filter((t) => t.w < 44 || t.h < 44)"""


def _small_targets(page) -> list:
    """Tap targets under 44×44 px; on the way, axe stays clean and no template comment leaked
    onto the page."""
    assert "{#" not in page.content()
    assert violations(page) == []
    return page.evaluate(TARGETS)


@pytest.fixture
def invited_yesterday(world, global_library):
    """A thought record and a PHQ-9 assigned, and the portal invitation sent a day ago."""
    practice = world.practice_a
    with scopes_disabled():
        practice.crisis_country = "GB"
        practice.save()
        client = world.client_a
        therapist = membership_of(practice, client.primary_therapist)
    from assignments.services.assigning import assignment_create

    with practice_scope(practice):
        for slug in ("thought-record", "phq-9"):
            assignment_create(
                client=client,
                actor=therapist,
                activity_version=activity_version_for(practice, slug),
            )
    with time_machine.travel(timezone.now() - timedelta(days=1)), practice_scope(practice):
        client_portal_invite(client=client, actor=therapist)
    return client


def test_a_new_client_on_a_phone_a_day_after_the_invitation(new_page, world, invited_yesterday):
    phone = new_page(PHONE)
    link = sign_in_link(invited_yesterday.email)
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Sign in to Bridgework")).to_be_visible()
    assert "Welcome back" not in phone.content()  # a first visit is nobody's "back"
    screenshot(phone, "firstuse-invitation")
    assert _small_targets(phone) == [], _small_targets(phone)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url("**/portal/")
    expect(phone.get_by_role("heading", name=re.compile("^Hi "))).to_be_visible()
    screenshot(phone, "firstuse-todo")
    assert _small_targets(phone) == [], _small_targets(phone)

    # The first worksheet: its first question is in view without scrolling.
    phone.locator("a.todo").first.click()
    phone.wait_for_url("**/portal/do/**")
    first_question = phone.locator(".worksheet .field").first
    expect(first_question).to_be_visible()
    box = first_question.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + min(box["height"], 120) <= PHONE["height"], box
    assert phone.evaluate("window.scrollY") == 0
    screenshot(phone, "firstuse-worksheet")
    worksheet_url = phone.url
    assert _small_targets(phone) == [], _small_targets(phone)

    # Reminder settings, from the to-do page.
    phone.goto("/portal/")
    phone.get_by_role("link", name="Reminder settings").click()
    expect(phone.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
    expect(phone.locator(".upcoming-reminder").first).to_contain_text(
        re.compile("Thought record|PHQ-9")
    )
    screenshot(phone, "firstuse-reminders")
    assert _small_targets(phone) == [], _small_targets(phone)

    # A flagged PHQ-9 answer: the crisis lines first, one tap to call.
    phone.goto("/portal/")
    # The to-do's own item, not the "does this plan work for you?" ask above it.
    phone.get_by_role("link", name=re.compile(r"^PHQ-9")).click()
    for n in range(1, 10):
        field = phone.locator("fieldset").filter(has=phone.locator(f'input[name="f.q{n}"]')).last
        field.get_by_label("Several days").check()
    phone.get_by_role("button", name="Send to your therapist").click()
    phone.wait_for_url(re.compile(r"/portal/entries/.+sent=1"))
    support = phone.locator(".support")
    expect(support).to_be_visible()
    assert "Well done" not in phone.content()
    call = support.get_by_role("link", name=re.compile("Call Samaritans"))
    expect(call).to_have_attribute("href", "tel:116123")
    box = call.bounding_box()
    assert box is not None and box["height"] >= 44
    screenshot(phone, "firstuse-crisis")
    assert _small_targets(phone) == [], _small_targets(phone)
    url = phone.url
    call.click(no_wait_after=True)  # the phone's dialler takes over; the page stays
    assert phone.url == url

    # The same pages at a desktop width, to look at.
    phone.set_viewport_size(DESKTOP)
    screenshot(phone, "firstuse-crisis")
    for path, name in (("/portal/", "todo"), ("/portal/reminders/", "reminders")):
        phone.goto(path)
        screenshot(phone, f"firstuse-{name}")
    phone.goto(worksheet_url)
    screenshot(phone, "firstuse-worksheet")
