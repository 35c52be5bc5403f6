from django import forms
from django.utils import timezone

from accounts.forms import timezone_choices
from accounts.models import User
from clients.services import DECISION_NEEDED, FINAL_MEASURES, flag_field


class ClientForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    preferred_name = forms.CharField(
        label="Preferred name",
        max_length=80,
        required=False,
        help_text="What they like to be called. Shown in their portal and emails.",
    )
    email = forms.EmailField(
        label="Email",
        required=False,
        help_text="Needed to invite them to the portal. Only the client signs in with it.",
    )
    timezone_name = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        help_text="Reminders and due dates follow the client's local time.",
    )
    primary_therapist = forms.ModelChoiceField(
        label="Primary therapist", queryset=User.objects.none()
    )
    shared_with = forms.ModelMultipleChoiceField(
        label="Also shared with",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Colleagues who work with this client too (co-therapy, cover).",
    )

    def __init__(self, *args, therapists, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [user.pk for user in therapists]
        self.fields["primary_therapist"].queryset = User.objects.filter(pk__in=ids).order_by(
            "full_name"
        )
        self.fields["shared_with"].queryset = User.objects.filter(pk__in=ids).order_by("full_name")
        # The dropdown lists every zone; an unknown one (e.g. typed into the API) gets the
        # same clear message either way.
        self.fields["timezone_name"].error_messages["invalid_choice"] = (
            "“%(value)s” is not a time zone we know. Pick one from the list."
        )


class ClientStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("active", "Active"), ("paused", "Paused"), ("discharged", "Discharged")]
    )


class DischargeForm(forms.Form):
    """One decision field per open flag (``flag_<id>``), then what to close and the final
    measure. The service decides what is missing; its errors land next to these fields."""

    close_assignments = forms.BooleanField(
        label="Close the open homework", required=False, initial=True
    )
    close_enrolments = forms.BooleanField(
        label="End the running pathway enrolments", required=False, initial=True
    )
    final_measure = forms.ChoiceField(
        label="Final measure",
        required=False,
        choices=[("", "None"), *FINAL_MEASURES.items()],
        help_text="Assigned with the discharge and left open, for the closing score. Note: a "
        "discharged client can no longer sign in to the portal to fill it in.",
    )
    note = forms.CharField(
        label="Discharge note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, flags, **kwargs):
        super().__init__(*args, **kwargs)
        decisions = {}
        for flag in flags:
            decisions[flag_field(flag)] = forms.CharField(
                label=f"Decision on: {flag.message}",
                error_messages={"required": DECISION_NEEDED},
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=f"Flagged {timezone.localtime(flag.created_at):%d %b %Y, %H:%M}. "
                "Recorded on the flag and in the discharge summary.",
            )
        # Decisions first: they are what the discharge waits on.
        self.fields = {**decisions, **self.fields}

    def flag_decisions(self) -> dict:
        return {
            name: value for name, value in self.cleaned_data.items() if name.startswith("flag_")
        }
