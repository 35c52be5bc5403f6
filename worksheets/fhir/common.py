"""Names and small helpers shared by FHIR export and import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeGuard

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
RISK_RULE: Final = "https://bridgework.app/fhir/StructureDefinition/risk-rule"
"""Our own complex extension for a field's ``risk`` (FHIR has no element for "alert the
clinician on this answer"): ``atLeast`` (valueDecimal) or ``equals`` (valueCoding, the option
code), and ``label`` (valueString). Export only: other systems ignore it, and import does
not read it back, since an alert rule should be set by the practice that acts on it."""

STATUSES: Final = ("draft", "active", "retired", "unknown")
SECTION_PREFIX: Final = "section-"
TOTAL_LINK_ID: Final = "total-score"
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


def extension(item: dict[str, Any], url: str, key: str, value: Any) -> None:
    item.setdefault("extension", []).append({"url": url, key: value})


def number_key(integer: bool) -> str:
    return "valueInteger" if integer else "valueDecimal"


def whole_in(value: Any, low: int | None = None, high: int | None = None) -> TypeGuard[int]:
    """An integer (not a bool, which JSON ``true`` becomes) within low..high."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def limit(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters, with an ellipsis when it was longer."""
    return text if len(text) <= length else text[: length - 1] + "…"


def children(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(item.get("item") or [])


def child(item: Mapping[str, Any], link_id: str) -> Mapping[str, Any]:
    return next((c for c in children(item) if c.get("linkId") == link_id), {})


def child_link_ids(item: Mapping[str, Any]) -> set[str]:
    """The linkIds of an item's children, leaving out its help text."""
    return {str(c.get("linkId")) for c in children(item) if item_control_code(c) != "help"}


def counts_minutes(item: Mapping[str, Any]) -> bool:
    """Whether an item's unit is UCUM minutes (how a duration is exported)."""
    unit = extension_value(item, UNIT) or {}
    return bool(unit.get("code") == "min" and unit.get("system", UCUM) == UCUM)
