"""``duration``: a whole number of minutes, up to a maximum."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms

from ..fhir.common import (
    MAX_VALUE,
    MIN_VALUE,
    UCUM,
    UNIT,
    counts_minutes,
    extension,
    extension_value,
    whole_in,
)
from ..fields import FieldDef, as_int, is_number
from ..issues import quote
from .base import (
    OPS,
    FieldType,
    FormData,
    JsonSchema,
    Path,
    View,
    floor_problem,
    stripped,
    whole_value,
)
from .number import typed_condition_number

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..render import ViewBuilder
    from ..response import AnswerCleaner


class Duration(FieldType):
    name = "duration"
    label = "Duration"
    keys = frozenset({"max_minutes"})
    defaults = {"max_minutes": 1440}
    column = True
    new_field = {"label": "For how long?"}
    builder_fields = {
        "max_minutes": forms.IntegerField(
            label="Longest duration (minutes)", required=False, min_value=1
        ),
    }

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        checker.whole(field, "max_minutes", path, low=1)

    def schema(self) -> JsonSchema:
        return {"properties": {"max_minutes": {"type": "integer", "minimum": 1, "default": 1440}}}

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        minutes = as_int(value)
        limit = self.setting(field, "max_minutes")
        if minutes is None or not 0 <= minutes <= limit:
            cleaner.add(path, f"Enter a whole number of minutes from 0 to {limit}.")
        return minutes

    def parse(self, field: FieldDef, data: FormData, name: str) -> Any:
        """Whole minutes only; ``7.5`` stays text for validation to report."""
        return whole_value(stripped(data, name))

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        return OPS

    def threshold_problem(self, field: FieldDef, value: Any) -> str | None:
        if not is_number(value):
            return f"{quote(value)} is not a number."
        return "A duration cannot be negative." if value < 0 else None

    def risk_kinds(self, field: FieldDef) -> tuple[str, ...]:
        return ("at_least",)

    def risk_everyone_problem(self, field: FieldDef, kind: str, value: Any) -> str | None:
        return floor_problem(kind, value, 0)

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        view["range_text"] = f"0–{self.setting(view['field'], 'max_minutes')}"
        view["describers"].append("unit")

    def display(self, field: FieldDef, value: Any) -> Any:
        if not isinstance(value, int):
            return str(value)
        hours, rest = divmod(value, 60)
        if not hours:
            return f"{rest} min"
        return f"{hours} h {rest} min" if rest else f"{hours} h"

    def integer_valued(self, field: FieldDef) -> bool:
        return True

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        item["type"] = "integer"
        extension(item, UNIT, "valueCoding", {"system": UCUM, "code": "min", "display": "minutes"})
        extension(item, MIN_VALUE, "valueInteger", 0)
        if "max_minutes" in field:
            extension(item, MAX_VALUE, "valueInteger", field["max_minutes"])

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return item.get("type") == "integer" and counts_minutes(item)

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        high = extension_value(item, MAX_VALUE)
        if whole_in(high, 1):
            field["max_minutes"] = high
        return True

    def builder_condition_value(self, field: FieldDef, text: str) -> Any:
        return typed_condition_number(text)
