"""Conditions on an answer: ``show_if`` on fields and ``critical`` rules in scoring share them.

One implementation keeps "is this follow-up shown?" and "does this answer alert the
therapist?" consistent, and lets the definition validator reject a condition that could never
be true because its value does not fit the field it looks at. What an operator means for a
type's answers is the type's (``worksheets.types``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fields import FieldDef, is_blank
from .types import type_of


def ops_for(field: FieldDef) -> tuple[str, ...]:
    """The operators that make sense for answers of ``field``."""
    return type_of(field).condition_ops(field)


def condition_problem(field: FieldDef, condition: Mapping[str, Any]) -> tuple[str, str] | None:
    """Why ``condition`` cannot be evaluated against answers of ``field``, as the key at fault
    (``op`` or ``value``) and a message; None when it can.

    Assumes ``op`` is one of ``OPS`` and ``field`` is answerable.
    """
    field_type = type_of(field)
    op = condition["op"]
    if op not in ops_for(field):
        allowed = ", ".join(ops_for(field))
        return "op", (
            f"'{op}' cannot be used on '{field.get('id')}' (a {field.get('type')} field); "
            f"use {allowed}{field_type.condition_hint}."
        )
    if op == "answered":
        return ("value", "'answered' takes no value.") if "value" in condition else None
    if "value" not in condition:
        return "op", f"'{op}' needs a value."
    value = condition["value"]
    if op == "in":
        if not isinstance(value, list) or not value:
            problem: str | None = "'in' needs a non-empty list of values."
        else:
            problem = next(
                (p for p in (field_type.value_problem(field, v) for v in value) if p), None
            )
    elif op in ("gte", "lte"):
        problem = field_type.threshold_problem(field, value) or field_type.unreachable_problem(
            field, op, value
        )
    else:
        problem = field_type.value_problem(field, value)
    return ("value", problem) if problem else None


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
    return type_of(field).holds(field, op, condition.get("value"), answer)
