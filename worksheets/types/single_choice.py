"""``single_choice``: one of a list of options; with scores, a measure's item."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..fields import FieldDef, is_number, option_by_value, option_values
from ..issues import quote
from .base import OPS, FormData, stripped
from .choice import YES_NO, ChoiceType, options_meeting
from .number import typed_condition_number

if TYPE_CHECKING:
    from ..fhir.importer import Importer
    from ..response import AnswerCleaner


class SingleChoice(ChoiceType):
    name = "single_choice"
    label = "One choice"
    id_stem = "choice"
    required_message = "Choose one of the options."
    scorable = True
    column = True
    condition_hint = " (or give every option a score)"
    new_field = {
        "label": "Choose one",
        "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
    }

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        if value not in option_values(field):
            cleaner.add(path, not_an_option(value))
        return value

    def parse(self, field: FieldDef, data: FormData, name: str) -> str | None:
        return stripped(data, name)

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        """``gte``/``lte`` compare the chosen option's score, so they need every option to
        carry one (this is how "PHQ-9 item 9 >= 1" is written)."""
        options = field.get("options")
        if options and all(is_number(o.get("score")) for o in options):
            return OPS
        return super().condition_ops(field)

    def unreachable_problem(self, field: FieldDef, op: str, value: Any) -> str | None:
        """A score threshold no option reaches makes a condition that is never true."""
        if not options_meeting(field, op, value):
            sign = "≥" if op == "gte" else "≤"
            return f"No option of '{field['id']}' scores {sign} {value}, so this is never true."
        return None

    def ordered_subject(self, field: FieldDef, answer: Any) -> Any:
        option = option_by_value(field, answer)
        return option.get("score") if option else None

    def risk_kinds(self, field: FieldDef) -> tuple[str, ...]:
        """An option (``equals``); a score level (``at_least``) when every option has a
        score, as PHQ-9 item 9 ≥ 1."""
        return ("equals", "at_least") if "gte" in self.condition_ops(field) else ("equals",)

    def risk_everyone_problem(self, field: FieldDef, kind: str, value: Any) -> str | None:
        if kind == "at_least" and len(options_meeting(field, "gte", value)) == len(
            field["options"]
        ):
            return (
                f"Every option of '{field['id']}' scores at least {value}, so this would "
                "alert on every answer."
            )
        return None

    def equality_condition(
        self, field: FieldDef, condition: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """A score threshold becomes the options that reach it."""
        op = condition["op"]
        if op not in ("gte", "lte"):
            return condition
        values = [option["value"] for option in options_meeting(field, op, condition["value"])]
        return {"field": condition["field"], "op": "in", "value": values}

    def score_problem(self, field: FieldDef) -> str | None:
        unscored = [o["value"] for o in field["options"] if "score" not in o]
        if not unscored:
            return None
        listed = ", ".join(quote(value) for value in unscored)
        return f"Scoring item '{field['id']}' has options without a score: {listed}."

    def score_range(self, field: FieldDef) -> tuple[int | float, int | float] | None:
        scores = [option["score"] for option in field["options"]]
        return min(scores), max(scores)

    def item_score(self, field: FieldDef, answer: Any) -> int | float | None:
        option = option_by_value(field, answer)
        return option.get("score") if option else None

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return item.get("type") == "boolean" or (
            self.fhir_choice_item(item) and not item.get("repeats")
        )

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        if item.get("type") == "boolean":
            field["options"] = [dict(option) for option in YES_NO]
            return True
        return super().fhir_settings(importer, item, field)

    def builder_condition_value(self, field: FieldDef, text: str) -> Any:
        """An option's value (or label), else a score for ``gte``/``lte``."""
        if any(text in (o["value"], o["label"]) for o in field.get("options", [])):
            return super().builder_condition_value(field, text)
        return typed_condition_number(text)


def not_an_option(value: Any) -> str:
    if isinstance(value, str):
        return f"{quote(value)} is not one of the options."
    return "Choose one of the options (send the option's value as text)."
