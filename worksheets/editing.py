"""The form builder's edits to a worksheet definition: add, change, move and remove fields and
sections. Pure functions on a copy of the definition; the caller saves the result through a
service, which validates it (so an edit that breaks a condition is refused with the reason).
"""

from __future__ import annotations

import copy
from typing import Any, Final

from .fields import iter_fields
from .types import FIELD_TYPES, field_type

TYPE_LABELS: Final = {name: field_type(name).label for name in FIELD_TYPES}
"""How the builder names each type, in the order it offers them."""


class BuilderError(ValueError):
    """An edit that cannot be made at all (the field or section is not there)."""


def new_field(definition: dict, type_name: str) -> dict[str, Any]:
    """A field of type ``type_name`` with the type's starting settings and an unused id."""
    if type_name not in FIELD_TYPES:
        raise BuilderError(f"Unknown field type '{type_name}'.")
    kind = field_type(type_name)
    taken = _all_ids(definition)
    stem = kind.id_stem or kind.name
    number = 1
    while f"{stem}_{number}" in taken:
        number += 1
    return {"id": f"{stem}_{number}", "type": kind.name, **copy.deepcopy(dict(kind.new_field))}


def _all_ids(definition: dict) -> set[str]:
    ids = {field["id"] for field in iter_fields(definition)}
    return ids | {section["id"] for section in definition["sections"]}


def _find_field(definition: dict, field_id: str) -> tuple[int, int]:
    for s_index, section in enumerate(definition["sections"]):
        for f_index, field in enumerate(section["fields"]):
            if field["id"] == field_id:
                return s_index, f_index
    raise BuilderError("That field is no longer in this worksheet.")


def _find_section(definition: dict, section_id: str) -> int:
    for index, section in enumerate(definition["sections"]):
        if section["id"] == section_id:
            return index
    raise BuilderError("That section is no longer in this worksheet.")


def add_field(definition: dict, section_id: str, type_name: str) -> tuple[dict, str]:
    """A new field of ``type_name`` at the end of the section; returns (definition, id)."""
    result = copy.deepcopy(definition)
    field = new_field(result, type_name)
    result["sections"][_find_section(result, section_id)]["fields"].append(field)
    return result, field["id"]


def replace_field(definition: dict, field_id: str, field: dict) -> dict:
    result = copy.deepcopy(definition)
    s_index, f_index = _find_field(result, field_id)
    result["sections"][s_index]["fields"][f_index] = field
    return result


def field_position(definition: dict, field_id: str) -> tuple[int, int]:
    """``(section index, field index)`` of a field, for error paths."""
    return _find_field(definition, field_id)


def move_field(definition: dict, field_id: str, direction: str) -> dict:
    """One place up or down; past the top or bottom of a section it moves into the previous
    or next section, so a field can go anywhere with the two buttons alone."""
    result = copy.deepcopy(definition)
    sections = result["sections"]
    s_index, f_index = _find_field(result, field_id)
    fields = sections[s_index]["fields"]
    step = -1 if direction == "up" else 1
    target = f_index + step
    if 0 <= target < len(fields):
        fields[f_index], fields[target] = fields[target], fields[f_index]
        return result
    neighbour = s_index + step
    if not 0 <= neighbour < len(sections):
        return result
    field = fields.pop(f_index)
    if direction == "up":
        sections[neighbour]["fields"].append(field)
    else:
        sections[neighbour]["fields"].insert(0, field)
    return result


def remove_field(definition: dict, field_id: str) -> dict:
    result = copy.deepcopy(definition)
    s_index, f_index = _find_field(result, field_id)
    del result["sections"][s_index]["fields"][f_index]
    return result


def add_section(definition: dict, title: str = "New section") -> tuple[dict, str]:
    """A new section at the end, holding one question (a section is never empty)."""
    result = copy.deepcopy(definition)
    taken = _all_ids(result)
    number = len(result["sections"]) + 1
    while f"section_{number}" in taken:
        number += 1
    section_id = f"section_{number}"
    result["sections"].append({"id": section_id, "title": title, "fields": []})
    result["sections"][-1]["fields"].append(new_field(result, "long_text"))
    return result, section_id


def update_section(definition: dict, section_id: str, *, title: str, description: str) -> dict:
    result = copy.deepcopy(definition)
    section = result["sections"][_find_section(result, section_id)]
    section["title"] = title
    if description:
        section["description"] = description
    else:
        section.pop("description", None)
    return result


def move_section(definition: dict, section_id: str, direction: str) -> dict:
    result = copy.deepcopy(definition)
    sections = result["sections"]
    index = _find_section(result, section_id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(sections):
        sections[index], sections[target] = sections[target], sections[index]
    return result


def remove_section(definition: dict, section_id: str) -> dict:
    result = copy.deepcopy(definition)
    del result["sections"][_find_section(result, section_id)]
    return result
