"""FHIR R4 Questionnaire -> worksheet definition, reporting what does not map."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from ..conditions import condition_problem
from ..definition import validate_definition
from ..fields import (
    COLUMN_TYPES,
    EMOTION_MAX_LENGTH,
    MAX_LENGTH_LIMITS,
    SCHEMA_VERSION,
    FieldDef,
    is_number,
    is_time,
    parse_date,
)
from .common import (
    ENTRY_FORMAT,
    LEGACY_ORDINAL_VALUE,
    MAX_DECIMAL_PLACES,
    MAX_OCCURS,
    MAX_VALUE,
    MIN_OCCURS,
    MIN_VALUE,
    OPS_BY_OPERATOR,
    ORDINAL_VALUE,
    RENDERING_MARKDOWN,
    SECTION_PREFIX,
    SLIDER_STEP,
    UCUM,
    UNIT,
    YES_NO,
    extension_value,
    integer_valued,
    is_whole,
    item_control_code,
)


@dataclass(frozen=True)
class ImportResult:
    definition: dict[str, Any]
    title: str
    skipped: list[str]


class FhirImportError(ValueError):
    """The resource is not a Questionnaire, or nothing in it can become a worksheet."""


def from_questionnaire(resource: Mapping[str, Any]) -> ImportResult:
    """A worksheet definition from a FHIR R4 Questionnaire (as JSON).

    Maps string/text/integer/decimal/date/time/choice/open-choice/boolean questions, groups,
    display items and enableWhen; everything else is left out and described in ``skipped``.
    Scoring is never imported (FHIR has no bands or critical rules); option scores
    (ordinalValue) are kept so scoring can be added by hand.
    """
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "Questionnaire":
        raise FhirImportError("This is not a FHIR Questionnaire.")
    _check_structure(resource)
    importer = _Importer()
    sections = importer.sections(resource.get("item") or [])
    if not sections:
        raise FhirImportError("The questionnaire has no items that can become a worksheet.")
    definition: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "entry_mode": "single",
        "sections": sections,
        "scoring": None,
    }
    importer.resolve_conditions()
    if resource.get("code"):
        codes = ", ".join(str(c.get("code")) for c in resource["code"])
        importer.skip(f"Questionnaire code ({codes}) and any scoring skipped; add scoring by hand.")
    issues = validate_definition(definition)
    if issues:
        listed = "; ".join(f"{i.path}: {i.message}" for i in issues[:5])
        raise FhirImportError(f"The imported worksheet is not valid: {listed}")
    title = resource.get("title") or resource.get("name") or "Imported questionnaire"
    return ImportResult(definition, str(title), importer.skipped)


def _check_structure(resource: Mapping[str, Any]) -> None:
    """Reject malformed resources up front, so the mapping below can trust the shapes."""
    # Imported here: the FHIR models take a quarter of a second to load, and only imports
    # need them.
    from fhir.resources.R4B.questionnaire import Questionnaire
    from pydantic import ValidationError

    try:
        Questionnaire.model_validate(resource)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise FhirImportError(
            f"This is not a valid FHIR R4 Questionnaire ({where}: {first['msg']})."
        ) from error


@dataclass
class _Pending:
    """A field's enableWhen, resolved once every field exists."""

    field: dict[str, Any]
    link_id: str
    conditions: list[Mapping[str, Any]]
    behavior: str | None


