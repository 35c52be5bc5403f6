"""The JSON Schema documents the same format the Python validator enforces, and the committed
file is what the field types generate."""

import json

import pytest

from worksheets import COLUMN_TYPES, FIELD_TYPES, load_measure, validate_definition
from worksheets.schema import SCHEMA_PATH, schema_text

from .examples import every_field_type, field_of, thought_record, worksheet


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_the_committed_schema_is_the_generated_one():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "worksheets/definition.schema.json is out of date: run python -m worksheets.schema"
    )


def test_schema_is_draft_2020_12(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_lists_every_field_type(schema):
    defs = schema["$defs"]
    assert defs["field_common"]["properties"]["type"]["enum"] == list(FIELD_TYPES)
    assert defs["column"]["properties"]["type"]["enum"] == list(COLUMN_TYPES)
    for field_type in FIELD_TYPES:
        assert defs[field_type]["properties"]["type"] == {"const": field_type}


EXAMPLES = {
    "every-field-type": every_field_type(),
    "thought-record": thought_record(),
    "phq9": load_measure("phq9"),
    "gad7": load_measure("gad7"),
}


@pytest.mark.parametrize("definition", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_examples_validate_against_the_schema(schema, definition):
    jsonschema = pytest.importorskip("jsonschema")
    assert validate_definition(definition) == []
    jsonschema.Draft202012Validator(schema).validate(definition)


@pytest.mark.parametrize(
    "definition",
    [
        worksheet(field_of("short_text", lable="typo")),
        worksheet({"id": "a", "type": "slider", "label": "A"}),
        worksheet(field_of("table", columns=[field_of("emotions")])),
        worksheet(field_of("media", url="https://media.example.org/a.mp3")),
        worksheet(field_of("rating", step=0)),
    ],
    ids=["unknown-key", "unknown-type", "bad-column-type", "external-media", "zero-step"],
)
def test_schema_rejects_structural_errors(schema, definition):
    jsonschema = pytest.importorskip("jsonschema")
    assert validate_definition(definition) != []
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(definition))
