"""The risk path end to end. A client on a pathway, on a phone, has "Need help now?" on every
portal page; the PHQ-9 tells them item 9 is passed on; they answer it ("Several days") and
leave without sending once the draft is saved. The therapist sees the open flag on the
dashboard and the client page; a sweep of the reminder engine has emailed them (discreetly);
unacknowledged past the escalation time, the next sweep tells the owner. The therapist responds
(two actions and a note), sees it in the flag history, and the enrolment the flag held resumes
only with a written decision."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from assignments.models import Flag, FlagEvent, Response
from core.tenancy import practice_scope
from library.models import CuratedActivity
from pathways.models import Enrolment, EnrolmentHold
from pathways.services.authoring import pathway_create, pathway_publish, pathway_step_add
from pathways.services.enrolments import enrolment_create
from reminders.services.engine import reminders_sweep
from tests.assignments.fixtures import membership_of
from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot, sign_in
from tests.pathways.conftest import steps_of, sweep_and_release

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "A client’s answer needs your attention"
HELD = re.compile("an answer was flagged")
DECISION = "Phoned her after the flag: passive thoughts, no plan. Safe to carry on."


def _top(page) -> None:
    """Full-page screenshots draw the sticky top bar where the page is scrolled to."""
    page.evaluate("window.scrollTo(0, 0)")


def _help_link(page):
    return page.get_by_role("link", name="Need help now?")


def _sweep() -> None:
    """What beat does: one sweep; with Celery eager, the deliveries it enqueues run on
    commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        reminders_sweep()


def _mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def _assert_discreet(message, world) -> None:
    assert message.subject == SUBJECT
    for clinical in ("PHQ", "item 9", "Several days", "dead", "score", "Alpha Client"):
        assert clinical.lower() not in message.subject.lower()
    assert world.client_a.full_name not in message.body
    assert "PHQ" not in message.body


@pytest.fixture
def enrolled(world, global_library):
    """Client A enrolled in a pathway: the PHQ-9 at once, a thought record two days later."""
    practice = world.practice_a
    owner = membership_of(practice, world.owner_a)
    with practice_scope(practice):
        pathway = pathway_create(practice=practice, actor=owner, name="Low mood (2 steps)")
        pathway_step_add(
            pathway=pathway,
            actor=owner,
            curated_activity=CuratedActivity.objects.get(slug="phq-9"),
            delivery="on_enrolment",
        )
        pathway_step_add(
            pathway=pathway,
            actor=owner,
            curated_activity=CuratedActivity.objects.get(slug="thought-record"),
            delivery="days_after_enrolment",
            delay_days=2,
        )
        pathway_publish(pathway=pathway, actor=owner)
    with scopes_disabled():
        client = world.client_a
        therapist = membership_of(practice, client.primary_therapist)
    with practice_scope(practice), TestCase.captureOnCommitCallbacks(execute=True):
        enrolment = enrolment_create(
            pathway=pathway,
            client=client,
            actor=therapist,
            start_date=timezone.localdate(timezone.now(), client.tz),
        )
    sweep_and_release()
    first, _ = steps_of(enrolment)
    assert first.assignment is not None, "the PHQ-9 step was not released"
    return enrolment


