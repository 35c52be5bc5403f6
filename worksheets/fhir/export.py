"""Worksheet definition -> FHIR R4 Questionnaire."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..fields import Definition, FieldDef, fields_by_id, iter_sections
from ..types import type_of
from .common import (
    LOINC,
    OPERATORS,
    RISK_RULE,
    SECTION_PREFIX,
    STATUSES,
    TOTAL_LINK_ID,
    item_control,
)


def to_questionnaire(
    definition: Definition,
    *,
    title: str,
    url: str,
    version: str,
    status: str,
    code: Sequence[Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """A FHIR R4 Questionnaire (as JSON) for a valid definition.

    ``code`` is a list of Codings for the whole questionnaire; by default a measure gets its
    LOINC panel code (``scoring.loinc.panel``).
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}.")
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "url": url,
        "version": version,
        "title": title,
        "status": status,
        "subjectType": ["Patient"],
    }
    loinc = (definition.get("scoring") or {}).get("loinc") or {}
    codes = [dict(c) for c in code] if code is not None else _loinc_codes(loinc.get("panel"))
    if codes:
        resource["code"] = codes
    fields = fields_by_id(definition)
    items = [_section_item(section, fields) for section in iter_sections(definition)]
    if loinc.get("total"):
        items.append(
            {
                "linkId": TOTAL_LINK_ID,
                "code": _loinc_codes(loinc["total"]),
                "text": "Total score",
                "type": "integer",
                "readOnly": True,
            }
        )
    resource["item"] = items
    return resource


def _loinc_codes(code: str | None) -> list[dict[str, str]]:
    return [{"system": LOINC, "code": code}] if code else []


def _section_item(section: Mapping[str, Any], fields: Mapping[str, FieldDef]) -> dict[str, Any]:
    link_id = SECTION_PREFIX + section["id"]
    children = []
    if section.get("description"):
        children.append(
            {"linkId": f"{link_id}-description", "type": "display", "text": section["description"]}
        )
    children.extend(field_item(field, field["id"], fields) for field in section["fields"])
    return {"linkId": link_id, "text": section["title"], "type": "group", "item": children}


def field_item(
    field: FieldDef, link_id: str, fields: Mapping[str, FieldDef] | None = None
) -> dict[str, Any]:
    """The item of a field (or, without ``fields`` to resolve conditions, a table column);
    the field's type fills in what is its own."""
    item: dict[str, Any] = {"linkId": link_id, "text": field["label"]}
    if field.get("required"):
        item["required"] = True
    type_of(field).to_fhir(field, item)
    if field.get("help") and item["type"] != "display":
        help_item = {
            "linkId": f"{link_id}-help",
            "type": "display",
            "text": field["help"],
            "extension": [item_control("help")],
        }
        item.setdefault("item", []).append(help_item)
    if field.get("risk"):
        item.setdefault("extension", []).append(_risk_extension(field["risk"]))
    if field.get("show_if") and fields is not None:
        condition = field["show_if"]
        item["enableWhen"] = _enable_when(condition, fields[condition["field"]])
        if len(item["enableWhen"]) > 1:
            item["enableBehavior"] = "any"
    return item


def _risk_extension(rule: Mapping[str, Any]) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if "at_least" in rule:
        parts.append({"url": "atLeast", "valueDecimal": rule["at_least"]})
    else:
        parts.append({"url": "equals", "valueCoding": {"code": rule["equals"]}})
    if rule.get("label"):
        parts.append({"url": "label", "valueString": rule["label"]})
    return {"url": RISK_RULE, "extension": parts}


def _enable_when(condition: Mapping[str, Any], target: FieldDef) -> list[dict[str, Any]]:
    kind = type_of(target)
    # FHIR compares codings only for equality: a score threshold on a choice becomes the
    # options whose score qualifies.
    condition = kind.equality_condition(target, condition)
    question, op = condition["field"], condition["op"]
    if op == "answered":
        return [{"question": question, "operator": "exists", "answerBoolean": True}]
    values = condition["value"] if op == "in" else [condition["value"]]
    operator = "=" if op == "in" else OPERATORS[op]
    return [
        {"question": question, "operator": operator, **kind.fhir_answer(target, value)}
        for value in values
    ]
