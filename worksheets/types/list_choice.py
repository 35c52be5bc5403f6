"""What multiple_choice and checklist share: the answer is a list of distinct option values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..fields import FieldDef, option_values
from ..issues import index_path, quote
from .base import SKIP, FormData, count
from .choice import ChoiceType
from .single_choice import not_an_option

if TYPE_CHECKING:
    from ..fhir.response import ResponseReader
    from ..response import AnswerCleaner


class ListChoiceType(ChoiceType):
    multiple = True

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            cleaner.add(path, "Send the chosen options as a list of option values.")
            return SKIP
        allowed = option_values(field)
        chosen: list[Any] = []
        for index, item in enumerate(value):
            if item not in allowed:
                cleaner.add(index_path(path, index), not_an_option(item))
            elif item in chosen:
                cleaner.add(index_path(path, index), f"{quote(item)} is chosen twice.")
            else:
                chosen.append(item)
        low, high = field.get("min_selected", 0), field.get("max_selected")
        if high is not None and len(chosen) > high:
            cleaner.add(path, f"Choose at most {count(high, 'option')}.")
        elif len(chosen) < low and not cleaner.draft:
            cleaner.add(path, f"Choose at least {count(low, 'option')}.")
        return chosen

    def parse(self, field: FieldDef, data: FormData, name: str) -> list[str] | None:
        chosen = [value for value in data.getlist(name) if value]
        return chosen or None

    def holds(self, field: FieldDef, op: str, value: Any, answer: Any) -> bool:
        """``equals X`` means "X is ticked", ``not_equals X`` "X is not ticked", ``in``
        "any of them is ticked"."""
        chosen = set(answer)
        if op == "equals":
            return value in chosen
        if op == "not_equals":
            return value not in chosen
        return bool(chosen.intersection(value))

    def risk_kinds(self, field: FieldDef) -> tuple[str, ...]:
        """``equals X``: X is ticked."""
        return ("equals",)

    def display(self, field: FieldDef, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value_text(field, v) for v in value]
        return self.value_text(field, value)

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        super().to_fhir(field, item)
        item["repeats"] = True

    def from_fhir_response(
        self, reader: ResponseReader, field: FieldDef, items: list[Mapping[str, Any]], path: str
    ) -> Any:
        """Each ticked option is one answer of the item."""
        if len(items) > 1:
            reader.add(path, "This question appears more than once; answer it once.")
            return SKIP
        return reader.values(items[0]) or SKIP
