"""The worksheet engine: definitions, responses, scoring, Markdown and FHIR.

Field types are a registry (``worksheets.types``): one module per type holds everything about
it. Rendering (``render``) and form parsing (``forms``) need Django templates and request
data and live in their own modules.
"""

from .definition import validate_definition
from .fhir.export import to_questionnaire
from .fhir.importer import FhirImportError, ImportResult, from_questionnaire
from .fhir.response import answers_from_items, check_response_resource, questionnaire_response
from .fields import field_by_id, fields_by_id, iter_fields, iter_sections
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
from .risk import CriticalAnswer, RiskRule, risk_answers, risk_rules
from .scoring import Band, ScoreResult, SubscaleScore, score_response
from .types import COLUMN_TYPES, FIELD_TYPES, is_answerable

__all__ = [
    "COLUMN_TYPES",
    "FIELD_TYPES",
    "Band",
    "CriticalAnswer",
    "FhirImportError",
    "ImportResult",
    "InvalidResponse",
    "Issue",
    "RiskRule",
    "ScoreResult",
    "SubscaleScore",
    "answers_from_items",
    "check_response_resource",
    "clean_response",
    "field_by_id",
    "fields_by_id",
    "from_questionnaire",
    "is_answerable",
    "iter_fields",
    "iter_sections",
    "load_measure",
    "questionnaire_response",
    "render_markdown",
    "risk_answers",
    "risk_rules",
    "score_response",
    "to_questionnaire",
    "validate_definition",
    "validate_draft",
    "validate_response",
    "visible_field_ids",
]
