"""Turns a POSTed worksheet form back into an answers dict.

Form values are text. Numbers are converted where the text is a number; anything else is kept
as typed, so ``validate_response`` reports it next to the field and the form shows it again
instead of silently losing it. Input names are those ``render`` writes: ``f.<field>``,
``f.<table>.<row>.<column>``, ``f.<emotions>.<i>.emotion``, ``f.<commitment>.signature``;
each field type parses its own inputs (``FieldType.parse``).
"""

from __future__ import annotations

from typing import Any

from .fields import Definition, is_blank, iter_fields
from .render import form_name
from .types import is_answerable, type_of
from .types.base import FormData


def parse_form_data(definition: Definition, data: FormData) -> dict[str, Any]:
    """Answers from form ``data``; unanswered fields are left out and fully empty table rows
    and emotion rows are ignored."""
    answers: dict[str, Any] = {}
    for field in iter_fields(definition):
        if not is_answerable(field):
            continue
        value = type_of(field).parse(field, data, form_name(field["id"]))
        if not is_blank(value):
            answers[field["id"]] = value
    return answers
