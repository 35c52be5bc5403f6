"""Validation of worksheet definitions against docs/worksheet-format.md.

Every problem is reported (not only the first) with the path of the offending key, so a
worksheet editor can mark all of them at once. Cross-field rules (conditions, scoring, bands)
are only checked against fields whose own settings are sound, so one mistake does not cascade
into a list of confusing follow-up errors. The checks of ``scoring`` (items, totals, bands,
critical rules, LOINC codes) are in ``definition_scoring``, mixed into ``DefinitionChecker``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from difflib import get_close_matches
from typing import Any, Final

from .conditions import condition_problem
from .definition_scoring import _CONDITION_KEYS, ScoringChecks, _type_of
from .fields import COMMON_KEYS, ID_PATTERN, SCHEMA_VERSION, FieldDef, is_number
from .issues import Issue, index_path, key_path, quote
from .types import COLUMN_TYPES, FIELD_TYPES, field_type
from .types.base import OPS, RISK_KINDS

_TOP_KEYS: Final = frozenset(
    {"schema_version", "entry_mode", "sections", "scoring"}
    | {"entries_target"}  # a log's default number of entries each time it is due
    | {"instrument"}  # which published instrument this is (or was adapted from), and its credit
)
_INSTRUMENT_KEYS: Final = frozenset(
    {"validated", "name", "adapted_from", "licence", "citation", "attribution"}
)
_INSTRUMENT_TEXT_MAX: Final = 1000
_SECTION_KEYS: Final = frozenset({"id", "title", "description", "fields"})
_OPTION_KEYS: Final = frozenset({"value", "label", "score"})
_MAX_SECTIONS: Final = 50
_RISK_LABEL_LIMIT: Final = 200


def validate_definition(doc: Any) -> list[Issue]:
    """All problems of a worksheet definition; an empty list means it is valid."""
    checker = DefinitionChecker()
    checker.check_document(doc)
    return checker.issues


class DefinitionChecker(ScoringChecks):
    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.all_field_ids: set[str] = set()
        self.field_paths: dict[str, str] = {}
        self.section_paths: dict[str, str] = {}
        # Fields (in worksheet order) whose own settings are valid: only these are safe to
        # evaluate conditions and scoring against.
        self.sound_fields: dict[str, FieldDef] = {}
        self.fields: dict[str, FieldDef] = {}

    def add(self, path: str, message: str) -> None:
        self.issues.append(Issue(path, message))

    # -- the document -----------------------------------------------------------------------

    def check_document(self, doc: Any) -> None:
        if not isinstance(doc, Mapping):
            self.add("", "A worksheet definition must be a JSON object.")
            return
        self.keys(doc, "", _TOP_KEYS, ("schema_version", "sections"), "a worksheet")
        version = doc.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION or isinstance(version, bool):
            self.add(
                "schema_version",
                f"Unsupported schema_version {quote(version)}; this server reads version "
                f"{SCHEMA_VERSION}.",
            )
        if doc.get("entry_mode", "single") not in ("single", "multiple"):
            self.add("entry_mode", "'entry_mode' must be 'single' or 'multiple'.")
        if "entries_target" in doc:
            self.check_entries_target(doc)
        sections = doc.get("sections")
        if "sections" in doc:
            if not isinstance(sections, list) or not sections:
                self.add("sections", "A worksheet needs a non-empty list of sections.")
            else:
                self.check_sections(sections)
        scoring = doc.get("scoring")
        if scoring is not None:
            self.check_scoring(scoring, "scoring")
        if "instrument" in doc:
            self.check_instrument(doc["instrument"], "instrument")

    def check_entries_target(self, doc: Mapping) -> None:
        """A log's default entries each time (a week's sleep diary: 7): a whole number from
        1 to 31, above 1 only for a worksheet that takes several entries."""
        target = doc["entries_target"]
        if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= 31:
            self.add("entries_target", "'entries_target' must be a whole number from 1 to 31.")
        elif target > 1 and doc.get("entry_mode") != "multiple":
            self.add(
                "entries_target",
                "'entries_target' above 1 needs 'entry_mode': 'multiple'.",
            )

    def check_instrument(self, instrument: Any, path: str) -> None:
        """A validated instrument names itself and carries its credit; an adapted copy says
        what it was adapted from instead (and is never itself validated)."""
        if not isinstance(instrument, Mapping):
            self.add(path, "'instrument' must be an object.")
            return
        self.keys(instrument, path, _INSTRUMENT_KEYS, ("validated",), "instrument")
        if not isinstance(instrument.get("validated", False), bool):
            self.add(key_path(path, "validated"), "'validated' must be true or false.")
        for key in _INSTRUMENT_KEYS - {"validated"}:
            value = instrument.get(key)
            if key in instrument and not (
                isinstance(value, str) and 0 < len(value.strip()) <= _INSTRUMENT_TEXT_MAX
            ):
                self.add(
                    key_path(path, key),
                    f"'{key}' must be text of 1 to {_INSTRUMENT_TEXT_MAX} characters.",
                )
        if instrument.get("validated") is True:
            for key in ("name", "attribution"):
                if key not in instrument:
                    self.add(key_path(path, key), f"A validated instrument needs '{key}'.")
            if "adapted_from" in instrument:
                self.add(
                    key_path(path, "adapted_from"),
                    "An adapted copy is not the validated instrument: set 'validated' to false.",
                )

    def check_sections(self, sections: list[Any]) -> None:
        if len(sections) > _MAX_SECTIONS:
            self.add("sections", f"A worksheet can have at most {_MAX_SECTIONS} sections.")
        self.all_field_ids = {
            field["id"]
            for section in sections
            if isinstance(section, Mapping) and isinstance(section.get("fields"), list)
            for field in section["fields"]
            if isinstance(field, Mapping) and isinstance(field.get("id"), str)
        }
        for index, section in enumerate(sections):
            self.check_section(section, index_path("sections", index))

    def check_section(self, section: Any, path: str) -> None:
        if not isinstance(section, Mapping):
            self.add(path, "Each section must be an object.")
            return
        self.keys(section, path, _SECTION_KEYS, ("id", "title", "fields"), "a section")
        self.identifier(section, path, self.section_paths, "Section ids")
        self.text(section, "title", path, limit=200)
        self.text(section, "description", path, limit=2000, allow_blank=True)
        fields = section.get("fields")
        if "fields" not in section:
            return
        if not isinstance(fields, list) or not fields:
            self.add(key_path(path, "fields"), "A section needs a non-empty list of fields.")
            return
        for index, field in enumerate(fields):
            self.check_field(field, index_path(key_path(path, "fields"), index))

    # -- fields -----------------------------------------------------------------------------

    def check_field(self, field: Any, path: str) -> None:
        if not isinstance(field, Mapping):
            self.add(path, "Each field must be an object.")
            return
        before = len(self.issues)
        known = self.field_common(field, path, FIELD_TYPES, self.field_paths)
        if known is not None and not field_type(known).answerable and field.get("required") is True:
            self.add(
                key_path(path, "required"),
                "Instructions and media are never answered, so they cannot be required.",
            )
        sound = len(self.issues) == before
        if "show_if" in field:
            self.check_show_if(field, key_path(path, "show_if"))
        if "risk" in field:
            self.check_risk(field, key_path(path, "risk"), sound=sound)
        field_id = field.get("id")
        if isinstance(field_id, str) and field_id not in self.fields:
            self.fields[field_id] = field
            if sound:
                self.sound_fields[field_id] = field

    def check_column(self, column: Any, path: str, seen: dict[str, str]) -> None:
        """One column of a table (the table type calls this for each)."""
        if not isinstance(column, Mapping):
            self.add(path, "Each column must be an object.")
            return
        if "show_if" in column:
            self.add(
                key_path(path, "show_if"),
                "Table columns cannot have show_if; put the condition on the table.",
            )
        if "risk" in column:
            self.add(
                key_path(path, "risk"),
                "Table columns cannot carry a risk rule; ask the question as a field of its own.",
            )
        self.field_common(column, path, COLUMN_TYPES, seen)

    def field_common(
        self, field: Mapping[str, Any], path: str, types: Collection[str], seen: dict[str, str]
    ) -> str | None:
        """Checks shared by fields and table columns; returns the type when it is usable."""
        type_name = field.get("type")
        known = isinstance(type_name, str) and type_name in types
        if "type" not in field:
            self.add(key_path(path, "type"), "'type' is required.")
        elif not known:
            self.add(key_path(path, "type"), _unknown_type_message(type_name, types))
        if known:
            kind = field_type(field["type"])
            allowed = COMMON_KEYS | kind.keys
            required = ("id", "type", "label", *kind.required_keys)
            self.keys(field, path, allowed, required, f"a {kind.name} field")
        self.identifier(field, path, seen, "Field ids" if types is FIELD_TYPES else "Column ids")
        self.text(field, "label", path, limit=300)
        self.text(field, "help", path, limit=1000)
        self.boolean(field, "required", path)
        if known:
            kind.check(self, field, path)
            return kind.name
        return None

    # -- conditions -------------------------------------------------------------------------

    def check_show_if(self, field: FieldDef, path: str) -> None:
        condition = field["show_if"]
        if not self.condition_shape(condition, path, _CONDITION_KEYS, "show_if"):
            return
        target = condition["field"]
        if target == field.get("id"):
            self.add(key_path(path, "field"), "A field cannot depend on itself.")
        elif target not in self.all_field_ids:
            self.add(
                key_path(path, "field"),
                f"show_if refers to '{target}', which is not a field of this worksheet.",
            )
        elif target not in self.fields:
            self.add(
                key_path(path, "field"),
                f"show_if refers to '{target}', which comes later; a field can only depend on "
                "an earlier one.",
            )
        else:
            self.condition_fits(condition, path)

    def condition_shape(
        self, condition: Any, path: str, allowed: frozenset[str], what: str
    ) -> bool:
        """Structure of a condition; True when ``field`` and ``op`` can be relied on."""
        if not isinstance(condition, Mapping):
            self.add(path, f"'{what}' must be an object with 'field', 'op' and 'value'.")
            return False
        self.keys(condition, path, allowed, ("field", "op"), what)
        usable = isinstance(condition.get("field"), str)
        if "field" in condition and not usable:
            self.add(key_path(path, "field"), "'field' must be a field id.")
        op = condition.get("op")
        if "op" in condition and op not in OPS:
            self.add(key_path(path, "op"), f"Unknown op {quote(op)}; use one of {', '.join(OPS)}.")
        return usable and op in OPS

    def condition_fits(self, condition: Mapping[str, Any], path: str) -> None:
        target = self.fields[condition["field"]]
        if _type_of(target) in FIELD_TYPES and not field_type(target["type"]).answerable:
            self.add(
                key_path(path, "field"),
                f"'{condition['field']}' is a {target['type']} field, which is never answered.",
            )
        elif condition["field"] in self.sound_fields:
            problem = condition_problem(target, condition)
            if problem:
                key, message = problem
                self.add(key_path(path, key), message)

    # -- risk rules -------------------------------------------------------------------------

    def check_risk(self, field: FieldDef, path: str, *, sound: bool) -> None:
        """A field's ``risk``: one of ``at_least``/``equals`` (as its type allows) with a
        value its answers can reach, and an optional ``label``. The value is only checked
        against a field whose own settings are sound."""
        rule = field["risk"]
        if not isinstance(rule, Mapping):
            self.add(
                path, """'risk' must be an object such as {"at_least": 1} or {"equals": "yes"}."""
            )
            return
        self.keys(rule, path, (*RISK_KINDS, "label"), (), "a risk rule")
        self.text(rule, "label", path, limit=_RISK_LABEL_LIMIT)
        kinds = [kind for kind in RISK_KINDS if kind in rule]
        if not kinds:
            self.add(path, "A risk rule needs 'at_least' (a level) or 'equals' (a value).")
            return
        if len(kinds) > 1:
            self.add(key_path(path, kinds[1]), "Use either 'at_least' or 'equals', not both.")
            return
        kind, value_path = kinds[0], key_path(path, kinds[0])
        if not sound:
            return
        field_type_ = field_type(field["type"])
        supported = field_type_.risk_kinds(field)
        if kind not in supported:
            self.add(value_path, _risk_kind_message(field, kind, supported))
            return
        value = rule[kind]
        if kind == "at_least":
            problem = (
                field_type_.threshold_problem(field, value)
                or field_type_.unreachable_problem(field, "gte", value)
                or field_type_.risk_everyone_problem(field, kind, value)
            )
        else:
            problem = field_type_.value_problem(field, value)
        if problem:
            self.add(value_path, problem)

    # -- primitives -------------------------------------------------------------------------

    def keys(
        self,
        obj: Mapping[str, Any],
        path: str,
        allowed: Collection[str],
        required: Collection[str],
        what: str,
    ) -> None:
        for key in obj:
            if key not in allowed:
                close = get_close_matches(str(key), list(allowed), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                self.add(key_path(path, str(key)), f"Unknown key '{key}' in {what}.{hint}")
        for key in required:
            if key not in obj:
                self.add(key_path(path, key), f"'{key}' is required.")

    def identifier(
        self, obj: Mapping[str, Any], path: str, seen: dict[str, str], kind: str
    ) -> None:
        if "id" not in obj:
            return
        value, id_path = obj["id"], key_path(path, "id")
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            self.add(
                id_path,
                f"{quote(value)} is not a valid id: use 1–50 lowercase letters, digits and "
                "underscores, starting with a letter.",
            )
        elif value in seen:
            self.add(id_path, f"{kind} must be unique: '{value}' is also used at {seen[value]}.")
        else:
            seen[value] = path

    def text(
        self, obj: Mapping[str, Any], key: str, path: str, *, limit: int, allow_blank: bool = False
    ) -> str | None:
        if key not in obj:
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.add(key_path(path, key), f"'{key}' must be text.")
        elif not allow_blank and not value.strip():
            self.add(key_path(path, key), f"'{key}' must not be blank.")
        elif len(value) > limit:
            self.add(
                key_path(path, key),
                f"'{key}' is {len(value)} characters long; the limit is {limit}.",
            )
        else:
            return value
        return None

    def whole(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        low: int | None = None,
        high: int | None = None,
    ) -> int | None:
        if key not in obj:
            return None
        value = obj[key]
        fits = isinstance(value, int) and not isinstance(value, bool)
        if fits and (low is None or value >= low) and (high is None or value <= high):
            return value
        if low is not None and high is not None:
            bounds = f" from {low} to {high}"
        elif low is not None:
            bounds = f" of at least {low}"
        else:
            bounds = ""
        self.add(key_path(path, key), f"'{key}' must be a whole number{bounds}.")
        return None

    def number(self, obj: Mapping[str, Any], key: str, path: str) -> int | float | None:
        if key not in obj:
            return None
        value = obj[key]
        if is_number(value) and math.isfinite(value):
            return value
        self.add(key_path(path, key), f"'{key}' must be a number.")
        return None

    def boolean(self, obj: Mapping[str, Any], key: str, path: str) -> None:
        if key in obj and not isinstance(obj[key], bool):
            self.add(key_path(path, key), f"'{key}' must be true or false.")


def _unknown_type_message(field_type: Any, types: Collection[str]) -> str:
    if types is FIELD_TYPES:
        return f"Unknown field type {quote(field_type)}; use one of {', '.join(types)}."
    return f"A table column cannot be of type {quote(field_type)}; use one of {', '.join(types)}."


def _risk_kind_message(field: FieldDef, kind: str, supported: tuple[str, ...]) -> str:
    what = f"'{field['id']}' (a {field['type']} field)"
    if not supported:
        return (
            f"{what} cannot carry a risk rule: only numbers, ratings, durations and choices "
            "have a level or an option to alert on."
        )
    hint = field_type(field["type"]).condition_hint if kind == "at_least" else ""
    return f"'{kind}' cannot be used on {what}; use {' or '.join(supported)}{hint}."
