"""Validation and normalisation of a client's answers against a worksheet definition.

Answers are JSON as the format describes; nothing is guessed. The only changes cleaning makes
are lossless: blank answers (null, whitespace-only text, empty lists, rows or objects holding
only blanks) are removed, and whole numbers sent as ``7.0`` become ``7``. Strings are never
turned into numbers here — that belongs to the HTML form layer (``forms.parse_form_data``),
which knows its values arrive as text.

All functions assume a definition that :func:`validate_definition` accepts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from .conditions import condition_holds
from .fields import (
    EMOTION_MAX_LENGTH,
    INTENSITY_MAX,
    INTENSITY_MIN,
    SIGNATURE_MAX_LENGTH,
    Answers,
    Definition,
    FieldDef,
    as_int,
    fields_by_id,
    is_answerable,
    is_blank,
    is_number,
    is_required,
    is_time,
    option_values,
    parse_date,
    rating_values,
    setting,
)
from .issues import Issue, index_path, key_path, quote

_SKIP: Final = object()
"""Returned by a cleaner when there is nothing to keep (blank or invalid)."""

_REQUIRED_MESSAGES: Final = {
    "single_choice": "Choose one of the options.",
    "multiple_choice": "Choose at least one option.",
    "checklist": "Tick at least one item.",
    "table": "Add at least one row.",
    "emotions": "Add at least one emotion.",
    "commitment": "Sign and date this commitment.",
}
_EMOTION_KEYS: Final = frozenset({"emotion", "intensity"})
_COMMITMENT_KEYS: Final = frozenset({"signature", "date"})


class InvalidResponse(ValueError):
    """Raised by :func:`clean_response`; ``issues`` lists every problem."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        summary = "; ".join(f"{i.path or '(answers)'}: {i.message}" for i in issues[:3])
        super().__init__(f"{len(issues)} problem(s) in the answers: {summary}")


def validate_response(definition: Definition, answers: Any) -> list[Issue]:
    """Problems that stop ``answers`` from being submitted; empty when they can be."""
    return _Cleaner(definition, draft=False).clean(answers)[1]


def validate_draft(definition: Definition, answers: Any) -> list[Issue]:
    """Like :func:`validate_response` for an autosaved draft: nothing is required yet (no
    required fields, row minimums, emotion intensities or signatures), but every answer given
    must still have the right type and fit its field."""
    return _Cleaner(definition, draft=True).clean(answers)[1]


def clean_response(definition: Definition, answers: Any, *, draft: bool = False) -> dict[str, Any]:
    """The normalised answers to store, or :class:`InvalidResponse`.

    On submit (``draft=False``) answers to fields hidden by ``show_if`` are dropped, since the
    client never saw those questions. A draft keeps them, so toggling an answer back and forth
    while filling in does not lose what was typed.
    """
    cleaned, issues = _Cleaner(definition, draft=draft).clean(answers)
    if issues:
        raise InvalidResponse(issues)
    return cleaned


def visible_field_ids(definition: Definition, answers: Any) -> set[str]:
    """Ids of the fields shown for ``answers`` (which may be an unvalidated draft: invalid
    answers count as unanswered)."""
    fields = fields_by_id(definition)
    typed, _ = _Cleaner(definition, draft=True).clean(answers)
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


