"""Reminder pages: the client's preferences and notifications (portal), a therapist's
notifications and alerts, the practice's reminder policy and delivery problems (owners),
overrides per assignment or pathway, and the two pages reached without signing in (the
preferences link in every email, and the calendar feed)."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import audit_record
from accounts.models import Membership
from core.access import client_required, manager_required, staff_required
from core.forms import apply_validation_error
from reminders import forms, links, selectors
from reminders.models import OverrideTarget
from reminders.services import bounces, engine, feeds, inbox, preferences

FEED_SESSION_KEY = "reminders_new_feed_token"


def _back_to(request, notification):
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return None


# --- The client's portal ---------------------------------------------------------------------


@client_required
def client_notifications(request):
    client = request.client
    audit_record(
        actor=request.user, practice=request.practice, action="portal_notifications", obj=client
    )
    context = {
        "notifications": selectors.notifications_for_client(client)[
            : selectors.NOTIFICATIONS_SHOWN
        ],
        "unread": selectors.unread_count_for_client(client),
    }
    return render(request, "reminders/client_notifications.html", context)


@client_required
def client_notification_open(request, notification_id):
    notification = selectors.notification_for_client(request.client, notification_id)
    inbox.notification_mark_read(notification=notification)
    return _back_to(request, notification) or redirect("reminders:client_notifications")


@require_POST
@client_required
def client_notification_read(request, notification_id):
    notification = selectors.notification_for_client(request.client, notification_id)
    inbox.notification_mark_read(notification=notification)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "reminders/_notification.html",
            {"notification": notification, "portal": True},
        )
    return redirect("reminders:client_notifications")


@require_POST
@client_required
def client_notifications_read_all(request):
    inbox.notifications_mark_all_read(client=request.client)
    messages.success(request, "All marked as read.")
    return redirect("reminders:client_notifications")


def _initial(settings) -> dict:
    preference, rules = settings.preference, settings.rules
    return {
        "email": preference.email,
        "in_app": preference.in_app,
        "sms": preference.sms,
        "phone": preference.phone,
        "reminder_time": rules.reminder_time,
        "quiet_start": rules.quiet_start,
        "quiet_end": rules.quiet_end,
        "daily_cap": rules.daily_cap,
    }


@client_required
def client_preferences(request):
    client = request.client
    settings = selectors.client_reminder_settings(client)
    form = forms.ClientPreferenceForm(
        request.POST or None,
        initial=_initial(settings),
        sms_offered=settings.policy.sms,
        zone_name=client.timezone,
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences.client_preference_update(client=client, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Saved. Your reminders follow your new choices.")
            return redirect("reminders:client_preferences")
    feed_token = request.session.pop(FEED_SESSION_KEY, None)
    feed_url = (
        request.build_absolute_uri(reverse("reminders:calendar_feed", args=[feed_token]))
        if feed_token
        else ""
    )
    context = {
        "form": form,
        "settings": settings,
        "snooze_form": forms.SnoozeForm(sms_offered=settings.policy.sms),
        "channels": forms.channel_words(settings.policy.sms).replace(" or ", " and "),
        "snoozed_until": (
            settings.rules.snoozed_until if settings.rules.is_snoozed(timezone.now()) else None
        ),
        "upcoming": selectors.upcoming_for_client(client),
        "feed": selectors.open_calendar_feed(client),
        "feed_url": feed_url,
        "webcal_url": re.sub(r"^https?://", "webcal://", feed_url),
    }
    status = 400 if form.errors else 200
    return render(request, "reminders/client_preferences.html", context, status=status)


@require_POST
@client_required
def client_snooze(request):
    if request.POST.get("action") == "resume":
        preferences.client_preference_snooze(client=request.client, days=None)
        messages.success(request, "Reminders are back on.")
        return redirect("reminders:client_preferences")
    form = forms.SnoozeForm(request.POST)
    if form.is_valid():
        preference = preferences.client_preference_snooze(
            client=request.client, days=form.cleaned_data["days"]
        )
        until = preference.snoozed_until.astimezone(request.client.tz)
        messages.success(
            request, f"Paused until {until:%A %-d %B, %H:%M}. You will still see them here."
        )
    else:
        messages.error(request, "Choose how long to pause reminders for.")
    return redirect("reminders:client_preferences")


@require_POST
@client_required
def client_calendar(request):
    if request.POST.get("action") == "revoke":
        feeds.calendar_feed_revoke(client=request.client)
        messages.success(request, "Your calendar link no longer works.")
    else:
        request.session[FEED_SESSION_KEY] = feeds.calendar_feed_create(client=request.client)
        messages.success(
            request, "Here is your new calendar link. Any earlier one stopped working."
        )
    return redirect("reminders:client_preferences")


# --- Therapists ------------------------------------------------------------------------------


@staff_required
def staff_notifications(request):
    context = {
        "notifications": selectors.notifications_for_staff(request.membership)[
            : selectors.NOTIFICATIONS_SHOWN
        ],
        "unread": selectors.unread_count_for_staff(request.membership),
    }
    return render(request, "reminders/staff_notifications.html", context)


@staff_required
def staff_notification_open(request, notification_id):
    notification = selectors.notification_for_staff(request.membership, notification_id)
    inbox.notification_mark_read(notification=notification)
    return _back_to(request, notification) or redirect("reminders:staff_notifications")


@require_POST
@staff_required
def staff_notification_read(request, notification_id):
    notification = selectors.notification_for_staff(request.membership, notification_id)
    inbox.notification_mark_read(notification=notification)
    if request.headers.get("HX-Request"):
        return render(request, "reminders/_notification.html", {"notification": notification})
    return redirect("reminders:staff_notifications")


@require_POST
@staff_required
def staff_notifications_read_all(request):
    inbox.notifications_mark_all_read(membership=request.membership)
    messages.success(request, "All marked as read.")
    return redirect("reminders:staff_notifications")


@staff_required
def staff_preferences(request):
    current = selectors.staff_preference_for(practice=request.practice, user=request.user)
    form = forms.StaffPreferenceForm(
        request.POST or None,
        initial={
            "email": current.email,
            "completion_alerts": current.completion_alerts,
            "daily_digest": current.daily_digest,
        },
    )
    if request.method == "POST" and form.is_valid():
        preferences.staff_preference_update(
            practice=request.practice, user=request.user, **form.cleaned_data
        )
        messages.success(request, "Saved.")
        return redirect("reminders:staff_notifications")
    return render(request, "reminders/staff_preferences.html", {"form": form})


# --- Owners: the practice's policy and delivery problems -------------------------------------


@manager_required
def practice_policy(request):
    policy = selectors.policy_for(request.practice)
    form = forms.ReminderPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            preferences.reminder_policy_update(
                practice=request.practice, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Saved. Planned reminders are being updated.")
            return redirect("reminders:practice_policy")
    status = 400 if form.errors else 200
    return render(request, "reminders/practice_policy.html", {"form": form}, status=status)


@manager_required
def practice_escalation(request):
    practice = request.practice
    members = Membership.objects.filter(practice=practice).select_related("user")
    form = forms.EscalationForm(
        request.POST or None, members=members, initial=forms.EscalationForm.initial_for(practice)
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences.practice_escalation_update(
                practice=practice, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Saved. Flags raised from now on follow these settings.")
            return redirect("reminders:practice_escalation")
    status = 400 if form.errors else 200
    return render(request, "reminders/practice_escalation.html", {"form": form}, status=status)


@manager_required
def delivery_problems(request):
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="view_delivery_problems",
        obj=request.practice,
    )
    problems = selectors.delivery_problems(request.practice)
    return render(request, "reminders/delivery_problems.html", {"problems": problems})


@require_POST
@manager_required
def reminder_retry(request, reminder_id):
    reminder = selectors.failed_reminder_get(request.practice, reminder_id)
    engine.reminder_retry(reminder=reminder, actor=request.user)
    messages.success(request, "Queued to be sent again.")
    return redirect("reminders:delivery_problems")


@require_POST
@manager_required
def bounce_clear(request, bounce_id):
    bounce = selectors.open_bounce_get(request.practice, bounce_id)
    bounces.email_bounce_clear(bounce=bounce, actor=request.user)
    messages.success(request, f"Emails to {bounce.email} will be sent again.")
    return redirect("reminders:delivery_problems")


# --- Overrides per assignment or pathway -----------------------------------------------------


def _override_page(request, *, target_type, target, title, back_url, client=None):
    override = selectors.override_for(target_type=target_type, target_id=target.pk)
    form = forms.OverrideForm(
        request.POST or None, initial=forms.OverrideForm.initial_for(override)
    )
    if request.method == "POST" and "clear" in request.POST:
        preferences.reminder_override_clear(
            practice=request.practice,
            actor=request.membership,
            target_type=target_type,
            target_id=target.pk,
        )
        messages.success(request, "Back to the usual reminder settings.")
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        preferences.reminder_override_save(
            practice=request.practice,
            actor=request.membership,
            target_type=target_type,
            target_id=target.pk,
            **form.cleaned_data,
        )
        messages.success(request, "Reminder settings saved.")
        return redirect(request.path)
    context = {
        "form": form,
        "override": override,
        "title": title,
        "back_url": back_url,
        "policy": selectors.policy_for(request.practice),
        "client": client,
        "target_type": target_type,
    }
    return render(request, "reminders/override.html", context)


@staff_required
def assignment_override(request, assignment_id):
    from assignments.selectors import assignment_get

    assignment = assignment_get(request.membership, assignment_id)
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="view_reminder_settings",
        obj=assignment,
        client=assignment.client,
    )
    return _override_page(
        request,
        target_type=OverrideTarget.ASSIGNMENT,
        target=assignment,
        title=assignment.title,
        back_url=reverse("assignments:detail", args=[assignment.pk]),
        client=assignment.client,
    )


@staff_required
def pathway_override(request, pathway_id):
    from pathways.selectors import pathway_get

    pathway = pathway_get(request.membership, pathway_id)
    return _override_page(
        request,
        target_type=OverrideTarget.PATHWAY,
        target=pathway,
        title=pathway.name,
        back_url=reverse("pathways:detail", args=[pathway.pk]),
    )


# --- Reached without signing in --------------------------------------------------------------


@csrf_exempt  # the signed token is the credential; RFC 8058 one-click POSTs carry no cookie
@never_cache
def preferences_link(request, token):
    """GET shows the page (mail scanners open links: a GET changes nothing). A POST of
    ``List-Unsubscribe=One-Click`` (a mail provider's unsubscribe button, or ours) stops
    reminder emails; a POST of the form saves it."""
    try:
        recipient, current = selectors.link_preferences(token)
    except links.BadLink:
        return render(request, "reminders/link_invalid.html", status=400)
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        preferences.link_unsubscribe(token=token)
        return render(request, "reminders/link_done.html", {"unsubscribed": True})
    is_client = recipient.client is not None
    form = forms.LinkPreferencesForm(request.POST or None, initial={"email": current.email})
    if not is_client:
        del form.fields["snooze_days"]
    if request.method == "POST" and form.is_valid():
        try:
            preferences.link_preferences_update(
                token=token,
                email=form.cleaned_data["email"],
                snooze_days=form.cleaned_data.get("snooze_days"),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return render(request, "reminders/link_done.html", {"unsubscribed": False})
    status = 400 if form.errors else 200
    context = {"form": form, "is_client": is_client}
    return render(request, "reminders/link_preferences.html", context, status=status)


@require_GET
def calendar_feed(request, token):
    text = feeds.calendar_feed_serve(token=token)
    if text is None:
        raise Http404
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bridgework.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