def test_flag_alert_escalation_response_and_hold(new_page, world, enrolled):
    # --- The client, on a phone: help on every page, the notice, item 9, leave ----------
    phone = new_page(PHONE)
    phone.goto("/portal/sign-in/")
    expect(_help_link(phone)).to_be_visible()
    portal_sign_in(phone, world.client_a.email)
    expect(_help_link(phone)).to_be_visible()
    _top(phone)
    screenshot(phone, "risk-portal-todo")

    phone.goto("/portal/journey/")
    expect(_help_link(phone)).to_be_visible()
    phone.goto("/portal/")
    phone.get_by_role("link", name=re.compile("PHQ-9")).first.click()
    notice = phone.locator(".risk-notice")
    expect(notice).to_contain_text("one answer is always passed on")
    expect(notice).to_contain_text("better off dead")
    expect(_help_link(phone)).to_be_visible()
    _top(phone)
    screenshot(phone, "risk-phq9-notice")

    item9 = phone.locator("fieldset").filter(has=phone.locator('input[name="f.q9"]')).last
    item9.get_by_label("Several days").check()
    expect(phone.locator('input[name="f.q9"][value="1"]')).to_be_checked()
    # Moving on from the answer saves the draft (so does the timer, every few seconds).
    phone.keyboard.press("Tab")
    expect(phone.locator("[data-autosave-status]")).to_contain_text("Draft saved", timeout=15_000)
    screenshot(phone, "risk-phq9-draft-saved")
    phone.close()  # gone without pressing "Send to your therapist"

    with scopes_disabled():
        flag = Flag.objects.get(client=world.client_a)
        assert flag.acknowledged_at is None
        assert not Response.objects.filter(client=world.client_a, submitted_at__isnull=False)
        assert Enrolment.objects.get(pk=enrolled.pk).held_at is not None

    # --- The therapist, at the desk: the open flag on the dashboard and the client page ---
    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.goto("/dashboard/")
    flagged = desk.locator(".dash-row--flagged").filter(has_text="Alpha Client")
    expect(flagged).to_have_count(1)
    expect(flagged.locator(".badge--flag")).to_have_text("1 open")
    screenshot(desk, "risk-dashboard")

    desk.goto("/clients/")
    desk.get_by_role("link", name="Alpha Client").click()
    attention = desk.locator("section").filter(
        has=desk.get_by_role("heading", name="Needs your attention")
    )
    expect(attention.locator(".flag-open")).to_have_count(1)
    _top(desk)
    screenshot(desk, "risk-client-flag")
    client_url = desk.url

    # --- The reminder engine: the therapist's alert, then the owner's escalation --------
    # The alert went out at once, when the draft raised the flag; a sweep adds no second one.
    (alert,) = _mails_to(world.therapist_a)
    _sweep()
    assert _mails_to(world.therapist_a) == [alert]
    _assert_discreet(alert, world)
    assert _mails_to(world.owner_a) == []

    with scopes_disabled():
        raised_at = Flag.objects.get(pk=flag.pk).created_at
        escalate_after = world.practice_a.escalate_after
    with time_machine.travel(raised_at + escalate_after + timedelta(minutes=1), tick=False):
        _sweep()
    (escalation,) = _mails_to(world.owner_a)
    _assert_discreet(escalation, world)
    assert len(_mails_to(world.therapist_a)) == 1  # the therapist is not alerted twice

    # --- The therapist responds: two actions and a note, in the flag history -------------
    desk.goto(client_url)
    first = attention.locator(".flag-open").first
    first.get_by_text("Respond").click()
    first.get_by_label("Assessed risk").check()
    first.get_by_label("Contacted the client").check()
    first.get_by_label("Note").fill("Phoned her: passive thoughts, no plan or intent.")
    _top(desk)
    screenshot(desk, "risk-flag-respond")
    first.get_by_role("button", name="Save response").click()

    expect(desk.get_by_text("Your response is recorded in the flag's history.")).to_be_visible()
    expect(attention.locator(".flag-open")).to_have_count(0)
    responded = desk.locator("#flag-history .flag-history__flag").filter(has_text="Responded")
    expect(responded).to_have_count(1)
    expect(responded.get_by_text("Assessed risk")).to_be_visible()
    expect(responded.get_by_text("Contacted the client")).to_be_visible()
    expect(responded.get_by_text("no plan or intent")).to_be_visible()
    _top(desk)
    screenshot(desk, "risk-flag-history")

    # --- The enrolment stays held until resumed with a decision --------------------------
    enrolment_url = f"/pathways/enrolments/{enrolled.pk}/"
    desk.goto(enrolment_url)
    held = desk.get_by_role("heading", name=HELD)
    expect(held).to_be_visible()
    expect(desk.get_by_text("Nothing is released while held.")).to_be_visible()
    _top(desk)
    screenshot(desk, "risk-enrolment-held")

    on_phone = new_page(PHONE)
    sign_in(on_phone, world.therapist_a.email)
    on_phone.goto(enrolment_url)
    expect(on_phone.get_by_role("heading", name=HELD)).to_be_visible()
    screenshot(on_phone, "risk-enrolment-held")

    desk.get_by_role("button", name="Resume with this decision").click()
    expect(desk.locator(".field--error")).to_contain_text("required")  # a decision is needed
    desk.get_by_label("Your decision").fill(DECISION)
    desk.get_by_role("button", name="Resume with this decision").click()
    expect(desk.get_by_role("heading", name=HELD)).to_have_count(0)
    holds = desk.locator("section").filter(has=desk.get_by_role("heading", name="Holds"))
    expect(holds).to_contain_text("resumed")
    expect(holds).to_contain_text(DECISION)
    expect(holds).to_contain_text(world.therapist_a.get_full_name())
    _top(desk)
    screenshot(desk, "risk-enrolment-resumed")

    with scopes_disabled():
        assert Enrolment.objects.get(pk=enrolled.pk).held_at is None
        (hold,) = EnrolmentHold.objects.filter(enrolment=enrolled)
        assert hold.decision == DECISION
        assert FlagEvent.objects.filter(flag=flag).count() == 1
