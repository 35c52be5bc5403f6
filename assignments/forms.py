"""HTML forms for assigning, reviewing and the client's check-in. They parse and label; the
rules (what a schedule needs, who may do what) are in the services."""

from django import forms

from assignments.models import MAX_ENTRIES_TARGET, FlagAction, ScheduleKind, Visibility
from assignments.schedule import (
    DEFAULT_DUE_TIME,
    MAX_DAYS,
    MAX_INTERVAL_WEEKS,
    MAX_WEEKS,
    WEEKDAY_NAMES,
)
from core.forms import NativeDateInput, NativeTimeInput

ZERO_TO_TEN = [(str(n), str(n)) for n in range(11)]
INTERVAL_CHOICES = [
    ("1", "Every week"),
    *((str(n), f"Every {n} weeks") for n in range(2, MAX_INTERVAL_WEEKS + 1)),
]
_TEXTAREA = {"rows": 3}


class AssignmentForm(forms.Form):
    """One activity's plan and schedule. On the assign page there is one per chosen
    activity, each with its own prefix."""

    rationale = forms.CharField(
        label="Why this will help",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In plain words, for the client. Prefilled from the activity; make it theirs.",
    )
    instructions = forms.CharField(
        label="How to do it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One step per line.",
    )
    plan_when = forms.CharField(
        label="When they plan to do it",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "e.g. After dinner, before TV"}),
    )
    plan_where = forms.CharField(
        label="Where",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "e.g. At the kitchen table"}),
    )
    obstacles = forms.CharField(
        label="What might get in the way",
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    if_then_plan = forms.CharField(
        label="If–then plan",
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA | {"placeholder": "If I feel too tired, then I…"}),
        help_text="What they will do when that obstacle shows up.",
    )
    confidence = forms.TypedChoiceField(
        label="Client's confidence they will do it (0–10)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Not asked"), *ZERO_TO_TEN],
        help_text="Below 7? Make it smaller or easier together.",
    )
    entries_target = forms.IntegerField(
        label="Entries each time",
        required=False,
        min_value=1,
        max_value=MAX_ENTRIES_TARGET,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="For a log or diary: how many entries each time it is due (a week's diary: "
        "7). The client sees “3 of 7 entries”; 3 of 7 counts as 3/7 done.",
    )
    practised_in_session = forms.BooleanField(label="We practised it in session", required=False)
    understanding_checked = forms.BooleanField(
        label="I checked they understand why and how", required=False
    )
    personal_message = forms.CharField(
        label="A personal note",
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text="Optional. Shown to the client with the activity.",
    )
    schedule_kind = forms.ChoiceField(
        label="How often",
        choices=ScheduleKind.choices,
        initial=ScheduleKind.ONCE,
        widget=forms.RadioSelect,
    )
    starts_on = forms.DateField(
        label="Due on (first day)",
        widget=NativeDateInput(),
        help_text="In the client's time zone.",
    )
    due_time = forms.TimeField(
        label="Due by",
        initial=DEFAULT_DUE_TIME,
        widget=NativeTimeInput(),
    )
    repeat_days = forms.IntegerField(
        label="For how many days", required=False, min_value=1, max_value=MAX_DAYS, initial=7
    )
    times_per_week = forms.IntegerField(
        label="Times a week", required=False, min_value=1, max_value=7, initial=3
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="On",
        required=False,
        coerce=int,
        choices=[(str(n), name) for n, name in enumerate(WEEKDAY_NAMES)],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "weekday"}),
    )
    interval_weeks = forms.TypedChoiceField(
        label="Repeat",
        required=False,
        coerce=int,
        empty_value=None,
        choices=INTERVAL_CHOICES,
        initial="1",
        help_text="On the same day of the week as the first due date.",
    )
    weeks = forms.IntegerField(
        label="For how many weeks", required=False, min_value=1, max_value=MAX_WEEKS, initial=2
    )
    visibility = forms.ChoiceField(
        label="Who sees the responses",
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        widget=forms.RadioSelect,
    )

    def cleaned_plan(self) -> dict:
        """What the services take: only the numbers that belong to the chosen schedule."""
        data = dict(self.cleaned_data)
        # Empty: the activity's default (a log's own ``entries_target``, else 1).
        data["entries_target"] = data.get("entries_target") or None
        kind = data["schedule_kind"]
        keep = {
            ScheduleKind.ONCE: set(),
            ScheduleKind.DAILY: {"repeat_days"},
            ScheduleKind.TIMES_PER_WEEK: {"times_per_week", "weeks"},
            ScheduleKind.WEEKDAYS: {"weekdays", "weeks"},
            ScheduleKind.EVERY_N_WEEKS: {"interval_weeks", "weeks"},
            ScheduleKind.BEFORE_SESSIONS: set(),
        }[kind]
        for name in ("repeat_days", "times_per_week", "weekdays", "weeks", "interval_weeks"):
            if name not in keep:
                data[name] = [] if name == "weekdays" else None
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason (shown to the client)",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. We'll try something else"}),
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label="Comment for the client",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional. They see it with their entry.",
    )
    rating = forms.TypedChoiceField(
        label="Your rating of the quality (0–10)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *ZERO_TO_TEN],
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SessionForm(forms.Form):
    held_on = forms.DateField(label="Session held on", widget=NativeDateInput())


class CheckInForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label="How helpful was it?",
        required=False,
        coerce=int,
        empty_value=None,
        choices=ZERO_TO_TEN,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        help_text="0 not at all · 10 very helpful",
    )
    difficulty = forms.TypedChoiceField(
        label="How hard was it?",
        required=False,
        coerce=int,
        empty_value=None,
        choices=ZERO_TO_TEN,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        help_text="0 very easy · 10 very hard",
    )
    minutes_spent = forms.IntegerField(
        label="About how many minutes did it take?",
        required=False,
        min_value=0,
        max_value=1440,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    obstacles = forms.CharField(
        label="Did anything get in the way?",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuestionForm(forms.Form):
    body = forms.CharField(
        label="Your question",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your therapist will answer here. For anything urgent, call them or "
        "emergency services.",
    )


class FlagResponseForm(forms.Form):
    """What the clinician did about a flag. The rule that "Other" needs a note is the
    service's (``flags.flag_respond``); its error lands next to the note."""

    actions = forms.MultipleChoiceField(
        label="What did you do?",
        choices=FlagAction.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose what you did (one or more)."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you found or agreed. Needed when you choose “Other”.",
    )
