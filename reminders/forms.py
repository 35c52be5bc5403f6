"""Forms for reminder settings. They parse; the services decide (quiet hours, phone numbers)."""

from datetime import timedelta

from django import forms

from accounts.models import Membership
from core.forms import NativeTimeInput
from reminders.models import MAX_DAILY_CAP, MAX_NUDGES, ReminderPolicy
from reminders.services.preferences import POLICY_FIELDS, SNOOZE_DAYS


def _time(label: str, help_text: str = "") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text=help_text,
        widget=NativeTimeInput(),
    )


CAP_CHOICES = [(n, str(n)) for n in range(1, MAX_DAILY_CAP + 1)]
SNOOZE_LABELS = {1: "1 day", 3: "3 days", 7: "a week"}
SNOOZE_CHOICES = [(days, SNOOZE_LABELS[days]) for days in SNOOZE_DAYS]


def channel_words(sms_offered: bool) -> str:
    """The messages a client can get outside the app: texts only where the practice sends
    them (the page must not offer texts that never come)."""
    return "emails or texts" if sms_offered else "emails"


class ClientPreferenceForm(forms.Form):
    """The client's own choices. Times are in their time zone (shown in the help text)."""

    email = forms.BooleanField(label="Email me", required=False)
    in_app = forms.BooleanField(label="Show reminders in my notifications", required=False)
    sms = forms.BooleanField(label="Text me", required=False)
    phone = forms.CharField(
        label="Mobile number",
        required=False,
        max_length=20,
        help_text="With the country code, e.g. +44 7700 900123.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    reminder_time = _time("Remind me at", "")
    quiet_start = _time(
        "Quiet from", "No messages between these times (the same time twice: none)."
    )
    quiet_end = _time("Quiet until")
    daily_cap = forms.TypedChoiceField(label="", choices=CAP_CHOICES, coerce=int)

    def __init__(self, *args, sms_offered: bool, zone_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The wording names only the channels this practice actually uses, and says what
        # really happens: one reminder for each thing due, at this time.
        self.fields["reminder_time"].help_text = (
            f"In your time zone ({zone_name}). On a day something is due, you get a reminder "
            "for each thing due at this time, and a nudge on a later day if it is not done yet."
        )
        self.fields["daily_cap"].label = f"At most this many {channel_words(sms_offered)} a day"
        if not sms_offered:
            del self.fields["sms"]
            del self.fields["phone"]


class SnoozeForm(forms.Form):
    days = forms.TypedChoiceField(
        label="", choices=SNOOZE_CHOICES, coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args, sms_offered: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].label = f"Pause reminder {channel_words(sms_offered)} for"


class StaffPreferenceForm(forms.Form):
    email = forms.BooleanField(label="Email me a copy of my alerts", required=False)
    completion_alerts = forms.BooleanField(
        label="Tell me when a client sends homework", required=False
    )
    daily_digest = forms.BooleanField(
        label="Daily digest: who sent homework, and who may need a nudge", required=False
    )


class ReminderPolicyForm(forms.ModelForm):
    class Meta:
        model = ReminderPolicy
        fields = list(POLICY_FIELDS)
        widgets = {
            name: NativeTimeInput()
            for name in ("reminder_time", "quiet_start", "quiet_end", "digest_time")
        }
        help_texts = {
            "wording": "The subject of every reminder email. None of them names the homework.",
        }


INHERIT = ""
YES_NO = [(INHERIT, "Use the usual setting"), ("yes", "Yes"), ("no", "No")]
NUDGE_CHOICES = [(INHERIT, "Use the usual setting")] + [
    (str(n), str(n)) for n in range(MAX_NUDGES + 1)
]


class OverrideForm(forms.Form):
    """Reminder rules for one assignment or pathway; "use the usual setting" falls back to the
    pathway's, then the practice's."""

    enabled = forms.BooleanField(label="Send reminders for this", required=False)
    due_soon = forms.ChoiceField(label="Remind before it is due", choices=YES_NO, required=False)
    nudge_limit = forms.ChoiceField(
        label="Gentle nudges when not done", choices=NUDGE_CHOICES, required=False
    )

    def clean_due_soon(self):
        value = self.cleaned_data["due_soon"]
        return None if value == INHERIT else value == "yes"

    def clean_nudge_limit(self):
        value = self.cleaned_data["nudge_limit"]
        return None if value == INHERIT else int(value)

    @staticmethod
    def initial_for(override) -> dict:
        if override is None:
            return {"enabled": True, "due_soon": INHERIT, "nudge_limit": INHERIT}
        return {
            "enabled": override.enabled,
            "due_soon": INHERIT
            if override.due_soon is None
            else "yes"
            if override.due_soon
            else "no",
            "nudge_limit": INHERIT if override.nudge_limit is None else str(override.nudge_limit),
        }


class LinkPreferencesForm(forms.Form):
    """The small form behind the link in every email (no sign-in)."""

    email = forms.BooleanField(label="Send me reminder emails", required=False)
    snooze_days = forms.TypedChoiceField(
        label="Pause reminders for",
        choices=[("", "Don't pause"), *SNOOZE_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )


ESCALATION_CHOICES = [
    (str(minutes), label)
    for minutes, label in (
        (15, "15 minutes"),
        (30, "30 minutes"),
        (60, "1 hour"),
        (120, "2 hours"),
        (240, "4 hours"),
        (480, "8 hours"),
        (1440, "24 hours"),
    )
]


class EscalationForm(forms.Form):
    escalate_after = forms.TypedChoiceField(
        label="Escalate an unseen flag after",
        choices=ESCALATION_CHOICES,
        coerce=lambda minutes: timedelta(minutes=int(minutes)),
        help_text="Counted from when the answer was flagged. Goes to the duty clinicians.",
    )
    escalate_again_after = forms.TypedChoiceField(
        label="If still unseen, to every owner after a further",
        choices=ESCALATION_CHOICES,
        coerce=lambda minutes: timedelta(minutes=int(minutes)),
    )
    duty_clinicians = forms.ModelMultipleChoiceField(
        label="Duty clinicians",
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Alerted when a flag goes unseen, or at once when a flagged client's "
        "therapist has left. None chosen: the owners.",
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty_clinicians"].queryset = members
        self.fields["duty_clinicians"].label_from_instance = lambda m: m.user.get_full_name()

    @staticmethod
    def initial_for(practice) -> dict:
        return {
            "escalate_after": str(int(practice.escalate_after.total_seconds() // 60)),
            "escalate_again_after": str(int(practice.escalate_again_after.total_seconds() // 60)),
            "duty_clinicians": list(practice.duty_clinicians.all()),
        }