class _Cleaner:
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
            if value is not _SKIP:
                cleaned[field_id] = value
        return cleaned, self.issues

    def value(self, field: FieldDef, value: Any, path: str) -> Any:
        if is_blank(value):
            if is_required(field) and not self.draft:
                self.add(path, _REQUIRED_MESSAGES.get(field["type"], "This field is required."))
            return _SKIP
        before = len(self.issues)
        cleaned = _CLEANERS[field["type"]](self, field, value, path)
        return _SKIP if len(self.issues) > before else cleaned

    def text(self, field: FieldDef, value: Any, path: str) -> Any:
        problem = _text_problem(value, setting(field, "max_length"))
        if problem:
            self.add(path, problem)
        return value

    def number(self, field: FieldDef, value: Any, path: str) -> Any:
        if not is_number(value) or not math.isfinite(value):
            self.add(path, "Enter a number.")
            return _SKIP
        low, high = field.get("min"), field.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            self.add(path, _range_message(low, high))
        elif not _on_step(value, low or 0, setting(field, "step")):
            self.add(path, _step_message(low or 0, setting(field, "step")))
        whole = as_int(value)
        return value if whole is None else whole

    def rating(self, field: FieldDef, value: Any, path: str) -> Any:
        number = as_int(value)
        scale = rating_values(field)
        if number not in scale:
            steps = f" in steps of {scale.step}" if scale.step != 1 else ""
            self.add(path, f"Choose a whole number from {scale.start} to {scale[-1]}{steps}.")
        return number

    def single_choice(self, field: FieldDef, value: Any, path: str) -> Any:
        if value not in option_values(field):
            self.add(path, _not_an_option(value))
        return value

    def choice_list(self, field: FieldDef, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            self.add(path, "Send the chosen options as a list of option values.")
            return _SKIP
        allowed = option_values(field)
        chosen: list[Any] = []
        for index, item in enumerate(value):
            if item not in allowed:
                self.add(index_path(path, index), _not_an_option(item))
            elif item in chosen:
                self.add(index_path(path, index), f"{quote(item)} is chosen twice.")
            else:
                chosen.append(item)
        low, high = field.get("min_selected", 0), field.get("max_selected")
        if high is not None and len(chosen) > high:
            self.add(path, f"Choose at most {_count(high, 'option')}.")
        elif len(chosen) < low and not self.draft:
            self.add(path, f"Choose at least {_count(low, 'option')}.")
        return chosen

    def date(self, field: FieldDef, value: Any, path: str) -> Any:
        day = parse_date(value)
        low, high = parse_date(field.get("min")), parse_date(field.get("max"))
        if day is None:
            self.add(path, "Enter a date as YYYY-MM-DD.")
        elif low and day < low:
            self.add(path, f"Enter a date on or after {low.isoformat()}.")
        elif high and day > high:
            self.add(path, f"Enter a date on or before {high.isoformat()}.")
        return value

    def time(self, field: FieldDef, value: Any, path: str) -> Any:
        if not is_time(value):
            self.add(path, "Enter a time as HH:MM (24-hour clock).")
        return value

    def duration(self, field: FieldDef, value: Any, path: str) -> Any:
        minutes = as_int(value)
        limit = setting(field, "max_minutes")
        if minutes is None or not 0 <= minutes <= limit:
            self.add(path, f"Enter a whole number of minutes from 0 to {limit}.")
        return minutes

    def table(self, field: FieldDef, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            self.add(path, "Send the table as a list of rows.")
            return _SKIP
        columns = {column["id"]: column for column in field["columns"]}
        rows: list[dict[str, Any]] = []
        for index, row in enumerate(value):
            row_path = index_path(path, index)
            if not isinstance(row, Mapping):
                self.add(row_path, "Each row must be an object keyed by column id.")
                continue
            for key in row:
                if key not in columns:
                    self.add(key_path(row_path, str(key)), f"Unknown column {quote(key)}.")
            if not is_blank(row):
                rows.append(self.row(columns, row, row_path))
        high, low = setting(field, "max_rows"), setting(field, "min_rows")
        if len(rows) > high:
            self.add(path, f"Add at most {_count(high, 'row')}.")
        elif len(rows) < low and not self.draft:
            self.add(path, f"Add at least {_count(low, 'row')}.")
        return rows

    def row(
        self, columns: Mapping[str, FieldDef], row: Mapping[str, Any], row_path: str
    ) -> dict[str, Any]:
        cleaned = {}
        for column_id, column in columns.items():
            value = self.value(column, row.get(column_id), key_path(row_path, column_id))
            if value is not _SKIP:
                cleaned[column_id] = value
        return cleaned

    def emotions(self, field: FieldDef, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            self.add(path, "Send emotions as a list of {emotion, intensity} objects.")
            return _SKIP
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        for index, item in enumerate(value):
            item_path = index_path(path, index)
            if not isinstance(item, Mapping):
                self.add(
                    item_path, "Each emotion must be an object with 'emotion' and 'intensity'."
                )
                continue
            self.unknown_keys(item, item_path, _EMOTION_KEYS)
            if is_blank(item):
                continue
            cleaned = self.emotion(item, item_path)
            name = cleaned.get("emotion")
            if isinstance(name, str) and name.strip().casefold() in seen:
                self.add(key_path(item_path, "emotion"), f"{quote(name)} is listed twice.")
            elif isinstance(name, str):
                seen.add(name.strip().casefold())
            items.append(cleaned)
        limit = setting(field, "max_items")
        if len(items) > limit:
            self.add(path, f"List at most {_count(limit, 'emotion')}.")
        return items

    def emotion(self, item: Mapping[str, Any], path: str) -> dict[str, Any]:
        cleaned: dict[str, Any] = {}
        name, intensity = item.get("emotion"), item.get("intensity")
        if is_blank(name):
            self.add(key_path(path, "emotion"), "Name the emotion.")
        elif problem := _text_problem(name, EMOTION_MAX_LENGTH):
            self.add(key_path(path, "emotion"), problem)
        else:
            cleaned["emotion"] = name
        if is_blank(intensity) and self.draft:
            return cleaned
        level = as_int(intensity)
        if level is None or not INTENSITY_MIN <= level <= INTENSITY_MAX:
            self.add(
                key_path(path, "intensity"),
                f"Rate the intensity from {INTENSITY_MIN} to {INTENSITY_MAX}.",
            )
        else:
            cleaned["intensity"] = level
        return cleaned

    def commitment(self, field: FieldDef, value: Any, path: str) -> Any:
        if not isinstance(value, Mapping):
            self.add(path, "Send the commitment as an object with 'signature' and 'date'.")
            return _SKIP
        self.unknown_keys(value, path, _COMMITMENT_KEYS)
        cleaned: dict[str, Any] = {}
        signature, day = value.get("signature"), value.get("date")
        if not is_blank(signature):
            if problem := _text_problem(signature, SIGNATURE_MAX_LENGTH):
                self.add(key_path(path, "signature"), problem)
            cleaned["signature"] = signature
        elif not self.draft:
            self.add(key_path(path, "signature"), "Type your name to sign.")
        if not is_blank(day):
            if parse_date(day) is None:
                self.add(key_path(path, "date"), "Enter a date as YYYY-MM-DD.")
            cleaned["date"] = day
        elif not self.draft:
            self.add(key_path(path, "date"), "Enter the date.")
        return cleaned

    def unknown_keys(self, obj: Mapping[str, Any], path: str, allowed: frozenset[str]) -> None:
        for key in obj:
            if key not in allowed:
                self.add(key_path(path, str(key)), f"Unknown key {quote(key)}.")


_CLEANERS: Final = {
    "short_text": _Cleaner.text,
    "long_text": _Cleaner.text,
    "number": _Cleaner.number,
    "rating": _Cleaner.rating,
    "single_choice": _Cleaner.single_choice,
    "multiple_choice": _Cleaner.choice_list,
    "checklist": _Cleaner.choice_list,
    "date": _Cleaner.date,
    "time": _Cleaner.time,
    "duration": _Cleaner.duration,
    "table": _Cleaner.table,
    "emotions": _Cleaner.emotions,
    "commitment": _Cleaner.commitment,
}


def _text_problem(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return "Enter text."
    if len(value) > limit:
        return f"Use at most {limit} characters (this has {len(value)})."
    if "\x00" in value:
        # PostgreSQL cannot store NUL in text or jsonb; refuse it here, with a path.
        return "This text contains a character that cannot be saved."
    return None


def _not_an_option(value: Any) -> str:
    if isinstance(value, str):
        return f"{quote(value)} is not one of the options."
    return "Choose one of the options (send the option's value as text)."


def _on_step(value: int | float, base: int | float, step: int | float) -> bool:
    """Decimal arithmetic, so 0.3 is on a 0.1 step although 0.3 % 0.1 != 0 in floats."""
    return (Decimal(str(value)) - Decimal(str(base))) % Decimal(str(step)) == 0


def _range_message(low: int | float | None, high: int | float | None) -> str:
    if low is not None and high is not None:
        return f"Enter a number from {low} to {high}."
    if low is not None:
        return f"Enter a number of at least {low}."
    return f"Enter a number of at most {high}."


def _step_message(base: int | float, step: int | float) -> str:
    if step == 1 and float(base).is_integer():
        return "Enter a whole number."
    if base == 0:
        return f"Enter a multiple of {step}."
    return f"Enter {base} plus a multiple of {step}."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
