"""The builder's field editor: every field type goes through the editor and back unchanged,
and typed input becomes the JSON the worksheet format expects."""

import pytest

from library.forms import TYPE_INPUTS, FieldEditForm, LibraryFilterForm
from tests.worksheets.examples import field_of
from worksheets import FIELD_TYPES


def _as_post(form: FieldEditForm) -> dict:
    """What the browser sends for an untouched editor."""
    data = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if value is None or value is False or value == "":
            continue
        data[name] = "on" if value is True else value
    return data


def _round_trip(field: dict, earlier=()) -> dict:
    shown = FieldEditForm(field=field, earlier=list(earlier))
    bound = FieldEditForm(_as_post(shown), field=field, earlier=list(earlier))
    assert bound.is_valid(), bound.errors
    return bound.to_field()


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_every_field_type_survives_the_editor_unchanged(field_type):
    field = field_of(field_type, help="What a good answer looks like.")
    if field_type not in ("instructions", "media"):
        field["required"] = True
    assert _round_trip(field) == field


def test_every_type_has_its_own_inputs_and_the_common_ones():
    assert set(TYPE_INPUTS) == set(FIELD_TYPES)
    form = FieldEditForm(field=field_of("rating"), earlier=[])
    assert [b.name for b in form.type_inputs()] == ["min", "max", "step", "anchors"]
    assert [b.name for b in form.common_inputs()] == ["label", "help", "required"]
    display = FieldEditForm(field=field_of("instructions"), earlier=[])
    assert "required" not in [b.name for b in display.common_inputs()]


@pytest.mark.parametrize(
    ("condition", "target"),
    [
        ({"field": "mood", "op": "gte", "value": 5}, field_of("rating", id="mood")),
        ({"field": "went", "op": "equals", "value": "yes"}, field_of("single_choice", id="went")),
        (
            {"field": "went", "op": "in", "value": ["yes", "no"]},
            field_of("single_choice", id="went"),
        ),
        ({"field": "note", "op": "answered"}, field_of("short_text", id="note")),
    ],
)
def test_conditions_survive_the_editor(condition, target):
    field = field_of("long_text", id="why", show_if=condition)
    assert _round_trip(field, earlier=[target]) == field


def test_options_typed_one_per_line_keep_their_values_and_take_scores():
    field = field_of("single_choice")  # yes / no
    data = _as_post(FieldEditForm(field=field, earlier=[]))
    data["options"] = "No | 0\nYes | 1\nNot sure | 0.5"
    form = FieldEditForm(data, field=field, earlier=[])
    assert form.is_valid(), form.errors
    assert form.to_field()["options"] == [
        {"value": "no", "label": "No", "score": 0},
        {"value": "yes", "label": "Yes", "score": 1},
        {"value": "not_sure", "label": "Not sure", "score": 0.5},
    ]


def test_typing_mistakes_are_reported_next_to_the_input():
    field = field_of("rating")
    data = _as_post(FieldEditForm(field=field, earlier=[]))
    data.update(min="low", anchors="0 Not at all")
    form = FieldEditForm(data, field=field, earlier=[])
    assert not form.is_valid()
    assert form.errors["min"] == ["Enter a number."]
    assert "number = text" in form.errors["anchors"][0]


def test_a_condition_value_may_be_typed_as_the_option_label():
    target = field_of("single_choice", id="went")
    field = field_of("long_text", id="why")
    data = _as_post(FieldEditForm(field=field, earlier=[target]))
    data.update(condition_field="went", condition_op="equals", condition_value="Yes")
    form = FieldEditForm(data, field=field, earlier=[target])
    assert form.is_valid(), form.errors
    assert form.to_field()["show_if"] == {"field": "went", "op": "equals", "value": "yes"}


def test_the_builder_drops_a_link_stored_before_links_were_refused():
    field = field_of("media", url="https://media.example.org/a.mp3")
    del field["upload"]
    form = FieldEditForm(_as_post(FieldEditForm(field=field, earlier=[])), field=field, earlier=[])
    assert form.is_valid()
    assert "media_file" in form.fields and "url" not in form.fields
    assert "url" not in form.to_field() and "upload" not in form.to_field()
    result = form.to_field(upload="0b7c1c1e-5a55-4b4e-9d55-4f0e9f8f8f8f")
    assert "url" not in result
    assert result["upload"] == "0b7c1c1e-5a55-4b4e-9d55-4f0e9f8f8f8f"


def test_an_earlier_upload_stays_when_no_new_file_is_chosen():
    field = field_of("media", upload="11111111-5a55-4b4e-9d55-4f0e9f8f8f8f")
    form = FieldEditForm(_as_post(FieldEditForm(field=field, earlier=[])), field=field, earlier=[])
    assert form.is_valid()
    assert form.to_field()["upload"] == "11111111-5a55-4b4e-9d55-4f0e9f8f8f8f"


def test_library_filters_ignore_unknown_values():
    assert LibraryFilterForm({"q": "sleep", "kind": "spaceship"}).filters()["q"] == ""
    assert LibraryFilterForm({"q": "sleep", "kind": "measure"}).filters() == {
        "q": "sleep",
        "kind": "measure",
        "approach": "",
        "problem": "",
        "source": "",
    }