class _Importer:
    def __init__(self) -> None:
        self.skipped: list[str] = []
        self.section_ids: set[str] = set()
        self.fields: dict[str, dict[str, Any]] = {}
        self.by_link_id: dict[str, str] = {}
        self.pending: list[_Pending] = []

    def skip(self, message: str) -> None:
        self.skipped.append(message)

    # -- structure --------------------------------------------------------------------------

    def sections(self, items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Top-level groups become sections; questions between them are gathered into
        sections of their own, since every field of ours lives in a section."""
        sections: list[dict[str, Any]] = []
        loose: list[Mapping[str, Any]] = []
        for item in items:
            if item.get("type") == "group" and not item.get("repeats") and not _is_commitment(item):
                sections.extend(self.loose_section(loose))
                loose = []
                sections.extend(self.section(item))
            else:
                loose.append(item)
        sections.extend(self.loose_section(loose))
        return sections

    def loose_section(self, items: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        if not items:
            return []
        fields = self.fields_of(items)
        if not fields:
            return []
        return [{"id": self.section_id("questions"), "title": "Questions", "fields": fields}]

    def section(self, group: Mapping[str, Any]) -> list[dict[str, Any]]:
        link_id = str(group.get("linkId", ""))
        children = list(group.get("item") or [])
        description = None
        if children and children[0].get("linkId") == f"{link_id}-description":
            description = children.pop(0).get("text")
        fields = self.fields_of(children)
        if not fields:
            self.skip(f"Group '{link_id}' skipped: none of its items could be imported.")
            return []
        name = link_id.removeprefix(SECTION_PREFIX)
        section: dict[str, Any] = {
            "id": self.section_id(name),
            "title": _limit(group.get("text") or "Questions", 200),
        }
        if description:
            section["description"] = _limit(description, 2000)
        section["fields"] = fields
        return [section]

    def section_id(self, name: str) -> str:
        section_id = _unique_id(name, self.section_ids)
        self.section_ids.add(section_id)
        return section_id

    def fields_of(self, items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Fields for a list of items; nested plain groups are flattened into it."""
        fields: list[dict[str, Any]] = []
        for item in items:
            if item.get("type") == "group" and not item.get("repeats") and not _is_commitment(item):
                self.skip(f"Heading of group '{item.get('linkId')}' skipped; its items were kept.")
                fields.extend(self.fields_of(item.get("item") or []))
                continue
            field = self.field(item)
            if field is not None:
                self.register(field, item)
                fields.append(field)
        return fields

    def register(self, field: dict[str, Any], item: Mapping[str, Any]) -> None:
        self.fields[field["id"]] = field
        self.by_link_id[str(item.get("linkId"))] = field["id"]
        if item.get("enableWhen"):
            conditions = list(item["enableWhen"])
            self.pending.append(
                _Pending(field, str(item.get("linkId")), conditions, item.get("enableBehavior"))
            )

    # -- one item ---------------------------------------------------------------------------

    def field(self, item: Mapping[str, Any]) -> dict[str, Any] | None:
        """A top-level field for ``item``, or None (reported) when it cannot be one."""
        link_id = str(item.get("linkId", ""))
        if item.get("readOnly"):
            self.skip(f"Read-only item '{link_id}' (e.g. a calculated score) skipped.")
            return None
        if item.get("type") == "display":
            return self.display(item)
        return self.question(item, _unique_id(link_id, set(self.fields)))

    def column(self, item: Mapping[str, Any], table: str, taken: set[str]) -> dict[str, Any] | None:
        """A column for a child of a repeating group; ids come from the part of the linkId
        after the last dot, as in our own ``<table>.<column>`` exports."""
        link_id = str(item.get("linkId", ""))
        if item.get("type") in ("display", "group") or item.get("readOnly"):
            self.skip(f"Item '{link_id}' inside table '{table}' skipped: not a column type.")
            return None
        column = self.question(item, _unique_id(link_id.rsplit(".", 1)[-1], taken))
        if column is None:
            return None
        if column["type"] not in COLUMN_TYPES:
            self.skip(f"Item '{link_id}' inside table '{table}' skipped: not a column type.")
            return None
        if item.get("enableWhen"):
            self.skip(f"Condition on column '{link_id}' skipped: columns are always shown.")
        return column

    def question(self, item: Mapping[str, Any], field_id: str) -> dict[str, Any] | None:
        link_id, item_type = str(item.get("linkId", "")), item.get("type")
        builder = _BUILDERS.get(str(item_type))
        if builder is None:
            self.skip(f"Item '{link_id}' skipped: the FHIR type '{item_type}' has no equivalent.")
            return None
        field: dict[str, Any] = {"id": field_id, "type": "", "label": self.label(item)}
        if not builder(self, item, field):
            return None
        help_texts = [c.get("text") for c in _children(item) if item_control_code(c) == "help"]
        if help_texts and help_texts[0]:
            field["help"] = _limit(str(help_texts[0]), 1000)
        if item.get("required"):
            field["required"] = True
        return field

    def label(self, item: Mapping[str, Any]) -> str:
        text = str(item.get("text") or item.get("linkId") or "Question")
        if len(text) > 300:
            self.skip(f"Text of '{item.get('linkId')}' shortened to 300 characters.")
        return _limit(text, 300)

    def display(self, item: Mapping[str, Any]) -> dict[str, Any] | None:
        link_id = str(item.get("linkId", ""))
        markdown = _markdown_text(item)
        if not markdown.strip():
            self.skip(f"Display item '{link_id}' skipped: it has no text.")
            return None
        label = item.get("prefix") or _limit(markdown.strip().splitlines()[0], 80)
        return {
            "id": _unique_id(link_id, set(self.fields)),
            "type": "instructions",
            "label": _limit(str(label), 300),
            "body": _limit(markdown, 20000),
        }

    # -- builders per FHIR type: fill ``field`` and return True, or report and return False --

    def text_field(self, item: Mapping[str, Any], field: dict[str, Any]) -> bool:
        field["type"] = "short_text" if item.get("type") == "string" else "long_text"
        limit = MAX_LENGTH_LIMITS[field["type"]]
        max_length = item.get("maxLength")
        if _whole_in(max_length, 1):
            if max_length > limit:
                self.skip(f"Maximum length of '{item.get('linkId')}' lowered to {limit}.")
            field["max_length"] = min(max_length, limit)
        placeholder = extension_value(item, ENTRY_FORMAT)
        if isinstance(placeholder, str) and placeholder.strip():
            field["placeholder"] = _limit(placeholder, 200)
        return True

    def integer_field(self, item: Mapping[str, Any], field: dict[str, Any]) -> bool:
        low, high = extension_value(item, MIN_VALUE), extension_value(item, MAX_VALUE)
        unit = extension_value(item, UNIT) or {}
        if unit.get("code") == "min" and unit.get("system", UCUM) == UCUM:
            field["type"] = "duration"
            if _whole_in(high, 1):
                field["max_minutes"] = high
            return True
        step = extension_value(item, SLIDER_STEP)
        if item_control_code(item) == "slider" and _is_scale(low, high, step):
            field.update(type="rating", min=low, max=high)
            if step is not None:
                field["step"] = step
            self.anchors(item, field)
            return True
        field["type"] = "number"
        self.number_limits(item, field, low, high)
        return True

    def decimal_field(self, item: Mapping[str, Any], field: dict[str, Any]) -> bool:
        field["type"] = "number"
        places = extension_value(item, MAX_DECIMAL_PLACES)
        places = places if _whole_in(places, 0, 6) else 2
        low, high = extension_value(item, MIN_VALUE), extension_value(item, MAX_VALUE)
        self.number_limits(item, field, low, high)
        if places:
            field["step"] = float(Decimal(1).scaleb(-places))
        return True

    def number_limits(
        self, item: Mapping[str, Any], field: dict[str, Any], low: Any, high: Any
    ) -> None:
        if is_number(low) and is_number(high) and low > high:
            self.skip(f"Range of '{item.get('linkId')}' skipped: its minimum exceeds its maximum.")
            return
        if is_number(low):
            field["min"] = low
        if is_number(high):
            field["max"] = high
        unit = extension_value(item, UNIT) or {}
        label = unit.get("display") or unit.get("code")
        if isinstance(label, str) and label.strip():
            field["unit"] = _limit(label, 30)

    def anchors(self, item: Mapping[str, Any], field: dict[str, Any]) -> None:
        anchors = {}
        for child in _children(item):
            end = item_control_code(child)
            if end in ("lower", "upper") and child.get("text"):
                key = str(field["min"] if end == "lower" else field["max"])
                anchors[key] = _limit(child["text"], 100)
        if anchors:
            field["anchors"] = anchors

    def date_field(self, item: Mapping[str, Any], field: dict[str, Any]) -> bool:
        field["type"] = "date"
        low, high = extension_value(item, MIN_VALUE), extension_value(item, MAX_VALUE)
        if parse_date(low) and parse_date(high) and low > high:
            return True
        for key, value in (("min", low), ("max", high)):
            if parse_date(value):
                field[key] = value
        return True

    def time_field(self, item: Mapping[str, Any], field: dict[str, Any]) -> bool:
        field["type"] = "time"
        return True

    def boolean_field(self, item: Mapping[str, Any], field: dict[str, Any]) -> bool:
        field.update(type="single_choice", options=[dict(option) for option in YES_NO])
        return True

    def choice_field(self, item: Mapping[str, Any], field: dict[str, Any]) -> bool:
        link_id = item.get("linkId")
        options = self.options(item)
        if not options:
            if item.get("type") == "open-choice":
                field["type"] = "short_text"
                return True
            source = item.get("answerValueSet")
            reason = f"its options come from value set {source}" if source else "it has no options"
            self.skip(f"Item '{link_id}' skipped: {reason}, which cannot be imported.")
            return False
        if item.get("type") == "open-choice":
            self.skip(f"Free-text answers of '{link_id}' skipped; its options were kept.")
        if not item.get("repeats"):
            field.update(type="single_choice", options=options)
            return True
        checklist = item_control_code(item) == "check-box"
        field.update(type="checklist" if checklist else "multiple_choice", options=options)
        low, high = extension_value(item, MIN_OCCURS), extension_value(item, MAX_OCCURS)
        if not checklist and _fits_selection(low, high, len(options)):
            if low:
                field["min_selected"] = low
            if high is not None:
                field["max_selected"] = high
        return True

    def options(self, item: Mapping[str, Any]) -> list[dict[str, Any]]:
        options: list[dict[str, Any]] = []
        for answer in item.get("answerOption") or []:
            option = _option(answer)
            if option is None or any(o["value"] == option["value"] for o in options):
                self.skip(f"An option of '{item.get('linkId')}' skipped (unsupported or repeated).")
            else:
                options.append(option)
        return options

    def group_field(self, item: Mapping[str, Any], field: dict[str, Any]) -> bool:
        link_id = str(item.get("linkId", ""))
        if _is_commitment(item):
            statement = _child(item, f"{link_id}.statement")
            field.update(type="commitment", statement=_limit(str(statement.get("text")), 2000))
            return True
        if _is_emotions(item):
            self.emotions(item, field)
            return True
        columns: list[dict[str, Any]] = []
        taken: set[str] = set()
        for child in _children(item):
            if item_control_code(child) == "help":
                continue
            column = self.column(child, link_id, taken)
            if column is not None:
                taken.add(column["id"])
                columns.append(column)
        if not columns:
            self.skip(f"Repeating group '{link_id}' skipped: none of its items fit a table.")
            return False
        field.update(type="table", columns=columns[:20])
        low, high = extension_value(item, MIN_OCCURS), extension_value(item, MAX_OCCURS)
        if _whole_in(low, 1, 200):
            field["min_rows"] = low
        if _whole_in(high, max(1, field.get("min_rows", 0)), 200):
            field["max_rows"] = high
        return True

    def emotions(self, item: Mapping[str, Any], field: dict[str, Any]) -> None:
        link_id = str(item.get("linkId"))
        emotion = _child(item, f"{link_id}.emotion")
        intensity = _child(item, f"{link_id}.intensity")
        words: list[str] = []
        for answer in emotion.get("answerOption") or []:
            word = answer.get("valueString")
            fits = isinstance(word, str) and 0 < len(word.strip()) <= EMOTION_MAX_LENGTH
            if fits and word.casefold() not in {w.casefold() for w in words}:
                words.append(word)
        field["type"] = "emotions"
        if words:
            field["suggestions"] = words[:100]
        high = extension_value(item, MAX_OCCURS)
        if _whole_in(high, 1, 50):
            field["max_items"] = high
        if intensity.get("text") and intensity["text"] != "Intensity":
            field["intensity_label"] = _limit(intensity["text"], 100)

    # -- conditions -------------------------------------------------------------------------

    def resolve_conditions(self) -> None:
        order = {field_id: index for index, field_id in enumerate(self.fields)}
        for pending in self.pending:
            condition, reason = self.condition(pending, order)
            if condition is None:
                self.skip(
                    f"Condition on '{pending.link_id}' skipped ({reason}); it is always shown."
                )
            else:
                pending.field["show_if"] = condition

    def condition(
        self, pending: _Pending, order: Mapping[str, int]
    ) -> tuple[dict[str, Any] | None, str]:
        whens = pending.conditions
        questions = {str(w.get("question")) for w in whens}
        if len(questions) != 1 or (len(whens) > 1 and pending.behavior != "any"):
            return None, "it combines several conditions"
        target_id = self.by_link_id.get(questions.pop())
        if target_id is None:
            return None, "it refers to an item that was not imported or is inside a table"
        if order[target_id] >= order[pending.field["id"]]:
            return None, "it refers to a later item"
        target = self.fields[target_id]
        if target["type"] == "instructions":
            return None, "it refers to a display item"
        condition = _condition(target, whens)
        if condition is None:
            return None, "its comparison has no equivalent"
        problem = condition_problem(target, condition)
        return (condition, "") if problem is None else (None, problem[1])


_BUILDERS: Final = {
    "string": _Importer.text_field,
    "text": _Importer.text_field,
    "integer": _Importer.integer_field,
    "decimal": _Importer.decimal_field,
    "date": _Importer.date_field,
    "time": _Importer.time_field,
    "boolean": _Importer.boolean_field,
    "choice": _Importer.choice_field,
    "open-choice": _Importer.choice_field,
    "group": _Importer.group_field,
}


def _condition(target: FieldDef, whens: list[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Our show_if for a list of enableWhen on one question (several only as "any of =")."""
    field_id = target["id"]
    if len(whens) > 1:
        if any(w.get("operator") != "=" for w in whens):
            return None
        values = [_when_value(target, w) for w in whens]
        if any(v is None for v in values):
            return None
        return {"field": field_id, "op": "in", "value": values}
    when = whens[0]
    operator = when.get("operator")
    if operator == "exists":
        return {"field": field_id, "op": "answered"} if when.get("answerBoolean") else None
    value = _when_value(target, when)
    if value is None:
        return None
    if operator in (">", "<") and _whole_in(value) and integer_valued(target):
        op, value = ("gte", value + 1) if operator == ">" else ("lte", value - 1)
        return {"field": field_id, "op": op, "value": value}
    op = OPS_BY_OPERATOR.get(str(operator))
    return {"field": field_id, "op": op, "value": value} if op else None


def _when_value(target: FieldDef, when: Mapping[str, Any]) -> Any:
    if "answerBoolean" in when:
        return "yes" if when["answerBoolean"] else "no"
    if "answerCoding" in when:
        coding = when["answerCoding"]
        return coding.get("code") or coding.get("display")
    if "answerTime" in when:
        value = str(when["answerTime"])
        return value[:5] if is_time(value[:5]) and value[5:] in ("", ":00") else None
    for key in ("answerString", "answerInteger", "answerDecimal", "answerDate"):
        if key in when:
            return when[key]
    return None


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
    option: dict[str, Any] = {"value": value, "label": _limit(str(label), 300)}
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


def _children(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(item.get("item") or [])


def _child(item: Mapping[str, Any], link_id: str) -> Mapping[str, Any]:
    return next((c for c in _children(item) if c.get("linkId") == link_id), {})


def _child_link_ids(item: Mapping[str, Any]) -> set[str]:
    return {str(c.get("linkId")) for c in _children(item) if item_control_code(c) != "help"}


def _is_emotions(item: Mapping[str, Any]) -> bool:
    link_id = item.get("linkId")
    return bool(item.get("repeats")) and _child_link_ids(item) == {
        f"{link_id}.emotion",
        f"{link_id}.intensity",
    }


def _is_commitment(item: Mapping[str, Any]) -> bool:
    link_id = item.get("linkId")
    expected = {f"{link_id}.statement", f"{link_id}.signature", f"{link_id}.date"}
    statement = _child(item, f"{link_id}.statement")
    return (
        item.get("type") == "group"
        and not item.get("repeats")
        and _child_link_ids(item) == expected
        and bool(str(statement.get("text") or "").strip())
    )


def _is_scale(low: Any, high: Any, step: Any) -> bool:
    """Whether slider bounds make a valid rating scale (else the item becomes a number)."""
    step = 1 if step is None else step
    if not all(_whole_in(v) for v in (low, high, step)):
        return False
    return step >= 1 and high > low and (high - low) % step == 0 and (high - low) // step < 101


def _fits_selection(low: Any, high: Any, count: int) -> bool:
    low = 0 if low is None else low
    if not _whole_in(low, 0, count):
        return False
    return high is None or _whole_in(high, max(1, low), count)


def _whole_in(value: Any, low: int | None = None, high: int | None = None) -> bool:
    """An integer (not a bool, which JSON ``true`` becomes) within low..high."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _markdown_text(item: Mapping[str, Any]) -> str:
    markdown = extension_value(item.get("_text") or {}, RENDERING_MARKDOWN)
    return str(markdown if isinstance(markdown, str) else item.get("text") or "")


def _unique_id(link_id: str, taken: set[str]) -> str:
    """A valid id from a linkId: lowercase letters, digits and underscores, starting with a
    letter, unique among ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "_", link_id.lower()).strip("_") or "item"
    if not base[0].isalpha():
        base = f"q_{base}"
    base = base[:44]
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate


def _limit(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
