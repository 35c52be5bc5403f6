from django import forms
from django.contrib.auth.password_validation import validate_password

from accounts.models import Practice, Role
from accounts.services import API_TOKEN_DEFAULT_DAYS, API_TOKEN_LIFETIMES
from core.timezones import known_timezones, validate_timezone


def timezone_choices():
    return [(tz, tz.replace("_", " ")) for tz in sorted(known_timezones()) if "/" in tz] + [
        ("UTC", "UTC")
    ]


class PracticeSignupForm(forms.Form):
    """Extra fields on allauth's sign-up: the person who signs up founds a practice."""

    full_name = forms.CharField(label="Your name", max_length=150)
    practice_name = forms.CharField(
        label="Practice name", max_length=200, help_text="You can change this later."
    )

    field_order = ["full_name", "email", "practice_name", "password1", "password2"]

    def signup(self, request, user):
        from accounts.services import practice_create

        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
        practice_create(owner=user, name=self.cleaned_data["practice_name"])


class PracticeSettingsForm(forms.ModelForm):
    default_timezone = forms.ChoiceField(
        label="Default time zone for new clients", choices=timezone_choices
    )

    class Meta:
        model = Practice
        fields = [
            "name",
            "default_timezone",
            "require_mfa",
            "show_scores_to_clients",
            "crisis_country",
            "crisis_resources",
        ]
        labels = {
            "require_mfa": "Require two-factor authentication for every member",
            "show_scores_to_clients": "Show clients their own measure scores",
        }
        widgets = {
            "crisis_resources": forms.Textarea(
                attrs={
                    "rows": 4,
                    "placeholder": "Duty phone, weekdays 9\u20135: 0161 496 0000",
                }
            )
        }

    def clean_default_timezone(self):
        value = self.cleaned_data["default_timezone"]
        validate_timezone(value)
        return value


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.THERAPIST)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password1(self):
        from accounts.models import User

        password = self.cleaned_data["password1"]
        validate_password(password, user=User(email=self.email))
        return password

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        return data


# --- API tokens ------------------------------------------------------------------------------


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What will use it, e.g. “Weekly export script”. Shown in your token list.",
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(days, f"{days} days") for days in API_TOKEN_LIFETIMES],
        initial=API_TOKEN_DEFAULT_DAYS,
        help_text="A script that runs longer needs a new token then.",
    )
