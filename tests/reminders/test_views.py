"""Pages: the client's reminder settings, calendar feed and notifications; a therapist's
notifications and alerts; the owner's policy and delivery problems; overrides; the link in
every email. Every object URL answers 404 to the other practice (and to a colleague who
does not see the client)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import AuditEvent
from reminders import links
from reminders.models import (
    CalendarFeed,
    ClientPreference,
    Kind,
    Notification,
    ReminderOverride,
    StaffPreference,
    Status,
)
from tests.reminders.conftest import reminders_of

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def make_notifications(client=None, user=None, practice=None, count=1, **fields):
    with scopes_disabled():
        practice = practice or (client.practice if client else None)
        return [
            Notification.objects.create(
                practice=practice,
                client=client,
                recipient_user=user,
                kind=fields.get("kind", Kind.DUE_SOON),
                title=fields.get("title", f"Something is due soon {n}"),
                link=fields.get("link", "/portal/"),
            )
            for n in range(count)
        ]


# --- The client's reminder settings ------------------------------------------------------------


def test_the_client_saves_their_reminder_choices(world, portal):
    browser = portal(world.client_a)
    page = browser.get("/portal/reminders/")
    assert page.status_code == 200
    assert "Text me" not in page.content.decode()  # the practice offers no SMS
    response = browser.post(
        "/portal/reminders/",
        {
            "email": "on",
            "in_app": "on",
            "reminder_time": "19:30",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "daily_cap": "2",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        preference = ClientPreference.objects.get(client=world.client_a)
    assert (preference.reminder_time, preference.daily_cap) == (time(19, 30), 2)


def test_a_reminder_time_inside_quiet_hours_is_refused_next_to_the_field(world, portal):
    response = portal(world.client_a).post(
        "/portal/reminders/",
        {
            "email": "on",
            "reminder_time": "23:15",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "daily_cap": "3",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "23:15 is inside the quiet hours (22:00–07:00)" in html
    assert 'id="id_reminder_time_error"' in html
    assert 'value="23:15"' in html  # what was typed is kept
    with scopes_disabled():
        assert not ClientPreference.objects.filter(client=world.client_a).exists()


def test_pausing_and_resuming_reminders(world, portal):
    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False):
        browser = portal(world.client_a)
        browser.post("/portal/reminders/snooze/", {"days": "3"})
        page = browser.get("/portal/reminders/").content.decode()
        assert "paused until <strong>Thursday 5 June, 09:00</strong>" in page
        browser.post("/portal/reminders/snooze/", {"action": "resume"})
    with scopes_disabled():
        assert ClientPreference.objects.get(client=world.client_a).snoozed_until is None


def test_the_calendar_feed_is_private_discreet_and_revocable(world, portal, acts, assign, web):
    assignment = assign(acts.worksheet, starts_on=timezone.localdate() + timedelta(days=2))
    with scopes_disabled():
        due_at = assignment.occurrences.get().due_at
    browser = portal(world.client_a)
    browser.post("/portal/reminders/calendar/")
    page = browser.get("/portal/reminders/").content.decode()
    url = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    path = url.replace("http://testserver", "")
    assert path.startswith("/r/calendar/") and path.endswith(".ics")
    assert url not in browser.get("/portal/reminders/").content.decode()  # shown once
    feed = web().get(path)
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    text = feed.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 1
    assert f"DTEND:{due_at:%Y%m%dT%H%M%SZ}" in text
    assert "SUMMARY:Bridgework to-do" in text
    assert acts.worksheet.title not in text
    with scopes_disabled():
        assert (
            AuditEvent.objects.filter(action="calendar_feed", client_id=world.client_a.pk).count()
            == 1
        )
    browser.post("/portal/reminders/calendar/")  # a new link: the old one stops
    assert web().get(path).status_code == 404
    browser.post("/portal/reminders/calendar/", {"action": "revoke"})
    with scopes_disabled():
        assert not CalendarFeed.objects.filter(client=world.client_a, revoked_at=None).exists()
    assert web().get("/r/calendar/not-a-token.ics").status_code == 404


# --- The notification centres ------------------------------------------------------------------


def test_the_client_reads_their_notifications(world, portal):
    first, second = make_notifications(world.client_a, count=2)
    make_notifications(world.client_b, title="Beta note")
    browser = portal(world.client_a)
    page = browser.get("/portal/notifications/").content.decode()
    assert "2 new" in page and "Beta note" not in page
    assert 'Updates<span class="visually-hidden">, 2 unread' in page
    opened = browser.get(f"/portal/notifications/{first.pk}/")
    assert opened.status_code == 302 and opened["Location"] == "/portal/"
    partial = browser.post(f"/portal/notifications/{second.pk}/read/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "notice--unread" not in partial.content.decode()
    assert "all caught up" in browser.get("/portal/notifications/").content.decode()


def test_mark_all_read(world, portal):
    make_notifications(world.client_a, count=3)
    portal(world.client_a).post("/portal/notifications/read-all/")
    with scopes_disabled():
        assert not Notification.objects.filter(client=world.client_a, read_at=None).exists()


@pytest.mark.parametrize("count", [1, 25])
def test_the_client_centre_runs_a_fixed_number_of_queries(
    world, portal, count, django_assert_max_num_queries
):
    make_notifications(world.client_a, count=count)
    browser = portal(world.client_a)
    with django_assert_max_num_queries(12):
        assert browser.get("/portal/notifications/").status_code == 200


@pytest.mark.parametrize("count", [1, 25])
def test_the_staff_centre_runs_a_fixed_number_of_queries(
    world, web, count, django_assert_max_num_queries
):
    make_notifications(world.client_a, user=world.therapist_a, count=count)
    browser = web(world.therapist_a)
    with django_assert_max_num_queries(10):
        page = browser.get("/notifications/")
    assert page.status_code == 200
    assert f"{count} unread" in page.content.decode()


def test_the_bell_counts_unread_for_staff(world, web):
    make_notifications(world.client_a, user=world.therapist_a, count=2)
    page = web(world.therapist_a).get("/clients/").content.decode()
    assert 'class="bell"' in page and "Notifications, 2 unread" in page
    assert "Notifications, 2 unread" not in web(world.colleague_a).get("/clients/").content.decode()


def test_staff_open_read_and_settings(world, web):
    (note,) = make_notifications(
        world.client_a, user=world.therapist_a, link=f"/clients/{world.client_a.pk}/"
    )
    browser = web(world.therapist_a)
    opened = browser.get(f"/notifications/{note.pk}/")
    assert opened["Location"] == f"/clients/{world.client_a.pk}/"
    assert web(world.colleague_a).get(f"/notifications/{note.pk}/").status_code == 404
    response = browser.post("/notifications/settings/", {"email": "on", "completion_alerts": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        preference = StaffPreference.objects.get(user=world.therapist_a)
    assert (preference.completion_alerts, preference.daily_digest) == (True, False)


def test_an_outside_link_in_a_notification_is_not_followed(world, portal):
    (note,) = make_notifications(world.client_a, link="https://evil.example/")
    response = portal(world.client_a).get(f"/portal/notifications/{note.pk}/")
    assert response["Location"] == "/portal/notifications/"


# --- Owners --------------------------------------------------------------------------------------


def test_only_owners_and_admins_change_the_policy(world, web):
    assert web(world.therapist_a).get("/practice/reminders/").status_code == 403
    assert web(world.therapist_a).get("/practice/reminders/problems/").status_code == 403
    data = {
        "wording": "todo",
        "email": "on",
        "reminder_time": "18:00",
        "quiet_start": "21:00",
        "quiet_end": "08:00",
        "daily_cap": "3",
        "nudge_limit": "1",
        "digest_time": "08:00",
    }
    assert web(world.owner_a).post("/practice/reminders/", data).status_code == 302
    bad = web(world.owner_a).post("/practice/reminders/", {**data, "reminder_time": "22:00"})
    assert bad.status_code == 400
    assert "22:00 is inside the quiet hours" in bad.content.decode()


def test_delivery_problems_runs_a_fixed_number_of_queries(
    world, web, django_assert_max_num_queries
):
    browser = web(world.owner_a)
    with django_assert_max_num_queries(14):
        page = browser.get("/practice/reminders/problems/")
    assert "Nothing to fix" in page.content.decode()


# --- Overrides -----------------------------------------------------------------------------------


def test_reminders_can_be_turned_off_for_one_assignment(world, acts, assign, web):
    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False):
        assignment = assign(acts.worksheet, starts_on=date(2025, 6, 4))
        url = f"/reminders/assignments/{assignment.pk}/"
        assert web(world.colleague_a).get(url).status_code == 404  # not their client
        assert web(world.therapist_a).get(url).status_code == 200
        web(world.therapist_a).post(url, {"due_soon": "", "nudge_limit": ""})  # enabled off
    assert reminders_of(world.client_a, status=Status.PENDING) == []
    with time_machine.travel(datetime(2025, 6, 2, 9, 5, tzinfo=LONDON), tick=False):
        web(world.therapist_a).post(url, {"clear": "1"})
    assert {r.kind for r in reminders_of(world.client_a, status=Status.PENDING)} == {
        Kind.DUE_SOON,
        Kind.NOT_DONE,
    }


def test_a_pathway_override_covers_its_released_steps(
    world, web, django_capture_on_commit_callbacks
):
    from core.tenancy import practice_scope
    from pathways.services.authoring import pathway_create, pathway_publish, pathway_step_add
    from pathways.services.enrolments import enrolment_create
    from tests.assignments.fixtures import membership_of
    from tests.factories import curated_activity_for

    curated = curated_activity_for(title="Step worksheet")
    owner = membership_of(world.practice_a, world.owner_a)
    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False):
        with practice_scope(world.practice_a):
            pathway = pathway_create(practice=world.practice_a, actor=owner, name="P")
            pathway_step_add(
                pathway=pathway, actor=owner, curated_activity=curated, delivery="on_enrolment"
            )
            pathway_publish(pathway=pathway, actor=owner)
            with django_capture_on_commit_callbacks(execute=True):
                enrolment_create(
                    pathway=pathway,
                    client=world.client_a,
                    actor=membership_of(world.practice_a, world.therapist_a),
                    start_date=date(2025, 6, 2),
                )
        kinds = {r.kind for r in reminders_of(world.client_a)}
        assert Kind.STEP_RELEASED in kinds and Kind.NEW_HOMEWORK not in kinds
        url = f"/reminders/pathways/{pathway.pk}/"
        assert web(world.owner_b).get(url).status_code == 404
        web(world.owner_a).post(url, {"due_soon": "no", "nudge_limit": "0", "enabled": "on"})
    with scopes_disabled():
        assert ReminderOverride.objects.get(target_id=pathway.pk).due_soon is False
    assert reminders_of(world.client_a, status=Status.PENDING) == []


# --- The link in every email (no sign-in) -------------------------------------------------------


def test_the_email_link_opens_preferences_without_changing_anything(world, web):
    url = links.client_preferences_url(world.client_a).replace("http://localhost:8000", "")
    page = web().get(url)
    assert page.status_code == 200 and "Stop all reminder emails" in page.content.decode()
    assert world.client_a.full_name not in page.content.decode()
    with scopes_disabled():
        assert not ClientPreference.objects.filter(client=world.client_a, email=False).exists()


def test_one_click_unsubscribe_rfc_8058(world, web):
    url = links.client_preferences_url(world.client_a).replace("http://localhost:8000", "")
    response = web().post(url, {"List-Unsubscribe": "One-Click"})  # no cookie, no CSRF token
    assert response.status_code == 200
    with scopes_disabled():
        preference = ClientPreference.objects.get(client=world.client_a)
    assert preference.email is False and preference.email_opted_out_at is not None


def test_the_link_form_pauses_reminders(world, web):
    url = links.client_preferences_url(world.client_a).replace("http://localhost:8000", "")
    assert web().post(url, {"email": "on", "snooze_days": "7"}).status_code == 200
    with scopes_disabled():
        assert ClientPreference.objects.get(client=world.client_a).snoozed_until is not None


def test_a_therapists_link_turns_their_emails_off(world, web):
    url = links.staff_preferences_url(
        user_id=world.therapist_a.pk, practice_id=world.practice_a.pk
    ).replace("http://localhost:8000", "")
    web().post(url, {"List-Unsubscribe": "One-Click"})
    with scopes_disabled():
        assert StaffPreference.objects.get(user=world.therapist_a).email is False


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.Signer(salt="another.salt").sign_object({"c": "x"}),
        signing.Signer(salt=links.SALT).sign_object({"c": "x"})[:-2] + "AA",
        signing.Signer(salt=links.SALT).sign_object(["not", "a", "dict"]),
    ],
)
def test_a_tampered_link_gets_a_clear_400_page(world, web, token):
    for method in ("get", "post"):
        response = getattr(web(), method)(f"/r/{token}/", {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()


def test_a_link_to_a_deleted_client_is_not_valid(world, web):
    url = links.client_preferences_url(world.client_a).replace("http://localhost:8000", "")
    with scopes_disabled():
        world.client_a.delete()
    assert web().get(url).status_code == 400


# --- Outsiders ---------------------------------------------------------------------------------


def test_every_object_url_is_404_for_the_other_practice(world, web, portal, acts, assign):
    from reminders.models import EmailBounce, Reminder

    (note_b,) = make_notifications(world.client_b)
    (staff_note_b,) = make_notifications(world.client_b, user=world.therapist_b)
    with scopes_disabled():
        failed_b = Reminder.objects.create(
            practice=world.practice_b,
            client=world.client_b,
            kind=Kind.DUE_SOON,
            local_day=date(2025, 6, 2),
            dedupe_key="b-failed",
            scheduled_for=datetime(2025, 6, 2, tzinfo=LONDON),
            due_at=datetime(2025, 6, 2, tzinfo=LONDON),
            status=Status.FAILED,
        )
        bounce_b = EmailBounce.objects.create(practice=world.practice_b, email="x@beta.test")
    assignment_b = assign(acts.worksheet_b, client=world.client_b)
    client_a, owner_a = portal(world.client_a), web(world.owner_a)
    for url in (f"/portal/notifications/{note_b.pk}/", f"/portal/notifications/{note_b.pk}/read/"):
        assert client_a.post(url).status_code in (404, 405)
        assert client_a.get(url).status_code in (404, 405)
    for url, method in [
        (f"/notifications/{staff_note_b.pk}/", "get"),
        (f"/notifications/{staff_note_b.pk}/read/", "post"),
        (f"/practice/reminders/problems/{failed_b.pk}/retry/", "post"),
        (f"/practice/reminders/bounces/{bounce_b.pk}/clear/", "post"),
        (f"/reminders/assignments/{assignment_b.pk}/", "get"),
        (f"/reminders/assignments/{assignment_b.pk}/", "post"),
        (f"/api/v1/notifications/{staff_note_b.pk}/", "get"),
        (f"/api/v1/notifications/{staff_note_b.pk}/read/", "post"),
    ]:
        assert getattr(owner_a, method)(url).status_code == 404, url
    with scopes_disabled():
        assert Reminder.objects.get(pk=failed_b.pk).status == Status.FAILED
        assert EmailBounce.objects.get(pk=bounce_b.pk).cleared_at is None
        assert Notification.objects.get(pk=note_b.pk).read_at is None
    # Staff have no portal pages; clients have no staff pages.
    assert owner_a.get("/portal/notifications/").status_code == 404
    assert client_a.get("/notifications/").status_code == 404


# --- First use (issue 23): findable, in a sensible order, labelled, true to the channels ------


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False)
def test_reminder_settings_are_found_from_the_to_do_page_and_read_true(world, portal, acts, assign):
    assign(acts.worksheet)
    assign(acts.phq9)
    browser = portal(world.client_a)
    home = browser.get("/portal/").content.decode()
    assert 'href="/portal/reminders/"' in home and "Reminder settings" in home
    # Signing out is in the footer, not a tab beside "Updates".
    nav = home.split('class="portal-nav"', 1)[1].split("</nav>", 1)[0]
    assert "Sign out" not in nav and "Sign out" in home
    page = browser.get("/portal/reminders/").content.decode()
    # The time comes before taking a break, and the list of what is coming.
    assert (
        page.index("Remind me at") < page.index("Your next reminders") < page.index("Take a break")
    )
    # This practice sends no texts: nothing offers or mentions them.
    assert "Text me" not in page and " texts" not in page and "or text" not in page
    assert "At most this many emails a day" in page and "Pause reminder emails for" in page
    assert "reminds you once" not in page and "We remind you once" not in page
    # Each upcoming reminder says what it is about.
    upcoming = page.split('id="next-title"', 1)[1].split("</section>", 1)[0]
    items = upcoming.count('class="upcoming-reminder"')
    assert items >= 2
    assert upcoming.count("Thought record") + upcoming.count("PHQ-9") == items


def test_with_texts_offered_the_page_says_emails_or_texts(world, portal):
    from reminders.models import ReminderPolicy

    with scopes_disabled():
        ReminderPolicy.objects.create(practice=world.practice_a, sms=True)
    page = portal(world.client_a).get("/portal/reminders/").content.decode()
    assert "Text me" in page and "At most this many emails or texts a day" in page
    assert "Pause reminder emails or texts for" in page
