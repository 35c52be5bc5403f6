"""What the choice types (single_choice, multiple_choice, checklist) share: a list of options
with text values, labels and optional scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from django.utils.text import slugify

from ..fhir.common import (
    LEGACY_ORDINAL_VALUE,
    MAX_OCCURS,
    MIN_OCCURS,
    ORDINAL_VALUE,
    extension_value,
    is_whole,
    item_control_code,
    limit,
    whole_in,
)
from ..fields import FieldDef, is_number, option_by_value, option_values
from ..issues import index_path, key_path, quote
from .base import EQUALITY_OPS, FieldType, JsonSchema, Path, View
from .inputs import OptionsInput

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..render import ViewBuilder

MAX_OPTIONS: Final = 100
YES_NO: Final = ({"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"})
"""FHIR ``boolean`` questions become a single choice of these."""

OPTIONS_SCHEMA: Final = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_OPTIONS,
    "items": {
        "type": "object",
        "required": ["value", "label"],
        "additionalProperties": False,
        "properties": {
            "value": {"type": "string", "minLength": 1, "maxLength": 100},
            "label": {"type": "string", "minLength": 1, "maxLength": 300},
            "score": {"type": "number"},
        },
    },
}
_OPTION_KEYS: Final = frozenset({"value", "label", "score"})


class ChoiceType(FieldType):
    keys = frozenset({"options"})
    required_keys = ("options",)
    grouped = True
    multiple: ClassVar[bool] = False
    """Whether the answer is a list of chosen values rather than one."""
    builder_fields = {
        "options": OptionsInput(
            label="Options",
            help_text="One per line. Add “| 2” after an option to give it a score.",
        ),
    }

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        options = field.get("options")
        options_path = key_path(path, "options")
        if "options" not in field:
            return
        if not isinstance(options, list) or not options:
            checker.add(options_path, "A choice field needs a non-empty list of options.")
            return
        if len(options) > MAX_OPTIONS:
            checker.add(options_path, f"A choice field can have at most {MAX_OPTIONS} options.")
        seen: set[str] = set()
        for index, option in enumerate(options):
            option_path = index_path(options_path, index)
            if not isinstance(option, Mapping):
                checker.add(option_path, "Each option must be an object with a value and a label.")
                continue
            checker.keys(option, option_path, _OPTION_KEYS, ("value", "label"), "an option")
            value = checker.text(option, "value", option_path, limit=100)
            checker.text(option, "label", option_path, limit=300)
            checker.number(option, "score", option_path)
            if value in seen:
                checker.add(
                    key_path(option_path, "value"),
                    f"Option values must be unique: '{value}' appears twice.",
                )
            if value is not None:
                seen.add(value)
        self.check_options_count(checker, field, path, len(options))

    def check_options_count(
        self, checker: DefinitionChecker, field: FieldDef, path: str, count: int
    ) -> None:
        """Checks of settings that depend on how many options there are."""

    def schema(self) -> JsonSchema:
        return {"properties": {"options": {"$ref": "#/$defs/options"}}, "required": ["options"]}

    def schema_defs(self) -> dict[str, JsonSchema]:
        return {"options": OPTIONS_SCHEMA}

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        return EQUALITY_OPS

    def value_problem(self, field: FieldDef, value: Any) -> str | None:
        if value in option_values(field):
            return None
        return f"{quote(value)} is not an option value of '{field['id']}'."

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        field, value = view["field"], view["value"]
        chosen = value if isinstance(value, list) else [value]
        view["multiple"] = self.multiple
        view["options"] = [
            {
                "value": option["value"],
                "label": option["label"],
                "html_id": f"{view['html_id']}-{index}",
                "checked": option["value"] in chosen,
            }
            for index, option in enumerate(field["options"])
        ]

    def value_text(self, field: FieldDef, value: Any) -> str:
        option = option_by_value(field, value)
        return option["label"] if option else str(value)

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        item["type"] = "choice"
        item["answerOption"] = [_answer_option(option) for option in field["options"]]

    def fhir_answer(self, field: FieldDef, value: Any) -> dict[str, Any]:
        return {"answerCoding": {"code": value}}

    def fhir_values(self, field: FieldDef, value: Any) -> list[dict[str, Any]]:
        values = value if isinstance(value, list) else [value]
        return [{"valueCoding": _answer_coding(field, v)} for v in values]

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        """A ``choice`` or ``open-choice`` item (``boolean`` is the single choice's own);
        the subclasses claim it by ``repeats`` and item control, the mapping is shared."""
        link_id = item.get("linkId")
        options = _options(importer, item)
        if not options:
            if item.get("type") == "open-choice":
                field["type"] = "short_text"
                return True
            source = item.get("answerValueSet")
            reason = f"its options come from value set {source}" if source else "it has no options"
            importer.skip(f"Item '{link_id}' skipped: {reason}, which cannot be imported.")
            return False
        if item.get("type") == "open-choice":
            importer.skip(f"Free-text answers of '{link_id}' skipped; its options were kept.")
        field["options"] = options
        low, high = extension_value(item, MIN_OCCURS), extension_value(item, MAX_OCCURS)
        self.import_selection_limits(field, low, high)
        return True

    def import_selection_limits(self, field: dict[str, Any], low: Any, high: Any) -> None:
        """Keep FHIR's minOccurs/maxOccurs where the type has such a setting."""

    def builder_settings(
        self, data: Mapping[str, Any], *, field: FieldDef, upload: str | None
    ) -> dict[str, Any]:
        settings = super().builder_settings(data, field=field, upload=upload)
        # Options keep their values across edits (answers and conditions refer to them); new
        # ones get a value made from their label. An empty list is kept so the engine says
        # that options are needed.
        existing = {o["label"]: o["value"] for o in field.get("options", [])}
        options, taken = [], set[str]()
        for typed in data.get("options") or []:
            label = typed["label"]
            option = {"value": existing.get(label) or _option_value(label, taken), **typed}
            taken.add(option["value"])
            options.append(option)
        settings["options"] = options
        return settings

    def builder_condition_value(self, field: FieldDef, text: str) -> Any:
        """An option's value, or its label as typed."""
        for option in field.get("options", []):
            if text in (option["value"], option["label"]):
                return option["value"]
        return text

    def fhir_choice_item(self, item: Mapping[str, Any]) -> bool:
        return item.get("type") in ("choice", "open-choice")


def options_meeting(field: FieldDef, op: str, threshold: int | float) -> list[Mapping[str, Any]]:
    """The options of a scored choice whose score satisfies ``gte``/``lte`` ``threshold``."""
    return [
        option
        for option in field["options"]
        if (option["score"] >= threshold if op == "gte" else option["score"] <= threshold)
    ]


def is_check_box(item: Mapping[str, Any]) -> bool:
    return item_control_code(item) == "check-box"


def _answer_option(option: Mapping[str, Any]) -> dict[str, Any]:
    coding: dict[str, Any] = {"code": option["value"], "display": option["label"]}
    if "score" in option:
        coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option["score"]}]
    return {"valueCoding": coding}


