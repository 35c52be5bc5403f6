"""``multiple_choice``: any number of options, within optional limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms

from ..fhir.common import MAX_OCCURS, MIN_OCCURS, extension
from ..fields import FieldDef
from ..issues import key_path
from .base import JsonSchema
from .choice import fits_selection, is_check_box
from .list_choice import ListChoiceType

if TYPE_CHECKING:
    from ..definition import DefinitionChecker


class MultipleChoice(ListChoiceType):
    name = "multiple_choice"
    label = "Several choices"
    id_stem = "choices"
    keys = frozenset({"options", "min_selected", "max_selected"})
    defaults = {"min_selected": 0}
    required_message = "Choose at least one option."
    new_field = {
        "label": "Choose any that apply",
        "options": [
            {"value": "option_1", "label": "Option 1"},
            {"value": "option_2", "label": "Option 2"},
        ],
    }
    builder_fields = {
        **ListChoiceType.builder_fields,
        "min_selected": forms.IntegerField(label="Choose at least", required=False, min_value=0),
        "max_selected": forms.IntegerField(label="Choose at most", required=False, min_value=1),
    }

    def check_options_count(
        self, checker: DefinitionChecker, field: FieldDef, path: str, count: int
    ) -> None:
        low = checker.whole(field, "min_selected", path, low=0, high=count)
        high = checker.whole(field, "max_selected", path, low=1, high=count)
        if low is not None and high is not None and low > high:
            checker.add(
                key_path(path, "min_selected"),
                f"'min_selected' ({low}) is greater than 'max_selected' ({high}).",
            )

    def schema(self) -> JsonSchema:
        schema = super().schema()
        schema["properties"] |= {
            "min_selected": {"type": "integer", "minimum": 0, "default": 0},
            "max_selected": {"type": "integer", "minimum": 1},
        }
        return schema

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        super().to_fhir(field, item)
        if field.get("min_selected"):
            extension(item, MIN_OCCURS, "valueInteger", field["min_selected"])
        if "max_selected" in field:
            extension(item, MAX_OCCURS, "valueInteger", field["max_selected"])

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return self.fhir_choice_item(item) and bool(item.get("repeats")) and not is_check_box(item)

    def import_selection_limits(self, field: dict[str, Any], low: Any, high: Any) -> None:
        if fits_selection(low, high, len(field["options"])):
            if low:
                field["min_selected"] = low
            if high is not None:
                field["max_selected"] = high
