"""The form builder's edits to a definition (pure): add, move, remove fields and sections."""

import pytest

from tests.factories import library_definition
from worksheets import FIELD_TYPES, editing, validate_definition


def _two_sections():
    definition = library_definition(
        {"id": "a", "type": "short_text", "label": "A"},
        {"id": "b", "type": "short_text", "label": "B"},
    )
    definition["sections"].append(
        {"id": "second", "title": "Second", "fields": [{"id": "c", "type": "date", "label": "C"}]}
    )
    return definition


def _ids(definition):
    return [[f["id"] for f in s["fields"]] for s in definition["sections"]]


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_a_new_field_of_every_type_is_valid_at_once(field_type):
    definition, field_id = editing.add_field(library_definition(), "main", field_type)
    assert validate_definition(definition) == []
    assert _ids(definition) == [["notes", field_id]]


def test_new_ids_never_clash():
    definition = library_definition()
    definition, first = editing.add_field(definition, "main", "short_text")
    definition, second = editing.add_field(definition, "main", "long_text")
    assert (first, second) == ("answer_1", "answer_2")


def test_moving_a_field_crosses_into_the_neighbouring_section():
    definition = _two_sections()
    assert _ids(editing.move_field(definition, "b", "up")) == [["b", "a"], ["c"]]
    assert _ids(editing.move_field(definition, "b", "down")) == [["a"], ["b", "c"]]
    assert _ids(editing.move_field(definition, "c", "up")) == [["a", "b", "c"], []]
    assert _ids(editing.move_field(definition, "a", "up")) == [["a", "b"], ["c"]]
    assert _ids(definition) == [["a", "b"], ["c"]], "the input is never changed"


def test_sections_are_added_moved_renamed_and_removed():
    definition, section_id = editing.add_section(_two_sections())
    assert section_id == "section_3"
    assert validate_definition(definition) == []
    definition = editing.move_section(definition, section_id, "up")
    assert [s["id"] for s in definition["sections"]] == ["main", "section_3", "second"]
    definition = editing.update_section(definition, "main", title="Start", description="Go.")
    assert definition["sections"][0] | {"fields": []} == {
        "id": "main",
        "title": "Start",
        "description": "Go.",
        "fields": [],
    }
    definition = editing.update_section(definition, "main", title="Start", description="")
    assert "description" not in definition["sections"][0]
    assert [s["id"] for s in editing.remove_section(definition, "main")["sections"]] == [
        "section_3",
        "second",
    ]


def test_edits_of_missing_parts_are_refused():
    with pytest.raises(editing.BuilderError):
        editing.remove_field(library_definition(), "ghost")
    with pytest.raises(editing.BuilderError):
        editing.add_field(library_definition(), "ghost", "short_text")
    with pytest.raises(editing.BuilderError):
        editing.new_field(library_definition(), "hologram")
