"""Stored answers <-> FHIR R4 ``QuestionnaireResponse`` items.

The items follow the structure of our Questionnaire export (``fhir.export``): a group per
section (``section-<id>``) holding an item per answered field, with the same linkIds, so a
FHIR tool can lay the answers against the Questionnaire they point at. Each field type maps
its own answers (``fhir_response_items`` / ``from_fhir_response`` in ``worksheets.types``);
this module walks the structure.

Reading a response back gives the answers as a client would send them; they are then checked
by the engine's own answer validation (``clean_response``), so an imported entry passes
exactly the checks a portal entry does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ..fields import Answers, Definition, fields_by_id, is_blank, iter_sections
from ..issues import Issue, quote
from ..response import InvalidResponse
from ..types import type_of
from ..types.base import SKIP
from .common import SECTION_PREFIX, TOTAL_LINK_ID

RESPONSE_STATUSES: Final = ("in-progress", "completed", "amended", "entered-in-error", "stopped")
_TIME_WITH_SECONDS: Final = re.compile(r"(\d{2}:\d{2}):\d{2}(\.\d+)?")


def to_response_items(definition: Definition, answers: Answers) -> list[dict[str, Any]]:
    """The ``item`` list of a QuestionnaireResponse for cleaned ``answers``. Unanswered
    questions and sections without answers are left out, as FHIR asks."""
    items = []
    for section in iter_sections(definition):
        children = []
        for field in section["fields"]:
            value = answers.get(field["id"])
            if field["id"] not in answers or is_blank(value):
                continue
            children.extend(type_of(field).fhir_response_items(field, field["id"], value))
        if children:
            link_id = SECTION_PREFIX + section["id"]
            items.append({"linkId": link_id, "text": section["title"], "item": children})
    return items


def questionnaire_response(
    definition: Definition,
    answers: Answers,
    *,
    questionnaire: str,
    status: str,
    authored: str,
    subject: Mapping[str, Any] | None = None,
    resource_id: str | None = None,
    identifier: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A FHIR R4 QuestionnaireResponse (as JSON) of cleaned ``answers``. ``questionnaire`` is
    the canonical (``url|version``) of the Questionnaire the answers belong to."""
    if status not in RESPONSE_STATUSES:
        raise ValueError(f"status must be one of {', '.join(RESPONSE_STATUSES)}, not {status!r}.")
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if resource_id:
        resource["id"] = resource_id
    if identifier:
        resource["identifier"] = dict(identifier)
    resource.update(questionnaire=questionnaire, status=status, authored=authored)
    if subject:
        resource["subject"] = dict(subject)
    items = to_response_items(definition, answers)
    if items:
        resource["item"] = items
    return resource


class ResponseReader:
    """Collects the answers of QuestionnaireResponse items and the problems found on the way
    (each with a path naming the question, as the engine's answer validation does)."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, message: str) -> None:
        self.issues.append(Issue(path, message))

    def values(self, item: Mapping[str, Any]) -> list[Any]:
        """The plain values of an item's answers: a coding's code, a time without seconds."""
        found = []
        for answer in item.get("answer") or []:
            for key, value in answer.items():
                if key.startswith("value"):
                    found.append(_plain(key, value))
                    break
        return found

    def single(self, item: Mapping[str, Any], path: str) -> Any:
        values = self.values(item)
        if len(values) > 1:
            self.add(path, "This question takes one answer.")
        return values[0] if values else SKIP

    def parts(
        self, item: Mapping[str, Any], link_id: str, path: str, names: Sequence[str]
    ) -> dict[str, Any]:
        """The answers of a group's parts (``<link_id>.<name>``), e.g. a commitment's
        signature and date, as ``{name: value}``."""
        found: dict[str, Any] = {}
        for child in item.get("item") or []:
            child_id = str(child.get("linkId", ""))
            name = child_id.removeprefix(f"{link_id}.")
            if child_id == name or name not in names:
                self.add(path, f"{quote(child_id)} is not a part of this question.")
                continue
            value = self.single(child, f"{path}.{name}")
            if value is not SKIP:
                found[name] = value
        return found


def answers_from_items(definition: Definition, items: Sequence[Mapping[str, Any]]) -> dict:
    """Answers from a QuestionnaireResponse's ``item`` list (sections as groups, or the
    questions at the top level); :class:`InvalidResponse` for unknown or repeated questions
    and answers of the wrong shape. The answers are not yet checked against their fields."""
    fields = fields_by_id(definition)
    sections = {SECTION_PREFIX + section["id"] for section in iter_sections(definition)}
    reader = ResponseReader()
    by_field: dict[str, list[Mapping[str, Any]]] = {}

    def walk(level: Sequence[Mapping[str, Any]]) -> None:
        for item in level:
            link_id = str(item.get("linkId", ""))
            if link_id in sections:
                walk(item.get("item") or [])
            elif link_id in fields:
                by_field.setdefault(link_id, []).append(item)
            elif link_id != TOTAL_LINK_ID:  # our computed total: scored again on import
                reader.add(
                    link_id or "item", f"{quote(link_id)} is not a question of this worksheet."
                )

    walk(items)
    answers: dict[str, Any] = {}
    for field_id, field_items in by_field.items():
        field = fields[field_id]
        value = type_of(field).from_fhir_response(reader, field, field_items, field_id)
        if value is not SKIP:
            answers[field_id] = value
    if reader.issues:
        raise InvalidResponse(reader.issues)
    return answers


def check_response_resource(resource: Any) -> None:
    """:class:`InvalidResponse` unless ``resource`` is a valid FHIR R4 QuestionnaireResponse
    (checked with the R4B models of ``fhir.resources``)."""
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "QuestionnaireResponse":
        raise InvalidResponse([Issue("resourceType", "This is not a FHIR QuestionnaireResponse.")])
    # Imported here: the FHIR models are slow to load, and only imports need them.
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
    from pydantic import ValidationError

    try:
        QuestionnaireResponse.model_validate(resource)
    except ValidationError as error:
        issues = [
            Issue(".".join(map(str, e["loc"])) or "resource", str(e["msg"]))
            for e in error.errors()[:10]
        ]
        raise InvalidResponse(issues) from None


def _plain(key: str, value: Any) -> Any:
    if key == "valueCoding" and isinstance(value, Mapping):
        return value.get("code")
    if key == "valueTime" and isinstance(value, str):
        match = _TIME_WITH_SECONDS.fullmatch(value)
        return match[1] if match else value
    return value
