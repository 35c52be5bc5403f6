"""The worksheet engine: definitions, responses, scoring, Markdown and FHIR, in pure Python.

Rendering (``render``) and form parsing (``forms``) need Django and live in their own modules.
"""

from .definition import validate_definition
from .fhir import FhirImportError, ImportResult, from_questionnaire, to_questionnaire
from .fields import (
    COLUMN_TYPES,
    FIELD_TYPES,
    field_by_id,
    fields_by_id,
    is_answerable,
    iter_fields,
    iter_sections,
)
from .issues import Issue
from .markdown import render_markdown
from .measures import load_measure
from .response import (
    InvalidResponse,
    clean_response,
    validate_draft,
    validate_response,
    visible_field_ids,
)
from .scoring import Band, Flag, ScoreResult, score_response

__all__ = [
    "COLUMN_TYPES",
    "FIELD_TYPES",
    "Band",
    "FhirImportError",
    "Flag",
    "ImportResult",
    "InvalidResponse",
    "Issue",
    "ScoreResult",
    "clean_response",
    "field_by_id",
    "fields_by_id",
    "from_questionnaire",
    "is_answerable",
    "iter_fields",
    "iter_sections",
    "load_measure",
    "render_markdown",
    "score_response",
    "to_questionnaire",
    "validate_definition",
    "validate_draft",
    "validate_response",
    "visible_field_ids",
]
