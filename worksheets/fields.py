"""A small read-only accessor layer over worksheet definitions and answers.

Definitions stay plain JSON-compatible dicts (they are stored as JSON and pinned per version);
these helpers give the rest of the code one way to walk them instead of each caller indexing
into nested dicts. What differs per field type lives in ``worksheets.types``.
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

COMMON_KEYS: Final = frozenset({"id", "type", "label", "help", "required", "show_if", "risk"})


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


def is_required(field: FieldDef) -> bool:
    return field.get("required") is True


def option_values(field: FieldDef) -> list[Any]:
    return [option.get("value") for option in field.get("options", ())]


def option_by_value(field: FieldDef, value: Any) -> Mapping[str, Any] | None:
    return next((o for o in field.get("options", ()) if o.get("value") == value), None)


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
