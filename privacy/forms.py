"""Forms for consent documents, consent, retention and erasure. They parse; services decide."""

from django import forms

from core.forms import NativeDateInput
from privacy.models import ConsentKind


class PublishForm(forms.Form):
    kind = forms.ChoiceField(label="Document", choices=ConsentKind.choices)
    text = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Plain words; blank lines start new paragraphs. Published versions cannot be "
        "edited: a change is a new version, and clients are asked to accept it.",
    )
    effective_date = forms.DateField(
        label="In force from",
        widget=NativeDateInput,
        help_text="Today or later. From this date clients see it the next time they sign in.",
    )


class RetentionForm(forms.Form):
    retention_years = forms.IntegerField(
        label="Keep records for (years after discharge)",
        min_value=1,
        max_value=100,
        help_text="After this, a discharged client's records are erased automatically.",
    )


class ConsentForm(forms.Form):
    """One box per document waiting for the client's agreement."""

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = documents
        for doc in documents:
            self.fields[f"doc_{doc.pk}"] = forms.BooleanField(
                label=f"I have read and agree to the {doc.get_kind_display().lower()}",
                required=True,
                error_messages={"required": "Tick this box to continue."},
            )

    def accepted_ids(self) -> list[str]:
        return [str(d.pk) for d in self.documents if self.cleaned_data.get(f"doc_{d.pk}")]

    def pairs(self):
        return [(doc, self[f"doc_{doc.pk}"]) for doc in self.documents]
