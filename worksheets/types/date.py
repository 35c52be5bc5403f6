"""``date``: a calendar day, ``YYYY-MM-DD``, within optional bounds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils import dateformat

from ..fhir.common import MAX_VALUE, MIN_VALUE, extension, extension_value
from ..fields import FieldDef, parse_date
from ..issues import key_path, quote
from .base import OPS, FieldType, FormData, JsonSchema, Path, View, stripped
from .inputs import DateInput

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..render import ViewBuilder
    from ..response import AnswerCleaner


def readable_date(value: Any) -> str | None:
    """A ``YYYY-MM-DD`` answer as people write it ("14 Mar 2025"); None when it is not a
    date."""
    day = parse_date(value)
    return dateformat.format(day, "j M Y") if day else None


class Date(FieldType):
    name = "date"
    label = "Date"
    keys = frozenset({"min", "max"})
    column = True
    new_field = {"label": "When?"}
    builder_fields = {
        "date_min": DateInput(label="Earliest date"),
        "date_max": DateInput(label="Latest date"),
    }
    builder_keys = {"date_min": "min", "date_max": "max"}

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        bounds = {}
        for key in ("min", "max"):
            if key in field:
                bounds[key] = parse_date(field[key])
                if bounds[key] is None:
                    checker.add(key_path(path, key), f"'{key}' must be a date written YYYY-MM-DD.")
        low, high = bounds.get("min"), bounds.get("max")
        if low and high and low > high:
            checker.add(key_path(path, "min"), "'min' is later than 'max'.")

    def schema(self) -> JsonSchema:
        return {
            "properties": {"min": {"$ref": "#/$defs/iso_date"}, "max": {"$ref": "#/$defs/iso_date"}}
        }

    def schema_defs(self) -> dict[str, JsonSchema]:
        return {"iso_date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        day = parse_date(value)
        low, high = parse_date(field.get("min")), parse_date(field.get("max"))
        if day is None:
            cleaner.add(path, "Enter a date as YYYY-MM-DD.")
        elif low and day < low:
            cleaner.add(path, f"Enter a date on or after {low.isoformat()}.")
        elif high and day > high:
            cleaner.add(path, f"Enter a date on or before {high.isoformat()}.")
        return value

    def parse(self, field: FieldDef, data: FormData, name: str) -> str | None:
        return stripped(data, name)

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        """Dates compare in calendar order, which is the order of their text."""
        return OPS

    def threshold_problem(self, field: FieldDef, value: Any) -> str | None:
        return None if parse_date(value) else f"{quote(value)} is not a date (YYYY-MM-DD)."

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        view["min"] = view["field"].get("min", "")
        view["max"] = view["field"].get("max", "")

    def value_text(self, field: FieldDef, value: Any) -> str:
        return readable_date(value) or str(value)

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        item["type"] = "date"
        for key, url in (("min", MIN_VALUE), ("max", MAX_VALUE)):
            if key in field:
                extension(item, url, "valueDate", field[key])

    def fhir_answer(self, field: FieldDef, value: Any) -> dict[str, Any]:
        return {"answerDate": value}

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return item.get("type") == "date"

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        low, high = extension_value(item, MIN_VALUE), extension_value(item, MAX_VALUE)
        if parse_date(low) and parse_date(high) and low > high:
            return True
        for key, value in (("min", low), ("max", high)):
            if parse_date(value):
                field[key] = value
        return True
