"""Forms of the homework conversation: one per reviewed item, the end of the review, the
client's answer to a plan, and their reason for a missed item."""

from django import forms

from conversations.models import Decision, MissedReasonKind, Outcome
from conversations.quality import ITEMS

_SHORT = {"rows": 2}


class ItemReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="How did it go?", choices=Outcome.choices, widget=forms.RadioSelect
    )
    learned = forms.CharField(
        label="What did they learn?",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=_SHORT | {"placeholder": "In their words"}),
    )
    obstacles = forms.CharField(
        label="What got in the way?",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=_SHORT),
    )
    reason = forms.ChoiceField(
        label="Why it was not done",
        required=False,
        choices=[("", "—"), *MissedReasonKind.choices],
        help_text="Pre-filled from the client's own answer, if they gave one.",
    )
    reason_text = forms.CharField(label="In their words", required=False, max_length=500)
    decision = forms.ChoiceField(
        label="Next", choices=Decision.choices, initial=Decision.KEEP, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (question, anchors) in ITEMS.items():
            self.fields[name] = forms.TypedChoiceField(
                label=question,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[(str(level), f"{level} · {text}") for level, text in enumerate(anchors)],
                widget=forms.RadioSelect,
            )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "learned": data["learned"],
            "obstacles": data["obstacles"],
            "reason": data["reason"],
            "reason_text": data["reason_text"],
            "decision": data["decision"],
            "levels": {name: data.get(name) for name in ITEMS},
        }


class FinishForm(forms.Form):
    client_involved = forms.BooleanField(
        label="The client reviewed the homework with me (they led, I asked)", required=False
    )
    praise_given = forms.BooleanField(label="I praised what they did", required=False)
    difficulties_discussed = forms.BooleanField(
        label="We talked through what was hard, without blame", required=False
    )
    plan_adjusted = forms.BooleanField(label="We adjusted the plan together", required=False)
    agreed_note = forms.CharField(
        label="What we agreed for the coming week",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The client reads this in their summary.",
    )


class AgreementForm(forms.Form):
    confirmed = forms.TypedChoiceField(
        label="Does this plan work for you?",
        choices=[("yes", "Yes, this works for me"), ("no", "I'd like to change something")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    proposed_change = forms.CharField(
        label="What would you change?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "A different time, place, or a smaller step"}
        ),
    )
    confidence = forms.TypedChoiceField(
        label="How sure are you that you'll do it? (0 = not at all, 10 = completely)",
        coerce=int,
        choices=[(str(n), str(n)) for n in range(11)],
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )


class MissedReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label="What got in the way?", choices=MissedReasonKind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="Anything you'd like to add?",
        required=False,
        max_length=500,
        widget=forms.TextInput(),
    )