def _options(importer: Importer, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    for answer in item.get("answerOption") or []:
        option = _option(answer)
        if option is None or any(o["value"] == option["value"] for o in options):
            importer.skip(f"An option of '{item.get('linkId')}' skipped (unsupported or repeated).")
        else:
            options.append(option)
    return options


def _option(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    score = _ordinal(answer)
    if "valueCoding" in answer:
        coding = answer["valueCoding"]
        value = coding.get("code") or coding.get("display")
        label = coding.get("display") or value
        score = _ordinal(coding) if score is None else score
    else:
        keys = ("valueString", "valueInteger", "valueDate", "valueTime")
        key = next((k for k in keys if k in answer), None)
        if key is None:
            return None
        value = label = str(answer[key])
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        return None
    option: dict[str, Any] = {"value": value, "label": limit(str(label), 300)}
    if score is not None:
        option["score"] = score
    return option


def _ordinal(element: Mapping[str, Any]) -> int | float | None:
    for extension in element.get("extension") or []:
        if extension.get("url") in (ORDINAL_VALUE, LEGACY_ORDINAL_VALUE):
            value = extension.get("valueDecimal", extension.get("valueInteger"))
            if is_number(value):
                return int(value) if is_whole(value) else value
    return None


def _option_value(label: str, taken: set[str]) -> str:
    base = slugify(label).replace("-", "_")[:90] or "option"
    value, number = base, 2
    while value in taken:
        value, number = f"{base}_{number}", number + 1
    return value


def fits_selection(low: Any, high: Any, count: int) -> bool:
    low = 0 if low is None else low
    if not whole_in(low, 0, count):
        return False
    return high is None or whole_in(high, max(1, low), count)


def _answer_coding(field: FieldDef, value: Any) -> dict[str, Any]:
    option = option_by_value(field, value)
    coding: dict[str, Any] = {"code": value}
    if option:
        coding["display"] = option["label"]
    return coding
