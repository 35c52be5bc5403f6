"""The registry of field types: one module per type, registered here in the order the form
builder offers them (and error messages list them).

Adding a type: write its module (a :class:`FieldType` subclass), its template
``templates/worksheets/fields/_<type>.html`` and its tests, register it below, and regenerate
``worksheets/definition.schema.json`` (``python -m worksheets.schema``).
"""

from __future__ import annotations

from typing import Final

from ..fields import FieldDef
from .answer_file import Audio, Photo
from .base import FieldType, field_type, register, registered
from .checklist import Checklist
from .commitment import Commitment
from .date import Date
from .duration import Duration
from .emotions import Emotions
from .instructions import Instructions
from .long_text import LongText
from .media import Media
from .multiple_choice import MultipleChoice
from .number import Number
from .rating import Rating
from .short_text import ShortText
from .single_choice import SingleChoice
from .table import Table
from .time import Time

register(
    ShortText(),
    LongText(),
    Number(),
    Rating(),
    SingleChoice(),
    MultipleChoice(),
    Checklist(),
    Date(),
    Time(),
    Duration(),
    Table(),
    Emotions(),
    Audio(),
    Photo(),
    Instructions(),
    Media(),
    Commitment(),
)

FIELD_TYPES: Final = tuple(t.name for t in registered())
COLUMN_TYPES: Final = tuple(t.name for t in registered() if t.column)


def type_of(field: FieldDef) -> FieldType:
    """The type of a field of a valid definition."""
    return field_type(field["type"])


def is_answerable(field: FieldDef) -> bool:
    """Instructions and media are shown but never answered."""
    known = field_type(field["type"]) if field.get("type") in FIELD_TYPES else None
    return known is None or known.answerable


__all__ = [
    "COLUMN_TYPES",
    "FIELD_TYPES",
    "FieldType",
    "field_type",
    "is_answerable",
    "registered",
    "type_of",
]
