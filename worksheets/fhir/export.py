"""Worksheet definition -> FHIR R4 Questionnaire."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from ..conditions import options_meeting
from ..fields import (
    EMOTION_MAX_LENGTH,
    INTENSITY_MAX,
    INTENSITY_MIN,
    SIGNATURE_MAX_LENGTH,
    Definition,
    FieldDef,
    fields_by_id,
    iter_sections,
    setting,
)
from .common import (
    ENTRY_FORMAT,
    LOINC,
    MAX_DECIMAL_PLACES,
    MAX_OCCURS,
    MAX_VALUE,
    MIN_OCCURS,
    MIN_VALUE,
    OPERATORS,
    ORDINAL_VALUE,
    RENDERING_MARKDOWN,
    SECTION_PREFIX,
    SLIDER_STEP,
    STATUSES,
    TOTAL_LINK_ID,
    UCUM,
    UNIT,
    integer_valued,
    is_whole,
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
    children.extend(_field_item(field, field["id"], fields) for field in section["fields"])
    return {"linkId": link_id, "text": section["title"], "type": "group", "item": children}


def _field_item(
    field: FieldDef, link_id: str, fields: Mapping[str, FieldDef] | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": link_id, "text": field["label"]}
    if field.get("required"):
        item["required"] = True
    _EXPORTERS[field["type"]](field, item)
    if field.get("help") and item["type"] != "display":
        help_item = {
            "linkId": f"{link_id}-help",
            "type": "display",
            "text": field["help"],
            "extension": [item_control("help")],
        }
        item.setdefault("item", []).append(help_item)
    if field.get("show_if") and fields is not None:
        condition = field["show_if"]
        item["enableWhen"] = _enable_when(condition, fields[condition["field"]])
        if len(item["enableWhen"]) > 1:
            item["enableBehavior"] = "any"
    return item


def _extension(item: dict[str, Any], url: str, key: str, value: Any) -> None:
    item.setdefault("extension", []).append({"url": url, key: value})


def _number_key(value: int | float, integer: bool) -> str:
    return "valueInteger" if integer else "valueDecimal"


def _export_text(field: FieldDef, item: dict[str, Any]) -> None:
    item["type"] = "string" if field["type"] == "short_text" else "text"
    if "max_length" in field:
        item["maxLength"] = field["max_length"]
    if field.get("placeholder"):
        _extension(item, ENTRY_FORMAT, "valueString", field["placeholder"])


def _export_number(field: FieldDef, item: dict[str, Any]) -> None:
    integer = integer_valued(field)
    item["type"] = "integer" if integer else "decimal"
    for key, url in (("min", MIN_VALUE), ("max", MAX_VALUE)):
        if key in field:
            _extension(item, url, _number_key(field[key], integer), field[key])
    if not integer:
        places = _decimal_places(setting(field, "step"))
        _extension(item, MAX_DECIMAL_PLACES, "valueInteger", places)
    if field.get("unit"):
        _extension(item, UNIT, "valueCoding", {"display": field["unit"]})


def _export_rating(field: FieldDef, item: dict[str, Any]) -> None:
    item["type"] = "integer"
    item["extension"] = [item_control("slider")]
    _extension(item, MIN_VALUE, "valueInteger", field["min"])
    _extension(item, MAX_VALUE, "valueInteger", field["max"])
    if "step" in field:
        _extension(item, SLIDER_STEP, "valueInteger", field["step"])
    anchors = field.get("anchors") or {}
    for end, key in (("lower", str(field["min"])), ("upper", str(field["max"]))):
        if key in anchors:
            item.setdefault("item", []).append(
                {
                    "linkId": f"{item['linkId']}-{end}",
                    "type": "display",
                    "text": anchors[key],
                    "extension": [item_control(end)],
                }
            )


def _export_choice(field: FieldDef, item: dict[str, Any]) -> None:
    item["type"] = "choice"
    item["answerOption"] = [_answer_option(option) for option in field["options"]]
    if field["type"] == "single_choice":
        return
    item["repeats"] = True
    if field["type"] == "checklist":
        item["extension"] = [item_control("check-box")]
    if field.get("min_selected"):
        _extension(item, MIN_OCCURS, "valueInteger", field["min_selected"])
    if "max_selected" in field:
        _extension(item, MAX_OCCURS, "valueInteger", field["max_selected"])


def _answer_option(option: Mapping[str, Any]) -> dict[str, Any]:
    coding: dict[str, Any] = {"code": option["value"], "display": option["label"]}
    if "score" in option:
        coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option["score"]}]
    return {"valueCoding": coding}


def _export_date(field: FieldDef, item: dict[str, Any]) -> None:
    item["type"] = "date"
    for key, url in (("min", MIN_VALUE), ("max", MAX_VALUE)):
        if key in field:
            _extension(item, url, "valueDate", field[key])


def _export_time(field: FieldDef, item: dict[str, Any]) -> None:
    item["type"] = "time"


def _export_duration(field: FieldDef, item: dict[str, Any]) -> None:
    item["type"] = "integer"
    _extension(item, UNIT, "valueCoding", {"system": UCUM, "code": "min", "display": "minutes"})
    _extension(item, MIN_VALUE, "valueInteger", 0)
    if "max_minutes" in field:
        _extension(item, MAX_VALUE, "valueInteger", field["max_minutes"])


def _export_table(field: FieldDef, item: dict[str, Any]) -> None:
    item.update(type="group", repeats=True)
    item["item"] = [_field_item(c, f"{item['linkId']}.{c['id']}") for c in field["columns"]]
    if field.get("min_rows"):
        _extension(item, MIN_OCCURS, "valueInteger", field["min_rows"])
    if "max_rows" in field:
        _extension(item, MAX_OCCURS, "valueInteger", field["max_rows"])


def _export_emotions(field: FieldDef, item: dict[str, Any]) -> None:
    link_id = item["linkId"]
    suggestions = setting(field, "suggestions")
    emotion: dict[str, Any] = {
        "linkId": f"{link_id}.emotion",
        "text": "Emotion",
        "type": "open-choice" if suggestions else "string",
        "required": True,
        "maxLength": EMOTION_MAX_LENGTH,
    }
    if suggestions:
        emotion["answerOption"] = [{"valueString": word} for word in suggestions]
    intensity = {
        "linkId": f"{link_id}.intensity",
        "text": field.get("intensity_label", "Intensity"),
        "type": "integer",
        "required": True,
    }
    _extension(intensity, MIN_VALUE, "valueInteger", INTENSITY_MIN)
    _extension(intensity, MAX_VALUE, "valueInteger", INTENSITY_MAX)
    item.update(type="group", repeats=True, item=[emotion, intensity])
    if "max_items" in field:
        _extension(item, MAX_OCCURS, "valueInteger", field["max_items"])


def _export_commitment(field: FieldDef, item: dict[str, Any]) -> None:
    link_id = item["linkId"]
    item["type"] = "group"
    item["item"] = [
        {"linkId": f"{link_id}.statement", "type": "display", "text": field["statement"]},
        {
            "linkId": f"{link_id}.signature",
            "text": "Signature",
            "type": "string",
            "required": True,
            "maxLength": SIGNATURE_MAX_LENGTH,
        },
        {"linkId": f"{link_id}.date", "text": "Date", "type": "date", "required": True},
    ]


def _export_instructions(field: FieldDef, item: dict[str, Any]) -> None:
    _display(item, field["label"], field["body"])


def _export_media(field: FieldDef, item: dict[str, Any]) -> None:
    """R4 has no media item; a display item with a link (and the transcript) keeps the
    content usable. Uploaded media live in our storage and cannot be linked from outside."""
    caption = field.get("caption") or field["label"]
    parts = [f"[{caption}]({field['url']})" if field.get("url") else caption]
    if field.get("transcript"):
        parts.append(field["transcript"])
    _display(item, field["label"], "\n\n".join(parts))


def _display(item: dict[str, Any], label: str, markdown: str) -> None:
    """The label goes in ``prefix`` ("a short label for … display text"), the Markdown in
    ``text`` with the rendering-markdown extension."""
    item.update(type="display", prefix=label, text=markdown)
    item["_text"] = {"extension": [{"url": RENDERING_MARKDOWN, "valueMarkdown": markdown}]}


def _enable_when(condition: Mapping[str, Any], target: FieldDef) -> list[dict[str, Any]]:
    question, op = condition["field"], condition["op"]
    if op == "answered":
        return [{"question": question, "operator": "exists", "answerBoolean": True}]
    if op == "in":
        return [_when(question, "=", target, value) for value in condition["value"]]
    if target["type"] == "single_choice" and op in ("gte", "lte"):
        # FHIR compares codings only for equality; list the options whose score qualifies.
        return [
            _when(question, "=", target, option["value"])
            for option in options_meeting(target, op, condition["value"])
        ]
    return [_when(question, OPERATORS[op], target, condition["value"])]


def _when(question: str, operator: str, target: FieldDef, value: Any) -> dict[str, Any]:
    return {"question": question, "operator": operator, **_answer_value(target, value)}


def _answer_value(target: FieldDef, value: Any) -> dict[str, Any]:
    field_type = target["type"]
    if field_type in ("single_choice", "multiple_choice", "checklist"):
        return {"answerCoding": {"code": value}}
    if field_type in ("short_text", "long_text"):
        return {"answerString": value}
    if field_type == "date":
        return {"answerDate": value}
    if field_type == "time":
        return {"answerTime": f"{value}:00"}
    if field_type == "number" and not integer_valued(target):
        return {"answerDecimal": value}
    return {"answerInteger": int(value)} if is_whole(value) else {"answerDecimal": value}


def _decimal_places(step: int | float) -> int:
    exponent = Decimal(str(step)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


_EXPORTERS: Final = {
    "short_text": _export_text,
    "long_text": _export_text,
    "number": _export_number,
    "rating": _export_rating,
    "single_choice": _export_choice,
    "multiple_choice": _export_choice,
    "checklist": _export_choice,
    "date": _export_date,
    "time": _export_time,
    "duration": _export_duration,
    "table": _export_table,
    "emotions": _export_emotions,
    "instructions": _export_instructions,
    "media": _export_media,
    "commitment": _export_commitment,
}
