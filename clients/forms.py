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
