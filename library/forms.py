"""Forms of the library pages: browsing, an activity's details, the field editor of the form
builder, JSON editing, import and media upload.

The field editor is one form for every field type: the common inputs (label, help, required,
condition) are declared here, the type's own come from its module in ``worksheets.types``
(``builder_fields``), which also turns them back into the field's JSON. Whether the result is
a valid worksheet is decided by the engine when the service saves it.
"""

from __future__ import annotations

import copy
import json

from django import forms

from library.media import ALLOWED as MEDIA_EXTENSIONS
from library.models import APPROACHES, PROBLEMS, Kind
from worksheets import is_answerable
from worksheets.editing import TYPE_LABELS
from worksheets.types import FIELD_TYPES, field_type
from worksheets.types.number import typed_condition_number

SOURCES = [
    ("", "Practice and global"),
    ("practice", "Practice library"),
    ("global", "Global library"),
]
CONDITION_OPS = [
    ("equals", "is"),
    ("not_equals", "is not"),
    ("in", "is one of (comma-separated)"),
    ("gte", "is at least"),
    ("lte", "is at most"),
    ("answered", "is answered"),
]
RISK_KINDS = [
    ("", "Never"),
    ("at_least", "the answer is at least"),
    ("equals", "the answer is (or ticks)"),
]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *Kind.choices]
    )
    approach = forms.ChoiceField(
        label="Approach",
        required=False,
        choices=[("", "Any approach")] + [(a, a) for a in APPROACHES],
    )
    problem = forms.ChoiceField(
        label="Problem",
        required=False,
        choices=[("", "Any problem")] + [(p, p.capitalize()) for p in PROBLEMS],
    )
    source = forms.ChoiceField(label="Show", required=False, choices=SOURCES)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"q": "", "kind": "", "approach": "", "problem": "", "source": ""}
        return {name: self.cleaned_data[name] or "" for name in self.fields}


