"""What a field type is: everything the engine needs to know about one type, in one class.

Each type module defines a subclass and the registry (``worksheets.types``) holds one
instance per type. The engine modules (definition and response validation, conditions,
scoring, rendering, form parsing, FHIR, the JSON Schema and the form builder) ask the type
instead of switching on its name, so a new type is its own module, its template
``templates/worksheets/fields/_<type>.html`` and its tests.

The defaults here suit a type that takes a single scalar answer; display-only and composite
types override what differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Final, Protocol

from django import forms

from ..fields import FieldDef, is_number
from ..issues import quote

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..fhir.response import ResponseReader
    from ..render import ViewBuilder
    from ..response import AnswerCleaner

View = dict[str, Any]
"""The template context of one rendered field (see ``render.ViewBuilder.view``)."""

Path = tuple[str | int, ...]
"""An element's answer path, e.g. ``("thoughts", 0, "belief")``."""

JsonSchema = dict[str, Any]

SKIP: Final = object()
"""Returned by :meth:`FieldType.clean` when there is nothing to keep (blank or invalid)."""

ROW_PLACEHOLDER: Final = "__row__"
"""Row index in the ``<template data-row-template>`` the page's script copies to add rows."""

PRINT_MIN_ROWS: Final = 5
"""Empty rows on a blank printout of a table or an emotion list, room to write by hand."""

OPS: Final = ("equals", "not_equals", "in", "gte", "lte", "answered")
EQUALITY_OPS: Final = ("equals", "not_equals", "in", "answered")

RISK_KINDS: Final = {"at_least": "gte", "equals": "equals"}
"""The kinds of risk rule (a field's ``risk``) and the condition operator each one is: "the
answer reaches this level" and "the answer is (or, for a list, includes) this value"."""


