"""Validation and normalisation of a client's answers against a worksheet definition.

Answers are JSON as the format describes; nothing is guessed. The only changes cleaning makes
are lossless: blank answers (null, whitespace-only text, empty lists, rows or objects holding
only blanks) are removed, and whole numbers sent as ``7.0`` become ``7``. Strings are never
turned into numbers here — that belongs to the HTML form layer (``forms.parse_form_data``),
which knows its values arrive as text.

All functions assume a definition that :func:`validate_definition` accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .conditions import condition_holds
from .fields import Answers, Definition, FieldDef, fields_by_id, is_blank, is_required
from .issues import Issue, key_path, quote
from .types import is_answerable, type_of
from .types.base import SKIP


class InvalidResponse(ValueError):
    """Raised by :func:`clean_response`; ``issues`` lists every problem."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        summary = "; ".join(f"{i.path or '(answers)'}: {i.message}" for i in issues[:3])
        super().__init__(f"{len(issues)} problem(s) in the answers: {summary}")


def validate_response(definition: Definition, answers: Any) -> list[Issue]:
    """Problems that stop ``answers`` from being submitted; empty when they can be."""
    return AnswerCleaner(definition, draft=False).clean(answers)[1]


def validate_draft(definition: Definition, answers: Any) -> list[Issue]:
    """Like :func:`validate_response` for an autosaved draft: nothing is required yet (no
    required fields, row minimums, emotion intensities or signatures), but every answer given
    must still have the right type and fit its field."""
    return AnswerCleaner(definition, draft=True).clean(answers)[1]


def clean_response(definition: Definition, answers: Any, *, draft: bool = False) -> dict[str, Any]:
    """The normalised answers to store, or :class:`InvalidResponse`.

    On submit (``draft=False``) answers to fields hidden by ``show_if`` are dropped, since the
    client never saw those questions. A draft keeps them, so toggling an answer back and forth
    while filling in does not lose what was typed.
    """
    cleaned, issues = AnswerCleaner(definition, draft=draft).clean(answers)
    if issues:
        raise InvalidResponse(issues)
    return cleaned


def visible_field_ids(definition: Definition, answers: Any) -> set[str]:
    """Ids of the fields shown for ``answers`` (which may be an unvalidated draft: invalid
    answers count as unanswered)."""
    fields = fields_by_id(definition)
    typed, _ = AnswerCleaner(definition, draft=True).clean(answers)
    shown_answers: dict[str, Any] = {}
    for field_id, field in fields.items():
        if is_shown(field, fields, shown_answers):
            shown_answers[field_id] = typed.get(field_id)
    return set(shown_answers)


def is_shown(field: FieldDef, fields: Mapping[str, FieldDef], shown_answers: Answers) -> bool:
    """Whether ``field`` is shown, given the answers of the fields shown before it (a hidden
    field counts as unanswered, so conditions chain)."""
    condition = field.get("show_if")
    if not condition:
        return True
    target = condition["field"]
    return condition_holds(fields[target], condition, shown_answers.get(target))


class AnswerCleaner:
    """Validates and normalises answers; each field type cleans its own answers through
    :meth:`value` and reports through :meth:`add`."""

    def __init__(self, definition: Definition, *, draft: bool) -> None:
        self.fields = fields_by_id(definition)
        self.draft = draft
        self.issues: list[Issue] = []

    def add(self, path: str, message: str) -> None:
        self.issues.append(Issue(path, message))

    def clean(self, answers: Any) -> tuple[dict[str, Any], list[Issue]]:
        if not isinstance(answers, Mapping):
            self.add("", "Answers must be a JSON object keyed by field id.")
            return {}, self.issues
        for key, value in answers.items():
            field = self.fields.get(key)
            if field is None:
                self.add(str(key), f"Unknown field {quote(key)}.")
            elif not is_answerable(field) and not is_blank(value):
                self.add(key, "This field takes no answer.")
        cleaned: dict[str, Any] = {}
        for field_id, field in self.fields.items():
            if not is_answerable(field):
                continue
            if not self.draft and not is_shown(field, self.fields, cleaned):
                continue
            value = self.value(field, answers.get(field_id), field_id)
            if value is not SKIP:
                cleaned[field_id] = value
        return cleaned, self.issues

    def value(self, field: FieldDef, value: Any, path: str) -> Any:
        """The cleaned answer of ``field`` (a top-level field or a table column), or
        ``SKIP`` when it is blank or invalid."""
        if is_blank(value):
            if is_required(field) and not self.draft:
                self.add(path, type_of(field).required_message)
            return SKIP
        before = len(self.issues)
        cleaned = type_of(field).clean(self, field, value, path)
        return SKIP if len(self.issues) > before else cleaned

    def unknown_keys(self, obj: Mapping[str, Any], path: str, allowed: frozenset[str]) -> None:
        for key in obj:
            if key not in allowed:
                self.add(key_path(path, str(key)), f"Unknown key {quote(key)}.")
