"""Junk anywhere in a definition, an answer or a Questionnaire is reported, never a crash:
definitions come from an editor and from imports, answers from the network."""

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from worksheets import (
    FhirImportError,
    clean_response,
    from_questionnaire,
    load_measure,
    score_response,
    to_questionnaire,
    validate_definition,
    validate_draft,
    validate_response,
    visible_field_ids,
)

from .examples import every_field_type, thought_record, valid_answers

JUNK = [None, [], {}, "", "x", -1, 1.5, True, [{}], "2025-01-01"]


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def _at(document: Any, path: tuple) -> Any:
    for key in path:
        document = document[key]
    return document


def replaced(document: Any, path: tuple, junk: Any) -> Any:
    copied = copy.deepcopy(document)
    target = copied
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = junk
    return copied


@pytest.mark.parametrize(
    "definition",
    [every_field_type(), thought_record(), load_measure("phq9")],
    ids=["every-field-type", "thought-record", "phq9"],
)
def test_junk_in_a_definition_is_reported_or_harmless(definition):
    for path in paths(definition):
        for junk in JUNK:
            broken = replaced(definition, path, junk)
            if validate_definition(broken) == []:
                # Accepted junk (e.g. another valid label) must work everywhere downstream.
                validate_response(broken, valid_answers())
                score_response(broken, {})
                to_questionnaire(
                    broken, title="T", url="https://x.example", version="1", status="draft"
                )


def test_junk_answers_are_reported():
    definition = every_field_type()
    for field_id in valid_answers():
        for junk in [*JUNK, [None], [[]], [{"thought": {}}], [{"emotion": [], "intensity": {}}]]:
            answers = valid_answers() | {field_id: junk}
            validate_draft(definition, answers)
            visible_field_ids(definition, answers)
            if validate_response(definition, answers) == []:
                assert validate_response(definition, clean_response(definition, answers)) == []


def test_junk_scoring_answers_count_as_missing():
    for junk in JUNK:
        result = score_response(load_measure("phq9"), {"q1": junk, "q9": junk})
        assert result.total is None


def test_junk_in_a_questionnaire_is_refused_or_imported_validly():
    """Leaf values that steer the mapping (structural junk is refused by the FHIR model
    before mapping, and each check parses a whole Questionnaire, so the full cross product
    would be slow)."""
    resource = to_questionnaire(
        every_field_type(), title="T", url="https://x.example", version="1", status="draft"
    )
    prose = {"text", "display", "prefix", "valueMarkdown", "url", "system"}
    leaves = [
        path
        for path in paths(resource)
        if not isinstance(_at(resource, path), dict | list) and path[-1] not in prose
    ]
    for path in leaves:
        for junk in (None, "x", -1, True):
            try:
                result = from_questionnaire(replaced(resource, path, junk))
            except FhirImportError:
                continue
            assert validate_definition(result.definition) == []
