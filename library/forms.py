"""Forms of the library pages: browsing, an activity's details, the field editor of the form
builder, JSON editing, import and media upload.

The field editor is one form for every field type; ``inputs_for(type)`` says which of its
inputs a type uses, and ``to_field`` turns them back into the field's JSON. Whether the result
is a valid worksheet is decided by the engine when the service saves it.
"""

from __future__ import annotations

import json
import re

from django import forms
from django.utils.text import slugify

from core.forms import NativeDateInput
from library.media import ALLOWED as MEDIA_EXTENSIONS
from library.models import APPROACHES, PROBLEMS, Kind
from worksheets import is_answerable
from worksheets.editing import TYPE_LABELS

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

    title = forms.CharField(label="Title", max_length=200)
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
        help_text="Written for the client. Needed before publishing.",
    )
    instructions = forms.CharField(
        label="How to do it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One step per line, written for the client. Needed before publishing.",
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


_TEXT_INPUTS = ["max_length", "placeholder"]
TYPE_INPUTS = {
    "short_text": _TEXT_INPUTS,
    "long_text": _TEXT_INPUTS,
    "number": ["min", "max", "step", "unit"],
    "rating": ["min", "max", "step", "anchors"],
    "single_choice": ["options"],
    "multiple_choice": ["options", "min_selected", "max_selected"],
    "checklist": ["options"],
    "date": ["date_min", "date_max"],
    "time": [],
    "duration": ["max_minutes"],
    "table": ["columns", "row_label", "min_rows", "max_rows", "initial_rows"],
    "emotions": ["suggestions", "max_items", "intensity_label"],
    "instructions": ["body"],
    "media": ["media_kind", "url", "media_file", "caption", "transcript"],
    "commitment": ["statement"],
}
# The definition key each input writes (where it differs from the input's name); used to put
# the engine's errors next to the input they are about.
INPUT_KEYS = {"date_min": "min", "date_max": "max", "media_kind": "kind", "media_file": "upload"}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(text: str):
    text = text.strip()
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise forms.ValidationError("Enter a number.")
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


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
    max_length = forms.IntegerField(
        label="Longest answer (characters)", required=False, min_value=1
    )
    placeholder = forms.CharField(
        label="Example shown in the empty box", required=False, max_length=200
    )
    min = forms.CharField(label="Lowest value", required=False, max_length=20)
    max = forms.CharField(label="Highest value", required=False, max_length=20)
    step = forms.CharField(label="Step", required=False, max_length=20)
    unit = forms.CharField(label="Unit", required=False, max_length=30, help_text="e.g. hours")
    anchors = forms.CharField(
        label="Labels on the scale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. “0 = Not at all”. Label both ends.",
    )
    options = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line. Add “| 2” after an option to give it a score.",
    )
    min_selected = forms.IntegerField(label="Choose at least", required=False, min_value=0)
    max_selected = forms.IntegerField(label="Choose at most", required=False, min_value=1)
    date_min = forms.DateField(label="Earliest date", required=False, widget=NativeDateInput())
    date_max = forms.DateField(label="Latest date", required=False, widget=NativeDateInput())
    max_minutes = forms.IntegerField(
        label="Longest duration (minutes)", required=False, min_value=1
    )
    columns = forms.CharField(
        label="Columns (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "code"}),
        help_text='A list of fields, e.g. [{"id": "thought", "type": "short_text", '
        '"label": "Thought"}].',
    )
    row_label = forms.CharField(label="What one row is called", required=False, max_length=100)
    min_rows = forms.IntegerField(label="At least this many rows", required=False, min_value=0)
    max_rows = forms.IntegerField(label="At most this many rows", required=False, min_value=1)
    initial_rows = forms.IntegerField(label="Rows shown at first", required=False, min_value=0)
    suggestions = forms.CharField(
        label="Suggested feelings",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
    )
    max_items = forms.IntegerField(label="At most this many feelings", required=False, min_value=1)
    intensity_label = forms.CharField(label="Intensity question", required=False, max_length=100)
    body = forms.CharField(
        label="Text (Markdown)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="**bold**, *italic*, lists and links. HTML is shown as text.",
    )
    media_kind = forms.ChoiceField(
        label="Media",
        choices=[("audio", "Audio"), ("video", "Video"), ("image", "Image")],
        required=False,
    )
    url = forms.CharField(label="Link (https)", required=False, max_length=500)
    media_file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text="Audio, video or image, up to 20 MB: "
        + ", ".join(sorted(MEDIA_EXTENSIONS))
        + ".",
    )
    caption = forms.CharField(label="Caption", required=False, max_length=300)
    transcript = forms.CharField(
        label="Transcript", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    statement = forms.CharField(
        label="What the client agrees to", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    condition_field = forms.ChoiceField(label="Show only if", required=False)
    condition_op = forms.ChoiceField(label="Condition", required=False, choices=CONDITION_OPS)
    condition_value = forms.CharField(label="Value", required=False, max_length=300)

    def __init__(self, *args, field: dict, earlier: list[dict], **kwargs):
        self.field = field
        self.earlier = [f for f in earlier if is_answerable(f)]
        kwargs.setdefault("initial", self._initial(field))
        super().__init__(*args, **kwargs)
        self.fields["condition_field"].choices = [("", "Always show")] + [
            (f["id"], f["label"][:80]) for f in self.earlier
        ]
        if self.field["type"] in ("instructions", "media"):
            self.fields["label"].label = "Heading"

    # -- which inputs a type uses ---------------------------------------------------------

    def type_inputs(self):
        return [self[name] for name in TYPE_INPUTS[self.field["type"]]]

    def common_inputs(self):
        names = ["label", "help"]
        if is_answerable(self.field):
            names.append("required")
        return [self[name] for name in names]

    def condition_inputs(self):
        return [self[name] for name in ("condition_field", "condition_op", "condition_value")]

    @property
    def upload_name(self) -> str:
        return self.field.get("upload", "")

    # -- field JSON <-> inputs ------------------------------------------------------------

    @staticmethod
    def _initial(field: dict) -> dict:
        initial = {key: field[key] for key in ("label", "help", "required") if key in field}
        for name in TYPE_INPUTS[field["type"]]:
            key = INPUT_KEYS.get(name, name)
            if key in field and name not in ("options", "anchors", "columns", "suggestions"):
                initial[name] = field[key]
        if "options" in field:
            initial["options"] = "\n".join(
                option["label"] + (f" | {option['score']}" if "score" in option else "")
                for option in field["options"]
            )
        if "anchors" in field:
            initial["anchors"] = "\n".join(f"{k} = {v}" for k, v in field["anchors"].items())
        if "columns" in field:
            initial["columns"] = json.dumps(field["columns"], indent=2, ensure_ascii=False)
        if "suggestions" in field:
            initial["suggestions"] = "\n".join(field["suggestions"])
        condition = field.get("show_if")
        if condition:
            initial["condition_field"] = condition.get("field")
            initial["condition_op"] = condition.get("op")
            value = condition.get("value")
            if isinstance(value, list):
                initial["condition_value"] = ", ".join(str(v) for v in value)
            elif value is not None:
                initial["condition_value"] = str(value)
        return initial

    def clean_min(self):
        return _number(self.cleaned_data["min"])

    def clean_max(self):
        return _number(self.cleaned_data["max"])

    def clean_step(self):
        return _number(self.cleaned_data["step"])

    def clean_anchors(self):
        anchors = {}
        for line in _lines(self.cleaned_data["anchors"]):
            point, sep, text = line.partition("=")
            if not sep or not point.strip() or not text.strip():
                raise forms.ValidationError(f"Write each label as “number = text”: “{line}”.")
            anchors[point.strip()] = text.strip()
        return anchors

    def clean_options(self):
        existing = {o["label"]: o["value"] for o in self.field.get("options", [])}
        options, taken = [], set()
        for line in _lines(self.cleaned_data["options"]):
            label, sep, score = line.rpartition("|") if "|" in line else (line, "", "")
            label = label.strip()
            option = {"value": existing.get(label) or _option_value(label, taken), "label": label}
            if sep:
                try:
                    option["score"] = _number(score)
                except forms.ValidationError:
                    raise forms.ValidationError(
                        f"The score of “{label}” is not a number."
                    ) from None
            taken.add(option["value"])
            options.append(option)
        return options

    def clean_columns(self):
        text = self.cleaned_data["columns"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"This is not valid JSON: {exc}") from None

    def to_field(self, *, upload: str | None = None) -> dict:
        """The field's JSON from the inputs (call after ``is_valid``); ``upload`` is the id of
        a file just uploaded for a media field."""
        data = self.cleaned_data
        field = {"id": self.field["id"], "type": self.field["type"], "label": data["label"].strip()}
        if data["help"].strip():
            field["help"] = data["help"].strip()
        if is_answerable(self.field) and data["required"]:
            field["required"] = True
        for name in TYPE_INPUTS[self.field["type"]]:
            value = self._setting(name)
            if name == "options" or value not in (None, "", [], {}):
                field[INPUT_KEYS.get(name, name)] = value
        if self.field["type"] == "media" and (upload or ("url" not in field and self.upload_name)):
            field.pop("url", None)
            field["upload"] = upload or self.upload_name
        condition = self._condition()
        if condition:
            field["show_if"] = condition
        return field

    def _setting(self, name: str):
        value = self.cleaned_data.get(name)
        if name == "media_file":
            return None
        if name in ("date_min", "date_max"):
            return value.isoformat() if value else None
        if name == "suggestions":
            return _lines(value)
        if isinstance(value, str):
            return value.strip()
        return value

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


def _option_value(label: str, taken: set[str]) -> str:
    base = slugify(label).replace("-", "_")[:90] or "option"
    value, number = base, 2
    while value in taken:
        value, number = f"{base}_{number}", number + 1
    return value


def _condition_value(target: dict | None, text: str):
    """What was typed, as the type the target field's answers have: an option's value for
    choices (its label is accepted too), a number for scales and scored choices."""
    text = text.strip()
    if target is None:
        return text
    for option in target.get("options", []):
        if text in (option["value"], option["label"]):
            return option["value"]
    if target["type"] in ("number", "rating", "duration", "single_choice"):
        try:
            number = _number(text)
        except forms.ValidationError:
            return text
        if number is not None:
            return number
    return text


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

    @property
    def is_fhir(self) -> bool:
        document = self.cleaned_data["document"]
        return isinstance(document, dict) and "resourceType" in document
