"""``time``: a time of day, ``HH:MM`` on a 24-hour clock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..fields import FieldDef, is_time
from ..issues import quote
from .base import OPS, FieldType, FormData, stripped

if TYPE_CHECKING:
    from ..response import AnswerCleaner


class Time(FieldType):
    name = "time"
    label = "Time"
    column = True
    new_field = {"label": "What time?"}

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        if not is_time(value):
            cleaner.add(path, "Enter a time as HH:MM (24-hour clock).")
        return value

    def parse(self, field: FieldDef, data: FormData, name: str) -> str | None:
        return stripped(data, name)

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        """Times compare in clock order, which is the order of their text."""
        return OPS

    def threshold_problem(self, field: FieldDef, value: Any) -> str | None:
        return None if is_time(value) else f"{quote(value)} is not a time (HH:MM)."

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        item["type"] = "time"

    def fhir_answer(self, field: FieldDef, value: Any) -> dict[str, Any]:
        return {"answerTime": f"{value}:00"}

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return item.get("type") == "time"
