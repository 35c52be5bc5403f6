"""Conditions on an answer: ``show_if`` on fields and ``critical`` rules in scoring share them.

One implementation keeps "is this follow-up shown?" and "does this answer alert the
therapist?" consistent, and lets the definition validator reject a condition that could never
be true because its value does not fit the field it looks at.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from .fields import (
    CHOICE_TYPES,
    LIST_CHOICE_TYPES,
    TEXT_TYPES,
    FieldDef,
    as_int,
    is_blank,
    is_number,
    is_time,
    option_by_value,
    option_values,
    parse_date,
    rating_values,
)
from .issues import quote

OPS: Final = ("equals", "not_equals", "in", "gte", "lte", "answered")
_EQUALITY_OPS: Final = ("equals", "not_equals", "in", "answered")
_ORDERED_TYPES: Final = frozenset({"number", "rating", "duration", "date", "time"})


def ops_for(field: FieldDef) -> tuple[str, ...]:
    """The operators that make sense for answers of ``field``.

    ``gte``/``lte`` on a single_choice compare the chosen option's score, so they need every
    option to carry one (this is how "PHQ-9 item 9 >= 1" is written).
    """
    field_type = field.get("type")
    if field_type in _ORDERED_TYPES:
        return OPS
    if field_type == "single_choice" and _all_options_scored(field):
        return OPS
    if field_type in TEXT_TYPES or field_type in CHOICE_TYPES:
        return _EQUALITY_OPS
    if field_type in ("table", "emotions", "commitment"):
        return ("answered",)
    return ()


def condition_problem(field: FieldDef, condition: Mapping[str, Any]) -> tuple[str, str] | None:
    """Why ``condition`` cannot be evaluated against answers of ``field``, as the key at fault
    (``op`` or ``value``) and a message; None when it can.

    Assumes ``op`` is one of :data:`OPS` and ``field`` is answerable.
    """
    op = condition["op"]
    if op not in ops_for(field):
        allowed = ", ".join(ops_for(field))
        hint = " (or give every option a score)" if field.get("type") == "single_choice" else ""
        return "op", (
            f"'{op}' cannot be used on '{field.get('id')}' (a {field.get('type')} field); "
            f"use {allowed}{hint}."
        )
    if op == "answered":
        return ("value", "'answered' takes no value.") if "value" in condition else None
    if "value" not in condition:
        return "op", f"'{op}' needs a value."
    problem = _value_fit_problem(field, op, condition["value"])
    return ("value", problem) if problem else None


def _value_fit_problem(field: FieldDef, op: str, value: Any) -> str | None:
    if op == "in":
        if not isinstance(value, list) or not value:
            return "'in' needs a non-empty list of values."
        return next((p for p in (_value_problem(field, v) for v in value) if p), None)
    if op in ("gte", "lte"):
        return _threshold_problem(field, value) or _unreachable_problem(field, op, value)
    return _value_problem(field, value)


def condition_holds(field: FieldDef, condition: Mapping[str, Any], answer: Any) -> bool:
    """Evaluate ``condition`` on a (cleaned) answer of ``field``.

    An unanswered field satisfies only ``not_equals``, as in FHIR's ``enableWhen``: "not X"
    is true of a blank answer, every other comparison is false.
    """
    op = condition["op"]
    if op == "answered":
        return not is_blank(answer)
    if is_blank(answer):
        return op == "not_equals"
    value = condition.get("value")
    if field["type"] in LIST_CHOICE_TYPES:
        return _list_holds(op, value, set(answer))
    if op in ("gte", "lte"):
        subject = _ordered_subject(field, answer)
        if subject is None:
            return False
        return subject >= value if op == "gte" else subject <= value
    if op == "equals":
        return answer == value
    if op == "not_equals":
        return answer != value
    return answer in value


def options_meeting(field: FieldDef, op: str, threshold: int | float) -> list[Mapping[str, Any]]:
    """The options of a scored single_choice whose score satisfies ``gte``/``lte``
    ``threshold``: how a score condition is written where only equality exists (FHIR
    enableWhen, the browser, words on paper)."""
    return [
        option
        for option in field["options"]
        if (option["score"] >= threshold if op == "gte" else option["score"] <= threshold)
    ]


def _list_holds(op: str, value: Any, chosen: set[Any]) -> bool:
    """On multiple_choice/checklist answers, ``equals X`` means "X is ticked"."""
    if op == "equals":
        return value in chosen
    if op == "not_equals":
        return value not in chosen
    return bool(chosen.intersection(value))


def _ordered_subject(field: FieldDef, answer: Any) -> Any:
    if field["type"] == "single_choice":
        option = option_by_value(field, answer)
        return option.get("score") if option else None
    return answer


def _all_options_scored(field: FieldDef) -> bool:
    options = field.get("options")
    return bool(options) and all(is_number(o.get("score")) for o in options)


def _value_problem(field: FieldDef, value: Any) -> str | None:
    """Why ``value`` could never equal an answer of ``field``, or None."""
    field_type = field["type"]
    if field_type in TEXT_TYPES:
        return None if isinstance(value, str) else f"{quote(value)} is not text."
    if field_type in CHOICE_TYPES:
        if value in option_values(field):
            return None
        return f"{quote(value)} is not an option value of '{field['id']}'."
    if field_type == "rating":
        if as_int(value) in rating_values(field):
            return None
        return f"{quote(value)} is not a point on the scale of '{field['id']}'."
    return _threshold_problem(field, value)


def _threshold_problem(field: FieldDef, value: Any) -> str | None:
    """Why ``value`` cannot be compared (``gte``/``lte``) with answers of ``field``, or None."""
    field_type = field["type"]
    if field_type == "date":
        return None if parse_date(value) else f"{quote(value)} is not a date (YYYY-MM-DD)."
    if field_type == "time":
        return None if is_time(value) else f"{quote(value)} is not a time (HH:MM)."
    if not is_number(value):
        return f"{quote(value)} is not a number."
    if field_type == "duration" and value < 0:
        return "A duration cannot be negative."
    if field_type in ("number", "rating") and not _within(field, value):
        return f"{quote(value)} is outside the range of '{field['id']}'."
    return None


def _unreachable_problem(field: FieldDef, op: str, value: int | float) -> str | None:
    """A score threshold no option reaches makes a condition that is never true."""
    if field["type"] != "single_choice":
        return None
    if not options_meeting(field, op, value):
        sign = "≥" if op == "gte" else "≤"
        return f"No option of '{field['id']}' scores {sign} {value}, so this is never true."
    return None


def _within(field: FieldDef, value: int | float) -> bool:
    low, high = field.get("min"), field.get("max")
    return (low is None or Decimal(str(value)) >= Decimal(str(low))) and (
        high is None or Decimal(str(value)) <= Decimal(str(high))
    )
