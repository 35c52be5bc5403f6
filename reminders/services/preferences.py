"""Writes of reminder settings: the practice's policy, overrides per assignment or pathway,
a client's own preferences (also through the signed link in every email), a therapist's alerts.

A reminder time inside the quiet hours is refused with a message saying so (rather than
silently moved): the person chose both and should see the clash. Anything that still ends up
inside quiet hours — the practice changed its defaults, a message was retried — is held by the
engine until the quiet hours end.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.tenancy import practice_scope
from reminders import selectors
from reminders.models import (
    ClientPreference,
    OverrideTarget,
    ReminderOverride,
    ReminderPolicy,
    StaffPreference,
)
from reminders.services.schedule import reminders_plan_assignment, reminders_replan_client
from reminders.timing import in_quiet_hours

# What a practice sets, in the order its settings form shows them.
POLICY_FIELDS = (
    "wording",
    "email",
    "sms",
    "reminder_time",
    "quiet_start",
    "quiet_end",
    "daily_cap",
    "new_homework",
    "due_soon",
    "nudge_limit",
    "digest_time",
)
CLIENT_FIELDS = {
    "email",
    "in_app",
    "sms",
    "phone",
    "reminder_time",
    "quiet_start",
    "quiet_end",
    "daily_cap",
}
STAFF_FIELDS = {"email", "completion_alerts", "daily_digest"}
SNOOZE_DAYS = (1, 3, 7)
PHONE = re.compile(r"^\+?[0-9]{7,15}$")


def _unknown(fields, allowed) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"Cannot update {', '.join(sorted(unknown))}.")


def check_reminder_time(reminder_time: time, quiet_start: time, quiet_end: time) -> None:
    if in_quiet_hours(reminder_time, quiet_start, quiet_end):
        raise ValidationError(
            {
                "reminder_time": (
                    f"{reminder_time:%H:%M} is inside the quiet hours "
                    f"({quiet_start:%H:%M}–{quiet_end:%H:%M}), when no reminders are sent. "
                    "Choose a time outside them, or change the quiet hours."
                )
            }
        )


@transaction.atomic
def reminder_policy_update(*, practice, actor, **fields) -> ReminderPolicy:
    """Change the practice's defaults. Pending reminders are re-planned in the background."""
    _unknown(fields, POLICY_FIELDS)
    policy = ReminderPolicy.objects.select_for_update().filter(
        practice=practice
    ).first() or ReminderPolicy(practice=practice)
    for name, value in fields.items():
        setattr(policy, name, value)
    check_reminder_time(policy.reminder_time, policy.quiet_start, policy.quiet_end)
    policy.full_clean(exclude=["practice"], validate_constraints=False)
    policy.save()
    from reminders.tasks import replan_practice

    replan_practice.delay_on_commit(practice_id=str(practice.pk))
    return policy


def _check_client(preference: ClientPreference, policy: ReminderPolicy) -> None:
    if (preference.quiet_start is None) != (preference.quiet_end is None):
        missing = "quiet_end" if preference.quiet_end is None else "quiet_start"
        raise ValidationError({missing: "Give both the start and the end of your quiet hours."})
    if preference.phone and not PHONE.match(preference.phone):
        raise ValidationError(
            {"phone": "Enter a mobile number with its country code, e.g. +447700900123."}
        )
    if preference.sms and not preference.phone:
        raise ValidationError({"phone": "Add a mobile number to get text messages."})
    check_reminder_time(
        preference.reminder_time or policy.reminder_time,
        preference.quiet_start or policy.quiet_start,
        preference.quiet_end or policy.quiet_end,
    )


@transaction.atomic
def client_preference_update(*, client, **fields) -> ClientPreference:
    """The client's own choices: channels, reminder time, quiet hours, daily cap. Their
    pending reminders move to the new times at once."""
    _unknown(fields, CLIENT_FIELDS)
    preference = ClientPreference.objects.select_for_update().filter(
        client=client
    ).first() or ClientPreference(practice_id=client.practice_id, client=client)
    for name, value in fields.items():
        setattr(preference, name, value)
    preference.phone = re.sub(r"[\s().-]", "", preference.phone or "")
    _check_client(preference, selectors.policy_for(client.practice_id))
    if preference.email:
        preference.email_opted_out_at = None
    preference.full_clean(exclude=["practice", "client"], validate_constraints=False)
    preference.save()
    reminders_replan_client(client=client)
    return preference


@transaction.atomic
def client_preference_snooze(*, client, days: int | None, now=None) -> ClientPreference:
    """Pause emails and texts for ``days`` (1, 3 or 7); None ends a pause. Reminders still
    land quietly in the client's notifications meanwhile."""
    if days is not None and days not in SNOOZE_DAYS:
        raise ValidationError({"days": "Choose 1, 3 or 7 days."})
    now = now or timezone.now()
    preference, _ = ClientPreference.objects.select_for_update().get_or_create(
        client=client, defaults={"practice_id": client.practice_id}
    )
    preference.snoozed_until = None if days is None else now + timedelta(days=days)
    preference.save(update_fields=["snoozed_until", "updated_at"])
    return preference


