"""The discharge form: a decision per open flag, and what to close."""

from django import forms
from django.utils import timezone

from caseload.services import DECISION_NEEDED, FINAL_MEASURES, flag_field


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
