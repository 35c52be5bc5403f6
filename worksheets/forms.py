"""Turns a POSTed worksheet form back into an answers dict.

Form values are text. Numbers are converted where the text is a number; anything else is kept
as typed, so ``validate_response`` reports it next to the field and the form shows it again
instead of silently losing it. Input names are those ``render`` writes: ``f.<field>``,
``f.<table>.<row>.<column>``, ``f.<emotions>.<i>.emotion``, ``f.<commitment>.signature``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Final, Protocol

from .fields import Definition, FieldDef, is_answerable, is_blank, iter_fields
from .render import form_name

_WHOLE: Final = re.compile(r"[+-]?\d+")
_DECIMAL: Final = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")


class FormData(Protocol):
    """What a Django ``QueryDict`` offers and this module uses."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...

    def __iter__(self) -> Iterator[str]: ...


def parse_form_data(definition: Definition, data: FormData) -> dict[str, Any]:
    """Answers from form ``data``; unanswered fields are left out and fully empty table rows
    and emotion rows are ignored."""
    answers: dict[str, Any] = {}
    for field in iter_fields(definition):
        if not is_answerable(field):
            continue
        value = _PARSERS[field["type"]](field, data, form_name(field["id"]))
        if not is_blank(value):
            answers[field["id"]] = value
    return answers


def _text(field: FieldDef, data: FormData, name: str) -> str | None:
    """Browsers send textarea line breaks as CRLF; store them as LF so lengths match what the
    client saw."""
    value = data.get(name)
    return value.replace("\r\n", "\n") if isinstance(value, str) and value.strip() else None


def _number(field: FieldDef, data: FormData, name: str) -> Any:
    """``7`` → 7, ``7.5`` and ``7,5`` (a decimal comma, as some phone keyboards type) → 7.5."""
    text = _stripped(data, name)
    if text is None:
        return None
    if _WHOLE.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    return text


def _whole(field: FieldDef, data: FormData, name: str) -> Any:
    """Ratings and durations are whole numbers; ``7.5`` stays text for validation to report."""
    return _whole_value(_stripped(data, name))


def _single(field: FieldDef, data: FormData, name: str) -> str | None:
    return _stripped(data, name)


def _many(field: FieldDef, data: FormData, name: str) -> list[str] | None:
    chosen = [value for value in data.getlist(name) if value]
    return chosen or None


def _table(field: FieldDef, data: FormData, name: str) -> list[dict[str, Any]] | None:
    rows = []
    for index in _row_indexes(data, name):
        row = {
            column["id"]: _PARSERS[column["type"]](column, data, f"{name}.{index}.{column['id']}")
            for column in field["columns"]
        }
        row = {key: value for key, value in row.items() if not is_blank(value)}
        if row:
            rows.append(row)
    return rows or None


def _emotions(field: FieldDef, data: FormData, name: str) -> list[dict[str, Any]] | None:
    items = []
    for index in _row_indexes(data, name):
        item = {
            "emotion": _stripped(data, f"{name}.{index}.emotion"),
            "intensity": _whole_value(_stripped(data, f"{name}.{index}.intensity")),
        }
        item = {key: value for key, value in item.items() if value is not None}
        if item:
            items.append(item)
    return items or None


def _commitment(field: FieldDef, data: FormData, name: str) -> dict[str, Any] | None:
    parts = {part: _stripped(data, f"{name}.{part}") for part in ("signature", "date")}
    return {part: value for part, value in parts.items() if value is not None} or None


def _stripped(data: FormData, name: str) -> str | None:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _whole_value(text: str | None) -> Any:
    return int(text) if text is not None and _WHOLE.fullmatch(text) else text


def _row_indexes(data: FormData, name: str) -> list[int]:
    """Row numbers present in the form, in order; rows may have gaps after the client (or the
    page's script) removed one."""
    pattern = re.compile(rf"{re.escape(name)}\.(\d+)\.")
    found = {int(match[1]) for key in data if (match := pattern.match(key))}
    return sorted(found)


_PARSERS: Final[dict[str, Callable[[FieldDef, FormData, str], Any]]] = {
    "short_text": _text,
    "long_text": _text,
    "number": _number,
    "rating": _whole,
    "single_choice": _single,
    "multiple_choice": _many,
    "checklist": _many,
    "date": _single,
    "time": _single,
    "duration": _whole,
    "table": _table,
    "emotions": _emotions,
    "commitment": _commitment,
}
