"""FHIR R4 Questionnaire -> worksheet definition, reporting what does not map."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..conditions import condition_problem
from ..definition import validate_definition
from ..fields import SCHEMA_VERSION, FieldDef, is_time
from ..types import COLUMN_TYPES, FieldType, registered, type_of
from .common import (
    OPS_BY_OPERATOR,
    SECTION_PREFIX,
    children,
    item_control_code,
    limit,
    whole_in,
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
    importer = Importer()
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


class Importer:
    """Walks a Questionnaire; each item becomes a field of the type that claims it
    (``FieldType.fhir_claims``), which maps the item's settings."""

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
            if _is_plain_group(item):
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
            "title": limit(group.get("text") or "Questions", 200),
        }
        if description:
            section["description"] = limit(description, 2000)
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
            if _is_plain_group(item):
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
        kind = _claimant(item)
        if kind is None:
            link_id, item_type = str(item.get("linkId", "")), item.get("type")
            self.skip(f"Item '{link_id}' skipped: the FHIR type '{item_type}' has no equivalent.")
            return None
        return kind.from_fhir(self, item, field_id)

    def common_settings(self, item: Mapping[str, Any], field: dict[str, Any]) -> None:
        """Help (a child display item with itemControl ``help``) and ``required``."""
        help_texts = [c.get("text") for c in children(item) if item_control_code(c) == "help"]
        if help_texts and help_texts[0]:
            field["help"] = limit(str(help_texts[0]), 1000)
        if item.get("required"):
            field["required"] = True

    def label(self, item: Mapping[str, Any]) -> str:
        text = str(item.get("text") or item.get("linkId") or "Question")
        if len(text) > 300:
            self.skip(f"Text of '{item.get('linkId')}' shortened to 300 characters.")
        return limit(text, 300)

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
        if not type_of(target).answerable:
            return None, "it refers to a display item"
        condition = _condition(target, whens)
        if condition is None:
            return None, "its comparison has no equivalent"
        problem = condition_problem(target, condition)
        return (condition, "") if problem is None else (None, problem[1])


def _claimant(item: Mapping[str, Any]) -> FieldType | None:
    """The field type that imports ``item``: the first that claims it, where a fallback
    type (a plain number, a table) only gets what no other type takes."""
    ordered = sorted(registered(), key=lambda kind: kind.fhir_fallback)
    return next((kind for kind in ordered if kind.fhir_claims(item)), None)


def _is_plain_group(item: Mapping[str, Any]) -> bool:
    """A group that is a heading (a section, or flattened into one) rather than a field:
    not repeating, and not claimed by a type such as a commitment."""
    if item.get("type") != "group" or item.get("repeats"):
        return False
    claimant = _claimant(item)
    return claimant is None or claimant.fhir_fallback


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
    if operator in (">", "<") and whole_in(value) and type_of(target).integer_valued(target):
        op, value = ("gte", value + 1) if operator == ">" else ("lte", value - 1)
        return {"field": field_id, "op": op, "value": value}
    symbol = OPS_BY_OPERATOR.get(str(operator))
    return {"field": field_id, "op": symbol, "value": value} if symbol else None


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
