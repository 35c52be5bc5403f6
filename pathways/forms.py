from django import forms

from assignments.models import Visibility
from core.forms import NativeDateInput, NativeTimeInput
from pathways import release_rules
from pathways.completion import MAX_COMPLETION_ENTRIES, Completion
from pathways.models import (
    AUDIENCES,
    FUNCTIONS,
    MAX_DAYS_TO_COMPLETE,
    PHASES,
    Comparison,
)


def _choices(values):
    return [(value, value.capitalize()) for value in values]


class PathwayForm(forms.Form):
    name = forms.CharField(
        label="Internal name",
        max_length=200,
        help_text="What your team calls it. Clients never see it.",
    )
    client_title = forms.CharField(
        label="Title for the client",
        max_length=200,
        required=False,
        help_text="Plain, kind words. Leave empty to show “Your programme”.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For therapists: who it is for and how it runs.",
    )
    functions = forms.MultipleChoiceField(
        label="Function",
        choices=_choices(FUNCTIONS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    audiences = forms.MultipleChoiceField(
        label="Audience",
        choices=_choices(AUDIENCES),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    phases = forms.MultipleChoiceField(
        label="When in therapy",
        choices=_choices(PHASES),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    response_visibility = forms.ChoiceField(
        label="Who sees the client's responses",
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        initial=Visibility.SHARED,
    )


class DeliveryFields(forms.Form):
    """When a step arrives. The service checks the numbers (negative, over a year) so that
    the HTML form and the API give the same message next to the same field."""

    delivery = forms.ChoiceField(
        label="When it arrives", choices=release_rules.choices, widget=forms.RadioSelect
    )
    delay_days = forms.IntegerField(
        label="Days",
        required=False,
        help_text="For “some days after …”: from 0 to 365.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    time_of_day = forms.TimeField(
        label="Time of day",
        required=False,
        widget=NativeTimeInput(),
        help_text="In the client's time zone. Empty: at once, or at 09:00 after a delay.",
    )
    days_to_complete = forms.IntegerField(
        label="Days to do it",
        initial=7,
        help_text=f"Due this many days after it arrives (1 to {MAX_DAYS_TO_COMPLETE}).",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    completion = forms.ChoiceField(
        label="Done when",
        choices=Completion.choices,
        initial=Completion.FIRST_ENTRY,
        required=False,
        widget=forms.RadioSelect,
        help_text="What waits for this step counts from then. Its time is up on the day it "
        "is due (“Days to do it”), at 21:00 the client's time.",
    )
    completion_entries = forms.IntegerField(
        label="Entries",
        required=False,
        initial=1,
        help_text=f"How many entries it asks for: 1 to {MAX_COMPLETION_ENTRIES} (a week's "
        "diary: 7). The client sees “3 of 7 entries”. At the first entry: always 1.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean_delay_days(self):
        return self.cleaned_data.get("delay_days") or 0

    def clean_completion(self):
        return self.cleaned_data.get("completion") or Completion.FIRST_ENTRY


def _activity_choices(own, shared):
    choices = [("", "Choose an activity…")]
    if own:
        choices.append(("Your practice's activities", [(o.value, o.title) for o in own]))
    choices.append(("Global library", [(o.value, o.title) for o in shared]))
    return choices


class StepForm(DeliveryFields):
    activity = forms.ChoiceField(label="Activity")
    required = forms.BooleanField(
        label="Required (steps that wait for “the previous step” wait for this one)",
        required=False,
        initial=True,
    )
    holds_for_review = forms.BooleanField(
        label="Hold for review: when its time comes (its condition met), nothing more is "
        "released, this step included, until a therapist resumes (e.g. for a severe score)",
        required=False,
    )
    therapist_notes = forms.CharField(
        label="Notes for therapists",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Never shown to the client.",
    )
    condition_step = forms.ChoiceField(
        label="Only deliver it if an earlier step…",
        required=False,
        help_text="Branching: e.g. only when the PHQ-9 total is at least 10, or only if "
        "step 1 raised a flag (for an activity with a risk rule).",
    )
    condition_operator = forms.ChoiceField(
        label="Comparison", choices=Comparison.choices, required=False
    )
    condition_value = forms.IntegerField(
        label="Score",
        required=False,
        min_value=0,
        help_text="Leave empty for “raised a flag” and “raised no flag”.",
    )

    field_order = [
        "activity",
        "delivery",
        "delay_days",
        "time_of_day",
        "days_to_complete",
        "completion",
        "completion_entries",
        "required",
        "holds_for_review",
        "condition_step",
        "condition_operator",
        "condition_value",
        "therapist_notes",
    ]

    def __init__(self, *args, activity_options, measure_steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = _activity_choices(*activity_options)
        self.fields["condition_step"].choices = [("", "Always deliver it")] + [
            (str(step.pk), f"Step {step.position}: {step.title}") for step in measure_steps
        ]


class EnrolmentStepForm(DeliveryFields):
    """A per-client change to one step not released yet."""

    activity = forms.ChoiceField(label="Activity", help_text="Swap it for another activity.")

    field_order = [
        "activity",
        "delivery",
        "delay_days",
        "time_of_day",
        "days_to_complete",
        "completion",
        "completion_entries",
    ]

    def __init__(self, *args, activity_options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = _activity_choices(*activity_options)


class EnrolForm(forms.Form):
    client = forms.ChoiceField(label="Client")
    start_date = forms.DateField(
        label="Start date",
        widget=NativeDateInput(),
        help_text="In the client's own calendar. Steps “at once on enrolment” arrive that day.",
    )

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "Choose a client…")] + [
            (str(c.pk), f"{c.full_name} (discharged)" if c.is_discharged else c.full_name)
            for c in clients
        ]


class HoldResumeForm(forms.Form):
    decision = forms.CharField(
        label="Your decision",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you did about the flagged answer, and why the programme can go on. "
        "Kept with the enrolment.",
    )


class EnrolAnyForm(forms.Form):
    """Enrol one client in any published pathway, the practice's own or a global one, from
    one page (reached from the client's page or a global pathway's page). Pathway choices are
    "practice:<id>" or "global:<id>"."""

    client = forms.ChoiceField(label="Client")
    pathway = forms.ChoiceField(label="Pathway")
    start_date = forms.DateField(
        label="Start date",
        widget=NativeDateInput(),
        help_text="In the client's own calendar. Steps “at once on enrolment” arrive that day.",
    )

    def __init__(self, *args, clients, practice_pathways, global_pathways, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "Choose a client…")] + [
            (str(c.pk), c.full_name) for c in clients
        ]
        self.fields["pathway"].choices = [("", "Choose a pathway…")]
        if practice_pathways:
            self.fields["pathway"].choices += [
                (
                    "Your practice's pathways",
                    [(f"practice:{p.pk}", p.name) for p in practice_pathways],
                )
            ]
        if global_pathways:
            self.fields["pathway"].choices += [
                ("Global library", [(f"global:{p.pk}", p.name) for p in global_pathways])
            ]
