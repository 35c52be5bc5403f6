"""The JSON Schema of a worksheet definition, made from the field types' own fragments.

``definition.schema.json`` next to this module is what :func:`definition_schema` returns,
committed so that editors and other tools can use it without running this code; a test keeps
the two equal. Regenerate it after changing a field type::

    python -m worksheets.schema
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from .fields import SCHEMA_VERSION
from .types import COLUMN_TYPES, FIELD_TYPES, registered
from .types.base import OPS, JsonSchema

SCHEMA_PATH: Final = Path(__file__).with_name("definition.schema.json")

_DESCRIPTION: Final = (
    "Structure only: worksheets.validate_definition is the authority for cross-field rules "
    "(unique ids, conditions on earlier fields, bands covering the total range, scoring "
    "items). Prose: docs/worksheet-format.md."
)


def definition_schema() -> JsonSchema:
    defs: dict[str, Any] = {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,49}$"},
        "section": _SECTION,
        "field_common": _field_common(),
        "field": _field(),
        "column": {
            "$ref": "#/$defs/field",
            "properties": {"type": {"enum": list(COLUMN_TYPES)}},
            "not": {"anyOf": [{"required": ["show_if"]}, {"required": ["risk"]}]},
        },
    }
    for kind in registered():
        fragment = kind.schema()
        properties = {"type": {"const": kind.name}, **fragment.get("properties", {})}
        defs[kind.name] = {
            "$ref": "#/$defs/field_common",
            "properties": properties,
            "unevaluatedProperties": False,
            **{key: value for key, value in fragment.items() if key != "properties"},
        }
        defs |= kind.schema_defs()
    defs |= {"condition": _CONDITION, "risk": _RISK}
    defs |= {"scoring": _SCORING, "subscale": _SUBSCALE, "band": _BAND, "loinc": _LOINC}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://bridgework.app/schemas/worksheet-definition/{SCHEMA_VERSION}",
        "title": f"Bridgework worksheet definition, schema_version {SCHEMA_VERSION}",
        "description": _DESCRIPTION,
        "type": "object",
        "required": ["schema_version", "sections"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "entry_mode": {"enum": ["single", "multiple"], "default": "single"},
            "entries_target": {
                "type": "integer",
                "minimum": 1,
                "maximum": 31,
                "default": 1,
                "description": "A log's default entries each time it is due (a week's diary: "
                "7); the therapist can change it when assigning.",
            },
            "sections": {
                "type": "array",
                "minItems": 1,
                "maxItems": 50,
                "items": {"$ref": "#/$defs/section"},
            },
            "scoring": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/scoring"}]},
            "instrument": _INSTRUMENT,
        },
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as committed: indented, with a final newline."""
    return json.dumps(definition_schema(), indent=2, ensure_ascii=False) + "\n"


def _field_common() -> JsonSchema:
    return {
        "type": "object",
        "required": ["id", "type", "label"],
        "properties": {
            "id": {"$ref": "#/$defs/id"},
            "type": {"enum": list(FIELD_TYPES)},
            "label": {"type": "string", "minLength": 1, "maxLength": 300},
            "help": {"type": "string", "minLength": 1, "maxLength": 1000},
            "required": {"type": "boolean", "default": False},
            "show_if": {"$ref": "#/$defs/condition", "unevaluatedProperties": False},
            "risk": {"$ref": "#/$defs/risk"},
        },
    }


def _field() -> JsonSchema:
    """A field of any type: the type's own schema, chosen by ``type``."""
    return {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(FIELD_TYPES)}},
        "allOf": [
            {
                "if": {"properties": {"type": {"const": name}}},
                "then": {"$ref": f"#/$defs/{name}"},
            }
            for name in FIELD_TYPES
        ],
    }


