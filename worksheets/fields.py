"""Field types of the worksheet format and a small read-only accessor layer.

Definitions stay plain JSON-compatible dicts (they are stored as JSON and pinned per version);
these helpers give the rest of the code one way to walk them instead of each caller indexing
into nested dicts and re-implementing defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, Final

Definition = Mapping[str, Any]
FieldDef = Mapping[str, Any]
Answers = Mapping[str, Any]

SCHEMA_VERSION: Final = 1
ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,49}")
DATE_PATTERN: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME_PATTERN: Final = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")

FIELD_TYPES: Final = (
    "short_text",
    "long_text",
    "number",
    "rating",
    "single_choice",
    "multiple_choice",
    "checklist",
    "date",
    "time",
    "duration",
    "table",
    "emotions",
    "instructions",
    "media",
    "commitment",
)
DISPLAY_TYPES: Final = frozenset({"instructions", "media"})
TEXT_TYPES: Final = frozenset({"short_text", "long_text"})
CHOICE_TYPES: Final = frozenset({"single_choice", "multiple_choice", "checklist"})
LIST_CHOICE_TYPES: Final = frozenset({"multiple_choice", "checklist"})
SCORABLE_TYPES: Final = frozenset({"single_choice", "rating", "number"})
COLUMN_TYPES: Final = (
    "short_text",
    "long_text",
    "number",
    "rating",
    "single_choice",
    "checklist",
    "date",
    "time",
    "duration",
)

COMMON_KEYS: Final = frozenset({"id", "type", "label", "help", "required", "show_if"})
TYPE_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "short_text": frozenset({"max_length", "placeholder"}),
    "long_text": frozenset({"max_length", "placeholder"}),
    "number": frozenset({"min", "max", "step", "unit"}),
    "rating": frozenset({"min", "max", "step", "anchors"}),
    "single_choice": frozenset({"options"}),
    "multiple_choice": frozenset({"options", "min_selected", "max_selected"}),
    "checklist": frozenset({"options"}),
    "date": frozenset({"min", "max"}),
    "time": frozenset(),
    "duration": frozenset({"max_minutes"}),
    "table": frozenset({"columns", "min_rows", "max_rows", "initial_rows", "row_label"}),
    "emotions": frozenset({"suggestions", "max_items", "intensity_label"}),
    "instructions": frozenset({"body"}),
    "media": frozenset({"kind", "url", "upload", "caption", "transcript"}),
    "commitment": frozenset({"statement"}),
}

DEFAULTS: Final[Mapping[str, Mapping[str, Any]]] = {
    "short_text": {"max_length": 200},
    "long_text": {"max_length": 5000},
    "number": {"step": 1},
    "rating": {"step": 1},
    "multiple_choice": {"min_selected": 0},
    "duration": {"max_minutes": 1440},
    "table": {"min_rows": 0, "max_rows": 50, "initial_rows": 1},
    "emotions": {"max_items": 10, "suggestions": []},
}

MAX_LENGTH_LIMITS: Final = {"short_text": 500, "long_text": 20000}
EMOTION_MAX_LENGTH: Final = 60
INTENSITY_MIN: Final = 0
INTENSITY_MAX: Final = 100
SIGNATURE_MAX_LENGTH: Final = 200


def setting(field: FieldDef, key: str) -> Any:
    """A field's value for ``key``, falling back to the format's documented default."""
    if key in field:
        return field[key]
    return DEFAULTS.get(field.get("type", ""), {}).get(key)


def iter_sections(definition: Definition) -> Iterator[Mapping[str, Any]]:
    yield from definition.get("sections", ())


def iter_fields(definition: Definition) -> Iterator[FieldDef]:
    """Top-level fields in worksheet order (table columns are not fields of their own)."""
    for section in iter_sections(definition):
        yield from section.get("fields", ())


def field_by_id(definition: Definition, field_id: str) -> FieldDef | None:
    return next((f for f in iter_fields(definition) if f.get("id") == field_id), None)


def fields_by_id(definition: Definition) -> dict[str, FieldDef]:
    return {f["id"]: f for f in iter_fields(definition)}


def is_answerable(field: FieldDef) -> bool:
    """Instructions and media are shown but never answered."""
    return field.get("type") not in DISPLAY_TYPES


def is_required(field: FieldDef) -> bool:
    return field.get("required") is True


def option_values(field: FieldDef) -> list[Any]:
    return [option.get("value") for option in field.get("options", ())]


def option_by_value(field: FieldDef, value: Any) -> Mapping[str, Any] | None:
    return next((o for o in field.get("options", ()) if o.get("value") == value), None)


def rating_values(field: FieldDef) -> range:
    """Every point of a rating scale, lowest first."""
    return range(field["min"], field["max"] + 1, setting(field, "step"))


def parse_date(value: Any) -> date | None:
    """``YYYY-MM-DD`` only: Python's ``fromisoformat`` also accepts ``20240102`` and week dates,
    which the format does not."""
    if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def is_time(value: Any) -> bool:
    return isinstance(value, str) and TIME_PATTERN.fullmatch(value) is not None


def is_number(value: Any) -> bool:
    """JSON numbers only: ``bool`` is an ``int`` in Python but ``true`` is not a number."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_int(value: Any) -> int | None:
    """``value`` as an int when that loses nothing (``7`` or ``7.0``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def is_blank(value: Any) -> bool:
    """Whether an answer counts as not given: null, whitespace-only text, or a list/object
    holding nothing but blanks (an empty table row, an unsigned commitment)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(is_blank(item) for item in value)
    if isinstance(value, Mapping):
        return all(is_blank(item) for item in value.values())
    return False