@transaction.atomic
def staff_preference_update(*, practice, user, **fields) -> StaffPreference:
    _unknown(fields, STAFF_FIELDS)
    preference, _ = StaffPreference.objects.select_for_update().get_or_create(
        practice=practice, user=user
    )
    for name, value in fields.items():
        setattr(preference, name, value)
    preference.save()
    return preference


# --- Overrides -------------------------------------------------------------------------------


def _replan_target(target_type: str, target_id) -> None:
    from assignments.models import Assignment, AssignmentStatus

    if target_type == OverrideTarget.ASSIGNMENT:
        assignments = Assignment.objects.filter(pk=target_id)
    else:
        from pathways.models import EnrolmentStep

        steps = EnrolmentStep.objects.filter(enrolment__pathway_id=target_id).values("pk")
        assignments = Assignment.objects.filter(
            origin=selectors.PATHWAY_ORIGIN, origin_id__in=steps
        )
    for assignment in assignments.filter(status=AssignmentStatus.ACTIVE).select_related(
        "client__practice", "activity_version"
    ):
        reminders_plan_assignment(assignment=assignment, announce=False)


@transaction.atomic
def reminder_override_save(
    *,
    practice,
    actor,
    target_type: str,
    target_id,
    enabled: bool,
    due_soon: bool | None = None,
    nudge_limit: int | None = None,
) -> ReminderOverride:
    """Set the reminder rules of one assignment or one pathway (its released steps too)."""
    if target_type not in OverrideTarget.values:
        raise ValueError(f"Unknown override target {target_type!r}.")
    override = ReminderOverride.objects.filter(
        practice=practice, target_type=target_type, target_id=target_id
    ).first() or ReminderOverride(practice=practice, target_type=target_type, target_id=target_id)
    override.enabled, override.due_soon, override.nudge_limit = enabled, due_soon, nudge_limit
    override.updated_by = getattr(actor, "user", actor)
    override.full_clean(exclude=["practice"], validate_constraints=False)
    override.save()
    _replan_target(target_type, target_id)
    return override


@transaction.atomic
def reminder_override_clear(*, practice, actor, target_type: str, target_id) -> None:
    """Back to the next layer's rules (the pathway's, then the practice's)."""
    ReminderOverride.objects.filter(
        practice=practice, target_type=target_type, target_id=target_id
    ).delete()
    _replan_target(target_type, target_id)


# --- Through the signed link in an email (no login) ------------------------------------------


def link_unsubscribe(*, token: str, now=None) -> selectors.LinkRecipient:
    """One-click unsubscribe (RFC 8058): no more reminder emails to this person. Reminders
    still appear in their notifications in the app."""
    recipient = selectors.link_recipient(token)
    now = now or timezone.now()
    with practice_scope(recipient.practice), transaction.atomic():
        if recipient.client is not None:
            preference, _ = ClientPreference.objects.select_for_update().get_or_create(
                client=recipient.client, defaults={"practice_id": recipient.practice.pk}
            )
            preference.email, preference.email_opted_out_at = False, now
            preference.save(update_fields=["email", "email_opted_out_at", "updated_at"])
        else:
            assert recipient.membership is not None  # a recipient is a client or a member
            staff_preference_update(
                practice=recipient.practice,
                user=recipient.membership.user,
                email=False,
                daily_digest=False,
            )
    return recipient


def link_preferences_update(
    *, token: str, email: bool, snooze_days: int | None
) -> selectors.LinkRecipient:
    """The small form behind the link: emails on or off, and (clients) a pause."""
    recipient = selectors.link_recipient(token)
    with practice_scope(recipient.practice), transaction.atomic():
        if recipient.client is not None:
            client_preference_update(client=recipient.client, email=email)
            if snooze_days:
                client_preference_snooze(client=recipient.client, days=snooze_days)
        else:
            assert recipient.membership is not None  # a recipient is a client or a member
            staff_preference_update(
                practice=recipient.practice, user=recipient.membership.user, email=email
            )
    return recipient


# How long an unacknowledged flag waits before each escalation: at least this, at most a day.
ESCALATION_RANGE = (timedelta(minutes=15), timedelta(hours=24))


@transaction.atomic
def practice_escalation_update(
    *, practice, actor, escalate_after: timedelta, escalate_again_after: timedelta, duty_clinicians
):
    """Who is told of a flag nobody acknowledged, and when. Applies to flags raised from now
    on: a flag's escalations are planned when it is raised."""
    from accounts.models import Membership, Practice

    low, high = ESCALATION_RANGE
    for name, value in (
        ("escalate_after", escalate_after),
        ("escalate_again_after", escalate_again_after),
    ):
        if not low <= value <= high:
            raise ValidationError({name: "Choose between 15 minutes and 24 hours."})
    members = list(duty_clinicians)
    if any(m.practice_id != practice.pk for m in members) or len(members) != (
        Membership.objects.filter(practice=practice, pk__in=[m.pk for m in members]).count()
    ):
        raise ValidationError({"duty_clinicians": "Choose members of this practice."})
    practice = Practice.objects.select_for_update().get(pk=practice.pk)
    practice.escalate_after = escalate_after
    practice.escalate_again_after = escalate_again_after
    practice.save(update_fields=["escalate_after", "escalate_again_after", "updated_at"])
    practice.duty_clinicians.set(members)
    return practice
