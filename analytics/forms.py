"""Forms of the progress page: schedule a measure, and enter upcoming session dates. They parse
and label; the rules are in ``assignments.services``."""

from __future__ import annotations

from django import forms

from assignments.schedule import (
    BEFORE_SESSIONS,
    DEFAULT_DUE_TIME,
    EVERY_N_WEEKS,
    MAX_WEEKS,
    ONCE,
)
from core.forms import NativeDateInput, NativeTimeInput

ONCE_CADENCE = "once"
WEEKLY = "weekly"
FORTNIGHTLY = "every_2_weeks"
BEFORE_EACH_SESSION = "before_sessions"
CADENCES = [
    (ONCE_CADENCE, "Once"),
    (WEEKLY, "Every week"),
    (FORTNIGHTLY, "Every 2 weeks"),
    (BEFORE_EACH_SESSION, "The day before each session"),
]
_SCHEDULES = {
    ONCE_CADENCE: {"schedule_kind": ONCE},
    WEEKLY: {"schedule_kind": EVERY_N_WEEKS, "interval_weeks": 1},
    FORTNIGHTLY: {"schedule_kind": EVERY_N_WEEKS, "interval_weeks": 2},
    BEFORE_EACH_SESSION: {"schedule_kind": BEFORE_SESSIONS},
}


class ScheduleMeasureForm(forms.Form):
    """A measure from the practice's library on a cadence. ``measures`` is a list of
    ``(value, label)`` where value is ``activity:<id>`` or ``curated:<id>``."""

    measure = forms.ChoiceField(label="Measure")
    cadence = forms.ChoiceField(
        label="How often", choices=CADENCES, initial=WEEKLY, widget=forms.RadioSelect
    )
    starts_on = forms.DateField(
        label="First due on",
        widget=NativeDateInput(),
        help_text="In the client's time zone.",
    )
    due_time = forms.TimeField(
        label="Due by",
        initial=DEFAULT_DUE_TIME,
        widget=NativeTimeInput(),
    )
    weeks = forms.IntegerField(
        label="For how many weeks",
        min_value=1,
        max_value=MAX_WEEKS,
        initial=8,
        help_text="For every week or every 2 weeks.",
        error_messages={"required": "Say for how many weeks."},
    )

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "Choose a measure"), *measures]

    def picked(self) -> tuple[str, str]:
        """("activity" or "curated_activity", id) of the chosen measure."""
        source, _, pk = self.cleaned_data["measure"].partition(":")
        return ("curated_activity" if source == "curated" else "activity"), pk

    def schedule(self) -> dict:
        """What ``assigning.assignment_create`` takes for the chosen cadence."""
        data = self.cleaned_data
        plan = dict(_SCHEDULES[data["cadence"]])
        plan["starts_on"] = data["starts_on"]
        plan["due_time"] = data["due_time"]
        if plan["schedule_kind"] == EVERY_N_WEEKS:
            plan["weeks"] = data["weeks"]
        return plan


class PlannedSessionForm(forms.Form):
    session_on = forms.DateField(
        label="Next session on",
        widget=NativeDateInput(),
    )


class CareEpisodeForm(forms.Form):
    """Start a new episode of care (``clients.services.care_episode_start`` holds the rules)."""

    started_on = forms.DateField(
        label="Starts on",
        widget=NativeDateInput(),
        help_text="In the client's time zone. Scores from this day on are compared with the "
        "first score of the new episode.",
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why a new episode: a return after discharge, a new problem, a step up.",
    )
