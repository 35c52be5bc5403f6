"""Names and small helpers shared by FHIR export and import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ..fields import FieldDef, setting

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
EXT: Final = "http://hl7.org/fhir/StructureDefinition/"
ITEM_CONTROL: Final = EXT + "questionnaire-itemControl"
ITEM_CONTROL_SYSTEM: Final = "http://hl7.org/fhir/questionnaire-item-control"
MIN_VALUE: Final = EXT + "minValue"
MAX_VALUE: Final = EXT + "maxValue"
MIN_OCCURS: Final = EXT + "questionnaire-minOccurs"
MAX_OCCURS: Final = EXT + "questionnaire-maxOccurs"
SLIDER_STEP: Final = EXT + "questionnaire-sliderStepValue"
UNIT: Final = EXT + "questionnaire-unit"
ORDINAL_VALUE: Final = EXT + "ordinalValue"
LEGACY_ORDINAL_VALUE: Final = EXT + "iso21090-CO-value"
ENTRY_FORMAT: Final = EXT + "entryFormat"
MAX_DECIMAL_PLACES: Final = EXT + "maxDecimalPlaces"
RENDERING_MARKDOWN: Final = EXT + "rendering-markdown"

STATUSES: Final = ("draft", "active", "retired", "unknown")
SECTION_PREFIX: Final = "section-"
TOTAL_LINK_ID: Final = "total-score"
YES_NO: Final = ({"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"})
OPERATORS: Final = {"equals": "=", "not_equals": "!=", "gte": ">=", "lte": "<="}
OPS_BY_OPERATOR: Final = {symbol: op for op, symbol in OPERATORS.items()}


def item_control(code: str) -> dict[str, Any]:
    coding = {"system": ITEM_CONTROL_SYSTEM, "code": code}
    return {"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [coding]}}


def extension_value(item: Mapping[str, Any], url: str) -> Any:
    for extension in item.get("extension") or []:
        if extension.get("url") == url:
            return next((v for k, v in extension.items() if k.startswith("value")), None)
    return None


def item_control_code(item: Mapping[str, Any]) -> str | None:
    concept = extension_value(item, ITEM_CONTROL) or {}
    codings = concept.get("coding") or []
    return codings[0].get("code") if codings else None


def is_whole(value: int | float) -> bool:
    return float(value).is_integer()


def integer_valued(field: FieldDef) -> bool:
    """Whether every valid answer is a whole number (FHIR ``integer``), e.g. a number field
    with the default step of 1."""
    if field["type"] == "number":
        return is_whole(setting(field, "step")) and is_whole(field.get("min", 0))
    return field["type"] in ("rating", "duration")
