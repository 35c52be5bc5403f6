"""Reminders in a real browser. A client gets new homework and finds it under Updates on a
phone, marks it read, sets their reminder time (a time inside their quiet hours is refused
next to the field), pauses reminders and gets a calendar link. The link in the reminder
email opens their email settings without signing in and stops the emails in one click. A
therapist sees the bell and their notifications; the owner sees delivery problems."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from core.tenancy import practice_scope
from reminders.models import (
    ClientPreference,
    EmailBounce,
    Kind,
    Notification,
    Reminder,
    ReminderPolicy,
    Status,
)
from reminders.services.bounces import email_bounce_record
from tests.e2e.conftest import DESKTOP, PHONE, portal_session_cookie, screenshot, sign_in
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def homework(world):
    """New homework for client A, through the real services: the "new homework" reminder
    goes out at once (no quiet hours in this practice, whatever time the test runs)."""
    from accounts.models import Membership
    from assignments.services.assigning import assignment_create

    with scopes_disabled():
        ReminderPolicy.objects.create(
            practice=world.practice_a, quiet_start="00:00", quiet_end="00:00"
        )
        therapist = Membership.objects.get(practice=world.practice_a, user=world.therapist_a)
    version = activity_version_for(world.practice_a, "thought-record")
    with practice_scope(world.practice_a):
        assignment_create(client=world.client_a, actor=therapist, activity_version=version)
    with scopes_disabled():
        Notification.objects.create(
            practice=world.practice_a,
            client=world.client_a,
            kind=Kind.DUE_SOON,
            title="Something is due soon",
            body="There is something on your to-do list for today.",
            link="/portal/",
        )
    return version


def test_a_client_reads_updates_and_sets_reminders_on_a_phone(
    new_page, world, homework, live_server
):
    phone = new_page(PHONE)
    phone.context.add_cookies([portal_session_cookie(world.client_a, live_server.url)])
    phone.goto("/portal/")
    updates = phone.get_by_role("link", name=re.compile(r"^Updates\W+2 unread"))
    expect(updates).to_be_visible()
    updates.click()
    phone.get_by_role("heading", name="Updates").wait_for()
    expect(phone.get_by_role("link", name=re.compile("^New homework is ready"))).to_be_visible()
    expect(phone.get_by_text(homework.title)).to_have_count(0)  # discreet
    screenshot(phone, "reminders-updates")

    mark_read = phone.get_by_role("button", name=re.compile(r"^Mark read\W+Something is due soon"))
    mark_read.click()
    expect(mark_read).to_have_count(0)
    phone.get_by_role("button", name="Mark all as read").click()
    expect(phone.get_by_text("You're all caught up.")).to_be_visible()
    screenshot(phone, "reminders-updates-read")

    # The Updates page links them; so does the footer of every portal page.
    phone.locator("#main").get_by_role("link", name="Reminder settings").click()
    phone.get_by_role("heading", name="Reminders", exact=True).wait_for()
    screenshot(phone, "reminders-settings")
    phone.get_by_label("Remind me at").fill("23:00")
    phone.get_by_label("Quiet from").fill("22:00")
    phone.get_by_label("Quiet until").fill("07:00")
    phone.get_by_role("button", name="Save my choices").click()
    error = phone.locator("#id_reminder_time_error")
    expect(error).to_contain_text("23:00 is inside the quiet hours (22:00–07:00)")
    expect(phone.get_by_label("Remind me at")).to_have_value("23:00")
    expect(phone.get_by_label("Remind me at")).to_have_attribute(
        "aria-describedby", re.compile("id_reminder_time_error")
    )
    error.scroll_into_view_if_needed()
    screenshot(phone, "reminders-settings-error")

    phone.get_by_label("Remind me at").fill("19:00")
    phone.get_by_role("button", name="Save my choices").click()
    expect(phone.get_by_text("Saved. Your reminders follow your new choices.")).to_be_visible()
    phone.get_by_label("3 days").check()
    phone.get_by_role("button", name="Pause reminders").click()
    expect(phone.get_by_text(re.compile("^Paused until"))).to_be_visible()
    phone.get_by_role("button", name="Get a calendar link").click()
    feed = phone.get_by_label("Your calendar link")
    expect(feed).to_have_value(re.compile(r"/r/calendar/[\w-]+\.ics$"))
    screenshot(phone, "reminders-settings-saved")
    with scopes_disabled():
        preference = ClientPreference.objects.get(client=world.client_a)
    assert preference.reminder_time.strftime("%H:%M") == "19:00"
    assert preference.snoozed_until is not None

    desktop = new_page(DESKTOP)
    desktop.context.add_cookies([portal_session_cookie(world.client_a, live_server.url)])
    desktop.goto("/portal/reminders/")
    screenshot(desktop, "reminders-settings")
    desktop.goto("/portal/notifications/")
    screenshot(desktop, "reminders-updates")


def test_the_email_link_stops_emails_in_one_click(new_page, world, homework):
    message = next(m for m in mail.outbox if m.to == [world.client_a.email])
    assert message.subject == "You have something new in Bridgework"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = re.sub(r"^https?://[^/]+", "", link)
    phone = new_page(PHONE)
    phone.goto(path)
    phone.get_by_role("heading", name="Reminder emails").wait_for()
    screenshot(phone, "reminders-email-link")
    phone.get_by_role("button", name="Stop all reminder emails").click()
    phone.get_by_role("heading", name="You will get no more reminder emails").wait_for()
    with scopes_disabled():
        assert ClientPreference.objects.get(client=world.client_a).email is False
    phone.goto(path[:-5] + "xxxx/")
    phone.get_by_role("heading", name="This link is not valid").wait_for()
    screenshot(phone, "reminders-email-link-invalid")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_therapist_and_the_owner(new_page, world, homework, viewport):
    with scopes_disabled():
        Notification.objects.create(
            practice=world.practice_a,
            client=world.client_a,
            recipient_user=world.therapist_a,
            kind=Kind.FLAGGED_SCORE,
            title="An answer needs your attention",
            body=f"{world.client_a.display_name} has an answer that was flagged.",
            link=f"/clients/{world.client_a.pk}/",
        )
        Reminder.objects.create(
            practice=world.practice_a,
            client=world.client_a,
            kind=Kind.NOT_DONE,
            local_day=timezone.localdate(),
            dedupe_key="e2e-failed",
            scheduled_for=timezone.now(),
            due_at=timezone.now(),
            status=Status.FAILED,
            attempts=5,
            last_error="Email: SMTPServerDisconnected: Connection unexpectedly closed",
        )
    email_bounce_record(email=world.client_a.email, reason="550 5.1.1 mailbox unknown")
    page = new_page(viewport)
    sign_in(page, world.therapist_a.email)
    bell = page.get_by_role("link", name="Notifications, 1 unread")
    expect(bell).to_be_visible()
    bell.click()
    page.get_by_role("heading", name="Notifications").wait_for()
    screenshot(page, "reminders-staff-notifications")
    page.get_by_role("link", name="An answer needs your attention").click()
    page.wait_for_url(f"**/clients/{world.client_a.pk}/")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    owner = new_page(viewport)
    sign_in(owner, world.owner_a.email)
    owner.goto("/practice/reminders/problems/")
    expect(owner.get_by_text("550 5.1.1 mailbox unknown")).to_be_visible()
    screenshot(owner, "reminders-delivery-problems")
    expect(owner.get_by_text("SMTPServerDisconnected")).to_be_visible()
    owner.get_by_role("button", name="Email works again").click()
    expect(
        owner.get_by_text(f"Emails to {world.client_a.email} will be sent again.")
    ).to_be_visible()
    with scopes_disabled():
        assert EmailBounce.objects.get(practice=world.practice_a).cleared_at is not None
    owner.goto("/practice/reminders/")
    screenshot(owner, "reminders-policy")