class FieldType:
    """One field type of the worksheet format. Subclasses set the class attributes and
    override the hooks their type needs."""

    name: ClassVar[str]
    """The ``type`` written in a definition."""

    # -- the definition -------------------------------------------------------------------
    keys: ClassVar[frozenset[str]] = frozenset()
    """Keys a field of this type may have besides the common ones."""
    required_keys: ClassVar[tuple[str, ...]] = ()
    defaults: ClassVar[Mapping[str, Any]] = {}
    """The format's documented defaults for keys a field may leave out."""
    answerable: ClassVar[bool] = True
    """False for what is shown but never answered (instructions, media)."""
    column: ClassVar[bool] = False
    """Whether a table may have a column of this type."""

    # -- conditions -----------------------------------------------------------------------
    condition_hint: ClassVar[str] = ""
    """Added to the message that an operator cannot be used on this type."""

    # -- answers --------------------------------------------------------------------------
    required_message: ClassVar[str] = "This field is required."
    scorable: ClassVar[bool] = False
    """Whether a measure may list the field as a scoring item."""

    # -- rendering ------------------------------------------------------------------------
    grouped: ClassVar[bool] = False
    """Rendered as a ``<fieldset>`` with a ``<legend>`` (several inputs) instead of one
    ``<label>``ed input."""

    # -- the form builder -----------------------------------------------------------------
    label: ClassVar[str]
    """How the builder names the type when a therapist adds a question."""
    id_stem: ClassVar[str | None] = None
    """What a new field's id starts with (the type's name when None)."""
    new_field: ClassVar[Mapping[str, Any]] = {"label": "New question"}
    """The settings of a field just added in the builder; valid as they are."""
    builder_fields: ClassVar[Mapping[str, forms.Field]] = {}
    """The builder's inputs for this type's settings, by input name (copied per form)."""
    builder_keys: ClassVar[Mapping[str, str]] = {}
    """The definition key an input writes, where it differs from the input's name."""

    # -- FHIR import ----------------------------------------------------------------------
    fhir_fallback: ClassVar[bool] = False
    """Whether this type takes FHIR items only no more specific type claims (a plain
    ``integer`` is a number unless it is a slider or counts minutes)."""

    @property
    def template(self) -> str:
        return f"worksheets/fields/_{self.name}.html"

    def setting(self, field: FieldDef, key: str) -> Any:
        """A field's value for ``key``, falling back to the format's documented default."""
        if key in field:
            return field[key]
        return self.defaults.get(key)

    # -- definition validation --------------------------------------------------------------

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        """Report problems with the type's own settings (the common keys are checked by the
        caller)."""

    def schema(self) -> JsonSchema:
        """The JSON Schema of the type's own keys: ``properties`` and any other keywords
        (``required``, ``oneOf``) that apply to a field of this type."""
        return {}

    def schema_defs(self) -> dict[str, JsonSchema]:
        """Shared ``$defs`` the type's schema refers to (e.g. ``options``)."""
        return {}

    # -- answers -------------------------------------------------------------------------------

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        """The answer to store for a non-blank ``value``; problems go to ``cleaner.add``.
        Return :data:`SKIP` when nothing can be kept."""
        raise NotImplementedError(f"{self.name} fields take no answer.")

    def parse(self, field: FieldDef, data: FormData, name: str) -> Any:
        """The answer from a POSTed form whose input for this field is ``name``."""
        return None

    # -- conditions ----------------------------------------------------------------------------

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        """The operators that make sense on answers of ``field``."""
        return ()

    def value_problem(self, field: FieldDef, value: Any) -> str | None:
        """Why ``value`` could never equal an answer of ``field``, or None."""
        return self.threshold_problem(field, value)

    def threshold_problem(self, field: FieldDef, value: Any) -> str | None:
        """Why ``value`` cannot be compared (``gte``/``lte``) with answers of ``field``."""
        return None if is_number(value) else f"{quote(value)} is not a number."

    def unreachable_problem(self, field: FieldDef, op: str, value: Any) -> str | None:
        """Why a ``gte``/``lte`` threshold could never be met, or None."""
        return None

    def holds(self, field: FieldDef, op: str, value: Any, answer: Any) -> bool:
        """Whether a non-blank ``answer`` satisfies ``op value`` (``answered`` is decided by
        the caller)."""
        if op in ("gte", "lte"):
            subject = self.ordered_subject(field, answer)
            if subject is None:
                return False
            return bool(subject >= value if op == "gte" else subject <= value)
        if op == "equals":
            return bool(answer == value)
        if op == "not_equals":
            return bool(answer != value)
        return answer in value

    def ordered_subject(self, field: FieldDef, answer: Any) -> Any:
        """What ``gte``/``lte`` compare for ``answer``."""
        return answer

    def equality_condition(
        self, field: FieldDef, condition: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """``condition`` written with equality only, for where nothing else exists (the
        page's script, words on paper, FHIR ``enableWhen`` on codings)."""
        return condition

    # -- risk rules ------------------------------------------------------------------------

    def risk_kinds(self, field: FieldDef) -> tuple[str, ...]:
        """The kinds of risk rule (keys of :data:`RISK_KINDS`) a field of this type can
        carry; none for types whose answers have no level or value to alert on."""
        return ()

    def risk_holds(self, field: FieldDef, kind: str, value: Any, answer: Any) -> bool:
        """Whether a non-blank ``answer`` meets the rule ``kind value``."""
        return self.holds(field, RISK_KINDS[kind], value, answer)

    def risk_level(self, field: FieldDef, answer: Any) -> int | float | None:
        """The level an answer endorses (a rating's point, a scored option's score), so a
        flag can say how much; None when the answer has no level."""
        subject = self.ordered_subject(field, answer)
        return subject if is_number(subject) else None

    def risk_everyone_problem(self, field: FieldDef, kind: str, value: Any) -> str | None:
        """Why a sound rule would alert on every answer (and so on none usefully), or
        None."""
        return None

    # -- scoring ---------------------------------------------------------------------------

    def score_problem(self, field: FieldDef) -> str | None:
        """Why a sound field of a scorable type cannot be a scoring item, or None."""
        return None

    def score_range(self, field: FieldDef) -> tuple[int | float, int | float] | None:
        """Lowest and highest score the field can give, when its definition bounds it."""
        if "min" in field and "max" in field:
            return field["min"], field["max"]
        return None

    def item_score(self, field: FieldDef, answer: Any) -> int | float | None:
        """The score of an answer to a scoring item; None when it does not count."""
        return answer if is_number(answer) else None

    # -- rendering ---------------------------------------------------------------------------

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        """Add what the type's template needs to the common ``view``."""

    def display(self, field: FieldDef, value: Any) -> Any:
        """A non-blank answer as the read-only view and a filled-in printout show it: text,
        or a list of lines. Invalid answers are shown as they are."""
        return self.value_text(field, value)

    def value_text(self, field: FieldDef, value: Any) -> str:
        """One value in words (an option's label, a readable date)."""
        return str(value)

    # -- FHIR --------------------------------------------------------------------------------

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        """Fill in the Questionnaire ``item`` (``linkId``, ``text`` and ``required`` are
        set)."""
        raise NotImplementedError

    def fhir_answer(self, field: FieldDef, value: Any) -> dict[str, Any]:
        """An ``enableWhen`` answer comparing with ``value``."""
        if float(value).is_integer():
            return {"answerInteger": int(value)}
        return {"answerDecimal": value}

    def integer_valued(self, field: FieldDef) -> bool:
        """Whether every valid answer is a whole number (FHIR ``integer``)."""
        return False

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        """Whether this type imports the Questionnaire ``item``."""
        return False

    def from_fhir(
        self, importer: Importer, item: Mapping[str, Any], field_id: str
    ) -> dict[str, Any] | None:
        """A field for a claimed ``item``, or None (reported) when it cannot be one."""
        field: dict[str, Any] = {"id": field_id, "type": self.name, "label": importer.label(item)}
        if not self.fhir_settings(importer, item, field):
            return None
        importer.common_settings(item, field)
        return field

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        """Fill in the type's settings from ``item``; False (reported) to drop the item."""
        return True

    # -- FHIR QuestionnaireResponse -----------------------------------------------------------

    def fhir_response_items(
        self, field: FieldDef, link_id: str, value: Any
    ) -> list[dict[str, Any]]:
        """The QuestionnaireResponse items answering ``field`` with a stored, non-blank
        ``value``: one item, or one per row for a repeating group."""
        return [
            {"linkId": link_id, "text": field["label"], "answer": self.fhir_values(field, value)}
        ]

    def fhir_values(self, field: FieldDef, value: Any) -> list[dict[str, Any]]:
        """The item's ``answer`` list (each a ``value[x]``); by default the enableWhen answer
        of ``fhir_answer`` under its QuestionnaireResponse name."""
        return [response_value(self.fhir_answer(field, value))]

    def from_fhir_response(
        self, reader: ResponseReader, field: FieldDef, items: list[Mapping[str, Any]], path: str
    ) -> Any:
        """The answer (as a client would send it, not yet validated) from the response items
        with this field's linkId; :data:`SKIP` when there is none. Problems of shape go to
        ``reader.add``; the answer's own checks are the engine's (``clean_response``)."""
        if len(items) > 1:
            reader.add(path, "This question appears more than once; answer it once.")
            return SKIP
        values = reader.values(items[0])
        if not values:
            return SKIP
        if len(values) > 1:
            reader.add(path, "This question takes one answer.")
            return SKIP
        return values[0]

    # -- the form builder --------------------------------------------------------------------

    def builder_condition_value(self, field: FieldDef, text: str) -> Any:
        """A condition value typed in the builder, as the type of this field's answers."""
        return text

    def builder_initial(self, field: FieldDef) -> dict[str, Any]:
        """The builder's inputs for the type's settings of ``field``."""
        initial = {}
        for name, input_field in self.builder_fields.items():
            key = self.builder_keys.get(name, name)
            if key in field:
                initial[name] = (
                    input_field.definition_text(field[key])
                    if isinstance(input_field, DefinitionInput)
                    else field[key]
                )
        return initial

    def builder_settings(
        self, data: Mapping[str, Any], *, field: FieldDef, upload: str | None
    ) -> dict[str, Any]:
        """The type's settings from the builder's cleaned ``data``; ``field`` is the field
        as it was, ``upload`` the id of a file just uploaded for it."""
        settings = {}
        for name in self.builder_fields:
            value = data.get(name)
            if value not in (None, "", [], {}):
                settings[self.builder_keys.get(name, name)] = value
        return settings


_REGISTRY: dict[str, FieldType] = {}


def register(*types: FieldType) -> None:
    """Add field types to the registry, in the order the builder offers them."""
    for field_type in types:
        _REGISTRY[field_type.name] = field_type


def field_type(name: str) -> FieldType:
    """The registered type called ``name``; KeyError for an unknown one."""
    return _REGISTRY[name]


def registered() -> tuple[FieldType, ...]:
    return tuple(_REGISTRY.values())


def floor_problem(kind: str, value: Any, lowest: int | float | None) -> str | None:
    """An ``at_least`` rule at or below the lowest possible answer alerts on every answer."""
    if kind == "at_least" and lowest is not None and is_number(value) and value <= lowest:
        return (
            f"Every answer is at least {lowest}, so this would alert on every answer; "
            "choose a higher level."
        )
    return None


def text_problem(value: Any, limit: int) -> str | None:
    """Why ``value`` is not acceptable text of at most ``limit`` characters, or None."""
    if not isinstance(value, str):
        return "Enter text."
    if len(value) > limit:
        return f"Use at most {limit} characters (this has {len(value)})."
    if "\x00" in value:
        # PostgreSQL cannot store NUL in text or jsonb; refuse it here, with a path.
        return "This text contains a character that cannot be saved."
    return None


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def within(field: FieldDef, value: int | float) -> bool:
    """Whether ``value`` lies within the field's ``min``..``max`` (either may be absent)."""
    low, high = field.get("min"), field.get("max")
    return (low is None or Decimal(str(value)) >= Decimal(str(low))) and (
        high is None or Decimal(str(value)) <= Decimal(str(high))
    )


class FormData(Protocol):
    """What a Django ``QueryDict`` offers and form parsing uses."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...

    def __iter__(self) -> Iterator[str]: ...


_WHOLE: Final = re.compile(r"[+-]?\d+")


def stripped(data: FormData, name: str) -> str | None:
    """An input's text without surrounding spaces; None when it is empty."""
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def whole_value(text: str | None) -> Any:
    """``"7"`` → 7; anything else stays as typed, for validation to report."""
    return int(text) if text is not None and _WHOLE.fullmatch(text) else text


def row_indexes(data: FormData, name: str) -> list[int]:
    """Row numbers present in the form, in order; rows may have gaps after the client (or
    the page's script) removed one."""
    pattern = re.compile(rf"{re.escape(name)}\.(\d+)\.")
    found = {int(match[1]) for key in data if (match := pattern.match(key))}
    return sorted(found)


class DefinitionInput:
    """A builder input whose text differs from the definition's value (a list typed one
    per line, JSON, a date): ``definition_text`` is what the input shows, and its
    ``clean`` returns the definition's value."""

    def definition_text(self, value: Any) -> Any:
        raise NotImplementedError


def response_value(answer: Mapping[str, Any]) -> dict[str, Any]:
    """An enableWhen ``answer[x]`` as a QuestionnaireResponse ``value[x]``."""
    return {"value" + key.removeprefix("answer"): value for key, value in answer.items()}
