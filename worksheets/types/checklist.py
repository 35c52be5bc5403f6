"""``checklist``: items to tick (what the client did, the thinking traps they noticed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..fhir.common import item_control
from ..fields import FieldDef
from .choice import is_check_box
from .list_choice import ListChoiceType


class Checklist(ListChoiceType):
    name = "checklist"
    label = "Checklist"
    required_message = "Tick at least one item."
    column = True
    new_field = {
        "label": "Tick what you did",
        "options": [
            {"value": "item_1", "label": "Item 1"},
            {"value": "item_2", "label": "Item 2"},
        ],
    }

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        super().to_fhir(field, item)
        item["extension"] = [item_control("check-box")]

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return self.fhir_choice_item(item) and bool(item.get("repeats")) and is_check_box(item)