_SECTION: Final = {
    "type": "object",
    "required": ["id", "title", "fields"],
    "additionalProperties": False,
    "properties": {
        "id": {"$ref": "#/$defs/id"},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "minLength": 0, "maxLength": 2000},
        "fields": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/field"}},
    },
}
_CONDITION: Final = {
    "type": "object",
    "required": ["field", "op"],
    "properties": {
        "field": {"$ref": "#/$defs/id"},
        "op": {"enum": list(OPS)},
        "value": {
            "description": "Omitted for 'answered'; a list for 'in'; otherwise a value of the "
            "referenced field's type (for gte/lte on a single_choice: an option score)."
        },
    },
}
_RISK: Final = {
    "type": "object",
    "description": "Alert the therapist when the answer reaches a level (at_least: a number, "
    "a point of a rating, a score of a scored single_choice) or is a value (equals: an option "
    "value; for a list, that option is ticked). Which kinds a field takes depends on its type.",
    "additionalProperties": False,
    "properties": {
        "at_least": {"type": "number"},
        "equals": {"type": "string", "minLength": 1, "maxLength": 100},
        "label": {"type": "string", "minLength": 1, "maxLength": 200},
    },
    "oneOf": [{"required": ["at_least"]}, {"required": ["equals"]}],
}
_SCORING: Final = {
    "type": "object",
    "required": ["method", "items", "min_total", "max_total"],
    "additionalProperties": False,
    "properties": {
        "method": {"const": "sum"},
        "items": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"$ref": "#/$defs/id"},
        },
        "min_total": {"type": "number"},
        "max_total": {"type": "number"},
        "bands": {"type": "array", "items": {"$ref": "#/$defs/band"}},
        "critical": {
            "type": "array",
            "items": {
                "$ref": "#/$defs/condition",
                "properties": {"message": {"type": "string", "minLength": 1, "maxLength": 300}},
                "required": ["message"],
                "unevaluatedProperties": False,
            },
        },
        "show_score_to_client": {"type": "boolean", "default": True},
        "loinc": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"panel": {"$ref": "#/$defs/loinc"}, "total": {"$ref": "#/$defs/loinc"}},
        },
        "requires_all_items": {"type": "boolean", "default": True},
        "prorate_max_missing": {"type": "integer", "minimum": 0, "default": 0},
        "subscales": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/subscale"}},
    },
}
_SUBSCALE: Final = {
    "type": "object",
    "description": "A named group of the scoring items with its own total (times 'multiplier') "
    "and bands, e.g. DASS-21's depression, anxiety and stress.",
    "required": ["id", "label", "items"],
    "additionalProperties": False,
    "properties": {
        "id": {"$ref": "#/$defs/id"},
        "label": {"type": "string", "minLength": 1, "maxLength": 100},
        "items": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"$ref": "#/$defs/id"},
        },
        "multiplier": {"type": "number", "exclusiveMinimum": 0, "default": 1},
        "bands": {"type": "array", "items": {"$ref": "#/$defs/band"}},
    },
}
_BAND: Final = {
    "type": "object",
    "required": ["min", "max", "label", "severity"],
    "additionalProperties": False,
    "properties": {
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "label": {"type": "string", "minLength": 1, "maxLength": 100},
        "severity": {"type": "string", "pattern": "^[a-z][a-z_]{0,29}$"},
        "note": {"type": "string", "minLength": 1, "maxLength": 300},
    },
}
_LOINC: Final = {"type": "string", "pattern": "^[0-9]{1,8}-[0-9]$"}

_INSTRUMENT_TEXT: Final = {"type": "string", "minLength": 1, "maxLength": 1000}
_INSTRUMENT: Final = {
    "type": "object",
    "description": "A published instrument (validated: its items, options, scoring and risk "
    "rules are locked in a practice's copy) or what an adapted copy was adapted from.",
    "required": ["validated"],
    "additionalProperties": False,
    "properties": {
        "validated": {"type": "boolean"},
        **dict.fromkeys(
            ("name", "adapted_from", "licence", "citation", "attribution"), _INSTRUMENT_TEXT
        ),
    },
}


if __name__ == "__main__":
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
