"""``number``: a number within optional bounds, on a step, with an optional unit."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django import forms

from ..fhir.common import (
    MAX_DECIMAL_PLACES,
    MAX_VALUE,
    MIN_VALUE,
    UNIT,
    extension,
    extension_value,
    is_whole,
    limit,
    number_key,
    whole_in,
)
from ..fields import FieldDef, as_int, is_number
from ..issues import key_path, quote
from .base import (
    OPS,
    SKIP,
    FieldType,
    FormData,
    JsonSchema,
    Path,
    View,
    floor_problem,
    stripped,
    within,
)
from .inputs import NumberInput, typed_number

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..render import ViewBuilder
    from ..response import AnswerCleaner

_WHOLE: Final = re.compile(r"[+-]?\d+")
_DECIMAL: Final = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")


class BoundedNumberType(FieldType):
    """A type whose answers are numbers within the field's ``min`` and ``max`` (number,
    rating): thresholds must lie in that range, and an "at least" rule at ``min`` would
    alert on every answer."""

    def threshold_problem(self, field: FieldDef, value: Any) -> str | None:
        return bounded_threshold_problem(field, value)

    def risk_kinds(self, field: FieldDef) -> tuple[str, ...]:
        return ("at_least",)

    def risk_everyone_problem(self, field: FieldDef, kind: str, value: Any) -> str | None:
        return floor_problem(kind, value, field.get("min"))


class Number(BoundedNumberType):
    name = "number"
    label = "Number"
    keys = frozenset({"min", "max", "step", "unit"})
    defaults = {"step": 1}
    column = True
    scorable = True
    new_field = {"label": "How many?", "min": 0}
    builder_fields = {
        "min": NumberInput(label="Lowest value"),
        "max": NumberInput(label="Highest value"),
        "step": NumberInput(label="Step"),
        "unit": forms.CharField(
            label="Unit", required=False, max_length=30, help_text="e.g. hours"
        ),
    }
    fhir_fallback = True

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        low = checker.number(field, "min", path)
        high = checker.number(field, "max", path)
        if low is not None and high is not None and low > high:
            checker.add(key_path(path, "min"), f"'min' ({low}) is greater than 'max' ({high}).")
        step = checker.number(field, "step", path)
        if step is not None and step <= 0:
            checker.add(key_path(path, "step"), "'step' must be greater than 0.")
        checker.text(field, "unit", path, limit=30)

    def schema(self) -> JsonSchema:
        return {
            "properties": {
                "min": {"type": "number"},
                "max": {"type": "number"},
                "step": {"type": "number", "exclusiveMinimum": 0, "default": 1},
                "unit": {"type": "string", "minLength": 1, "maxLength": 30},
            }
        }

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        if not is_number(value) or not math.isfinite(value):
            cleaner.add(path, "Enter a number.")
            return SKIP
        low, high = field.get("min"), field.get("max")
        step = self.setting(field, "step")
        if (low is not None and value < low) or (high is not None and value > high):
            cleaner.add(path, _range_message(low, high))
        elif not _on_step(value, low or 0, step):
            cleaner.add(path, _step_message(low or 0, step))
        whole = as_int(value)
        return value if whole is None else whole

    def parse(self, field: FieldDef, data: FormData, name: str) -> Any:
        """``7`` → 7, ``7.5`` and ``7,5`` (a decimal comma, as some phone keyboards type) →
        7.5."""
        text = stripped(data, name)
        if text is None:
            return None
        if _WHOLE.fullmatch(text):
            return int(text)
        if _DECIMAL.fullmatch(text):
            return float(text.replace(",", "."))
        return text

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        return OPS

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        field = view["field"]
        step = self.setting(field, "step")
        view["inputmode"] = "numeric" if float(step).is_integer() else "decimal"
        view["unit"] = field.get("unit", "")
        view["range_text"] = _range_text(field.get("min"), field.get("max"))
        if view["unit"] or view["range_text"]:
            view["describers"].append("unit")
        range_hint = f"({view['range_text']})" if view["range_text"] else ""
        view["print_hint"] = " ".join(filter(None, (view["unit"], range_hint)))

    def display(self, field: FieldDef, value: Any) -> Any:
        return f"{value} {field['unit']}" if field.get("unit") else str(value)

    def integer_valued(self, field: FieldDef) -> bool:
        """A number field with the default step of 1 (and a whole minimum) takes whole
        numbers only."""
        return is_whole(self.setting(field, "step")) and is_whole(field.get("min", 0))

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        integer = self.integer_valued(field)
        item["type"] = "integer" if integer else "decimal"
        for key, url in (("min", MIN_VALUE), ("max", MAX_VALUE)):
            if key in field:
                extension(item, url, number_key(integer), field[key])
        if not integer:
            places = _decimal_places(self.setting(field, "step"))
            extension(item, MAX_DECIMAL_PLACES, "valueInteger", places)
        if field.get("unit"):
            extension(item, UNIT, "valueCoding", {"display": field["unit"]})

    def fhir_answer(self, field: FieldDef, value: Any) -> dict[str, Any]:
        if not self.integer_valued(field):
            return {"answerDecimal": value}
        return super().fhir_answer(field, value)

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return item.get("type") in ("integer", "decimal")

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        low, high = extension_value(item, MIN_VALUE), extension_value(item, MAX_VALUE)
        if is_number(low) and is_number(high) and low > high:
            importer.skip(
                f"Range of '{item.get('linkId')}' skipped: its minimum exceeds its maximum."
            )
        else:
            if is_number(low):
                field["min"] = low
            if is_number(high):
                field["max"] = high
            unit = extension_value(item, UNIT) or {}
            label = unit.get("display") or unit.get("code")
            if isinstance(label, str) and label.strip():
                field["unit"] = limit(label, 30)
        if item.get("type") == "decimal":
            places = extension_value(item, MAX_DECIMAL_PLACES)
            places = places if whole_in(places, 0, 6) else 2
            if places:
                field["step"] = float(Decimal(1).scaleb(-places))
        return True

    def builder_condition_value(self, field: FieldDef, text: str) -> Any:
        return typed_condition_number(text)


def bounded_threshold_problem(field: FieldDef, value: Any) -> str | None:
    """A threshold on a field with ``min``/``max`` must be a number within them."""
    if not is_number(value):
        return f"{quote(value)} is not a number."
    if not within(field, value):
        return f"{quote(value)} is outside the range of '{field['id']}'."
    return None


def typed_condition_number(text: str) -> Any:
    """A condition value typed for a numeric field: the number, or the text when it is not
    one (the engine then says why)."""
    try:
        number = typed_number(text)
    except forms.ValidationError:
        return text
    return text if number is None else number


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


def _range_text(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return f"≥ {low}"
    return f"≤ {high}" if high is not None else ""


def _decimal_places(step: int | float) -> int:
    exponent = Decimal(str(step)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
