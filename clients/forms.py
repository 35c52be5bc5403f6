from django import forms

from accounts.forms import timezone_choices
from accounts.models import User


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


class GoalForm(forms.Form):
    title = forms.CharField(label="Goal", max_length=200, help_text="In the client's words.")
    level_plus_2 = forms.CharField(label="+2 Much more than expected", max_length=300)
    level_plus_1 = forms.CharField(label="+1 Somewhat more than expected", max_length=300)
    level_0 = forms.CharField(label="0 Expected outcome", max_length=300)
    level_minus_1 = forms.CharField(label="−1 Somewhat less than expected", max_length=300)
    level_minus_2 = forms.CharField(label="−2 Much less than expected", max_length=300)
    baseline_level = forms.TypedChoiceField(
        label="Where they start",
        coerce=int,
        choices=[(-1, "−1 Somewhat less than expected"), (-2, "−2 Much less (could get worse)")],
        initial=-1,
        help_text="Usually −1; −2 when things could get worse.",
    )


class GoalRatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label="Level reached",
        coerce=int,
        choices=[
            (2, "+2 Much more than expected"),
            (1, "+1 Somewhat more than expected"),
            (0, "0 Expected outcome"),
            (-1, "−1 Somewhat less than expected"),
            (-2, "−2 Much less than expected"),
        ],
        widget=forms.RadioSelect,
    )
    rated_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