class ActivityDetailsForm(forms.Form):
    """What the client reads around the worksheet, and the tags used to find it."""

    title = forms.CharField(
        label="Title", max_length=200, help_text="The clinical name, for you and your colleagues."
    )
    client_title = forms.CharField(
        label="Title the client sees",
        max_length=200,
        required=False,
        help_text=(
            "A calm, plain name for the portal, reminders and the client's documents. Empty:"
            " the client sees the title. Keep a validated questionnaire's name and add a"
            " plain subtitle, e.g. “PHQ-9: how you've been feeling”."
        ),
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        required=False,
        help_text="One line for the library listing, for therapists.",
    )
    rationale = forms.CharField(
        label="Why this helps",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Written for the client.",
    )
    instructions = forms.CharField(
        label="How to do it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One step per line, written for the client.",
    )
    estimated_minutes = forms.IntegerField(
        label="Estimated minutes", min_value=1, max_value=240, initial=10
    )
    kind = forms.ChoiceField(label="Kind", choices=Kind.choices)
    approaches = forms.MultipleChoiceField(
        label="Approach",
        required=False,
        choices=[(a, a) for a in APPROACHES],
        widget=forms.CheckboxSelectMultiple,
    )
    problems = forms.MultipleChoiceField(
        label="Problem",
        required=False,
        choices=[(p, p.capitalize()) for p in PROBLEMS],
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def initial_from(cls, version) -> dict:
        return {
            "title": version.title,
            "client_title": version.client_title,
            "summary": version.summary,
            "rationale": version.rationale,
            "instructions": "\n".join(version.instructions),
            "estimated_minutes": version.estimated_minutes,
            "kind": version.kind,
            "approaches": version.approaches,
            "problems": version.problems,
        }

    def content(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("slug", None)
        data["instructions"] = [
            line.strip() for line in data["instructions"].splitlines() if line.strip()
        ]
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A draft may leave these empty, publishing may not: the label says "needed before
        # publishing" instead of "(optional)" beside a help text that says the opposite.
        for name in ("rationale", "instructions"):
            self.fields[name].needed_to_publish = True  # type: ignore[attr-defined]


class CuratedCreateForm(ActivityDetailsForm):
    slug = forms.SlugField(
        label="Slug",
        required=False,
        max_length=80,
        help_text="Stable identifier, e.g. thought-record. Made from the title when empty.",
    )


class DefinitionJsonForm(forms.Form):
    definition = forms.CharField(
        label="Worksheet definition (JSON)",
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
        help_text="The format is described in docs/worksheet-format.md.",
    )

    def clean_definition(self):
        try:
            return json.loads(self.cleaned_data["definition"])
        except ValueError as exc:
            raise forms.ValidationError(f"This is not valid JSON: {exc}") from None


class AddFieldForm(forms.Form):
    section = forms.CharField(widget=forms.HiddenInput)
    type = forms.ChoiceField(label="Type of question", choices=list(TYPE_LABELS.items()))


class SectionForm(forms.Form):
    section = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(label="Section title", max_length=200)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TargetForm(forms.Form):
    """Which field or section a move/remove is about, and the direction."""

    target = forms.CharField(max_length=50)
    direction = forms.ChoiceField(required=False, choices=[("up", "up"), ("down", "down")])


TYPE_INPUTS = {name: list(field_type(name).builder_fields) for name in FIELD_TYPES}
"""The inputs of each type's settings, in the order the editor shows them."""
INPUT_KEYS = {
    name: key for kind in FIELD_TYPES for name, key in field_type(kind).builder_keys.items()
}
"""The definition key each input writes (where it differs from the input's name); used to
put the engine's errors next to the input they are about."""


class FieldEditForm(forms.Form):
    """Every setting of one worksheet field; the template shows those of its type."""

    label = forms.CharField(label="Question or heading", max_length=300)
    help = forms.CharField(
        label="Help for the client",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What a good answer looks like.",
    )
    required = forms.BooleanField(label="The client must answer this", required=False)
    condition_field = forms.ChoiceField(label="Show only if", required=False)
    condition_op = forms.ChoiceField(label="Condition", required=False, choices=CONDITION_OPS)
    condition_value = forms.CharField(label="Value", required=False, max_length=300)
    risk_kind = forms.ChoiceField(label="Alert when", required=False, choices=RISK_KINDS)
    risk_value = forms.CharField(
        label="Level or option",
        required=False,
        max_length=100,
        help_text="A number (for a scored choice, the option's score), or an option.",
    )
    risk_label = forms.CharField(
        label="What the alert says",
        required=False,
        max_length=200,
        help_text="e.g. “Thoughts of self-harm”. The question's text when empty.",
    )

    def __init__(self, *args, field: dict, earlier: list[dict], **kwargs):
        self.field = field
        self.kind = field_type(field["type"])
        self.earlier = [f for f in earlier if is_answerable(f)]
        kwargs.setdefault("initial", self._initial(field))
        super().__init__(*args, **kwargs)
        for name, prototype in self.kind.builder_fields.items():
            self.fields[name] = copy.deepcopy(prototype)
            if isinstance(prototype, forms.FileField):
                # Uploads are stored by the library, which decides what it accepts.
                self.fields[name].help_text += ": " + ", ".join(sorted(MEDIA_EXTENSIONS)) + "."
        self.fields["condition_field"].choices = [("", "Always show")] + [
            (f["id"], f["label"][:80]) for f in self.earlier
        ]
        if not self.kind.answerable:
            self.fields["label"].label = "Heading"

    # -- which inputs a type uses ---------------------------------------------------------

    def type_inputs(self):
        return [self[name] for name in self.kind.builder_fields]

    def common_inputs(self):
        names = ["label", "help"]
        if is_answerable(self.field):
            names.append("required")
        return [self[name] for name in names]

    def condition_inputs(self):
        return [self[name] for name in ("condition_field", "condition_op", "condition_value")]

    def risk_inputs(self):
        """The risk rule's inputs, for types whose answers can carry one."""
        if not self.kind.risk_kinds(self.field):
            return []
        return [self[name] for name in ("risk_kind", "risk_value", "risk_label")]

    @property
    def upload_name(self) -> str:
        return self.field.get("upload", "")

    # -- field JSON <-> inputs ------------------------------------------------------------

    def _initial(self, field: dict) -> dict:
        initial = {key: field[key] for key in ("label", "help", "required") if key in field}
        initial |= self.kind.builder_initial(field)
        condition = field.get("show_if")
        if condition:
            initial["condition_field"] = condition.get("field")
            initial["condition_op"] = condition.get("op")
            value = condition.get("value")
            if isinstance(value, list):
                initial["condition_value"] = ", ".join(str(v) for v in value)
            elif value is not None:
                initial["condition_value"] = str(value)
        risk = field.get("risk")
        if isinstance(risk, dict):
            kind = next((k for k in ("at_least", "equals") if k in risk), "")
            initial |= {"risk_kind": kind, "risk_value": str(risk.get(kind, ""))}
            initial["risk_label"] = risk.get("label", "")
        return initial

    def to_field(self, *, upload: str | None = None) -> dict:
        """The field's JSON from the inputs (call after ``is_valid``); ``upload`` is the id of
        a file just uploaded for a media field."""
        data = self.cleaned_data
        field = {"id": self.field["id"], "type": self.field["type"], "label": data["label"].strip()}
        if data["help"].strip():
            field["help"] = data["help"].strip()
        if is_answerable(self.field) and data["required"]:
            field["required"] = True
        field |= self.kind.builder_settings(data, field=self.field, upload=upload)
        condition = self._condition()
        if condition:
            field["show_if"] = condition
        risk = self._risk(field)
        if risk:
            field["risk"] = risk
        return field

    def _risk(self, field: dict) -> dict | None:
        """The rule as typed; the engine says what is wrong with it (a level outside the
        scale, a value that is not an option), next to these inputs."""
        kind = self.cleaned_data.get("risk_kind")
        if not kind or not self.kind.risk_kinds(self.field):
            return None
        text = self.cleaned_data.get("risk_value", "").strip()
        # A level is a number (on a scored choice, a score: "1", not the option "1").
        if kind == "at_least":
            value = typed_condition_number(text)
        else:
            value = self.kind.builder_condition_value(field, text)
        risk = {kind: value}
        label = self.cleaned_data.get("risk_label", "").strip()
        if label:
            risk["label"] = label
        return risk

    def _condition(self) -> dict | None:
        target_id = self.cleaned_data.get("condition_field")
        if not target_id:
            return None
        op = self.cleaned_data.get("condition_op") or "equals"
        condition = {"field": target_id, "op": op}
        if op == "answered":
            return condition
        target = next((f for f in self.earlier if f["id"] == target_id), None)
        raw = self.cleaned_data.get("condition_value", "")
        if op == "in":
            condition["value"] = [
                _condition_value(target, part) for part in raw.split(",") if part.strip()
            ]
        else:
            condition["value"] = _condition_value(target, raw)
        return condition


def _condition_value(target: dict | None, text: str):
    """What was typed, as the type the target field's answers have (an option's value for
    choices, its label accepted too; a number for scales and scored choices)."""
    text = text.strip()
    if target is None:
        return text
    return field_type(target["type"]).builder_condition_value(target, text)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        required=False,
        help_text="A Bridgework activity (.json) or a FHIR R4 Questionnaire (.json).",
    )
    text = forms.CharField(
        label="Or paste it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "code"}),
    )

    MAX_BYTES = 2 * 1024 * 1024

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload is None and not text:
            raise forms.ValidationError("Choose a file or paste the JSON.")
        if upload is not None:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError("The file is larger than 2 MB.")
            text = upload.read().decode("utf-8", errors="replace")
        try:
            data["document"] = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"This is not valid JSON: {exc}") from None
        return data
