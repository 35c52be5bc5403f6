"""The registry of field types: every type brings what the engine asks of it."""

from pathlib import Path

import pytest

from worksheets import FIELD_TYPES, validate_definition
from worksheets.editing import new_field
from worksheets.types import field_type, registered

from .examples import worksheet

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_the_registry_keeps_the_documented_order():
    assert FIELD_TYPES == (
        "short_text",
        "long_text",
        "number",
        "rating",
        "single_choice",
        "multiple_choice",
        "checklist",
        "date",
        "time",
        "duration",
        "table",
        "emotions",
        "audio",
        "photo",
        "instructions",
        "media",
        "commitment",
    )
    assert [kind.name for kind in registered()] == list(FIELD_TYPES)


@pytest.mark.parametrize("name", FIELD_TYPES)
def test_every_type_has_its_template_and_a_valid_new_field(name):
    kind = field_type(name)
    assert (TEMPLATES / kind.template).is_file()
    assert kind.label
    field = new_field(worksheet(), name) | {"id": "added"}
    assert validate_definition(worksheet(field)) == []


@pytest.mark.parametrize("name", FIELD_TYPES)
def test_builder_inputs_write_keys_of_their_type(name):
    kind = field_type(name)
    assert set(kind.builder_keys) <= set(kind.builder_fields)
    written = {kind.builder_keys.get(input_name, input_name) for input_name in kind.builder_fields}
    assert written <= kind.keys


def test_unknown_types_are_not_registered():
    with pytest.raises(KeyError):
        field_type("slider")
