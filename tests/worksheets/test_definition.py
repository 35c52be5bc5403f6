"""Definition validation: every class of error, reported at its path with a clear message.
Conditions and scoring are in ``test_definition_rules.py``."""

from typing import Any

import pytest

from worksheets import (
    Issue,
    field_by_id,
    iter_fields,
    iter_sections,
    load_measure,
    validate_definition,
)
from worksheets.types.media import EXTERNAL_REFUSED

from .examples import every_field_type, field_of, thought_record, worksheet

P = "sections[0].fields[0]"


def messages(doc: Any) -> dict[str, str]:
    return {issue.path: issue.message for issue in validate_definition(doc)}


def only_issue(doc: Any) -> Issue:
    issues = validate_definition(doc)
    assert len(issues) == 1, issues
    return issues[0]


@pytest.mark.parametrize(
    "doc",
    [every_field_type(), thought_record(), load_measure("phq9"), load_measure("gad7")],
    ids=["every-field-type", "thought-record", "phq9", "gad7"],
)
def test_examples_are_valid(doc):
    assert validate_definition(doc) == []


def test_defaults_may_be_omitted():
    doc = {
        "schema_version": 1,
        "sections": [
            {"id": "s", "title": "S", "fields": [{"id": "a", "type": "short_text", "label": "A"}]}
        ],
    }
    assert validate_definition(doc) == []


# -- the document and sections ----------------------------------------------------------------


def test_not_an_object():
    assert only_issue([]) == Issue("", "A worksheet definition must be a JSON object.")


def test_schema_version_must_be_1():
    issue = only_issue(worksheet(field_of("time")) | {"schema_version": 2})
    assert issue == Issue(
        "schema_version", "Unsupported schema_version '2'; this server reads version 1."
    )


def test_schema_version_true_is_not_1():
    assert "schema_version" in messages(worksheet(field_of("time")) | {"schema_version": True})


def test_missing_sections():
    assert messages({"schema_version": 1}) == {"sections": "'sections' is required."}


def test_empty_sections():
    assert messages({"schema_version": 1, "sections": []}) == {
        "sections": "A worksheet needs a non-empty list of sections."
    }


def test_bad_entry_mode():
    assert messages(worksheet(field_of("time"), entry_mode="weekly")) == {
        "entry_mode": "'entry_mode' must be 'single' or 'multiple'."
    }


def test_unknown_top_level_key_suggests_the_right_one():
    doc = worksheet(field_of("time")) | {"scorng": None}
    assert only_issue(doc) == Issue(
        "scorng", "Unknown key 'scorng' in a worksheet. Did you mean 'scoring'?"
    )


def test_section_problems():
    doc = worksheet(field_of("time"))
    doc["sections"] += [
        {"id": "main", "title": " ", "fields": []},
        "not a section",
        {"id": "Bad Id", "fields": [field_of("date")]},
    ]
    assert messages(doc) == {
        "sections[1].id": "Section ids must be unique: 'main' is also used at sections[0].",
        "sections[1].title": "'title' must not be blank.",
        "sections[1].fields": "A section needs a non-empty list of fields.",
        "sections[2]": "Each section must be an object.",
        "sections[3].title": "'title' is required.",
        "sections[3].id": (
            "'Bad Id' is not a valid id: use 1–50 lowercase letters, digits and underscores, "
            "starting with a letter."
        ),
    }


# -- common field keys ------------------------------------------------------------------------


def test_unknown_field_type_lists_the_known_ones():
    message = messages(worksheet({"id": "a", "type": "slider", "label": "A"}))[f"{P}.type"]
    assert message.startswith("Unknown field type 'slider'; use one of short_text, long_text,")
    assert "commitment" in message


def test_missing_type():
    assert messages(worksheet({"id": "a", "label": "A"})) == {f"{P}.type": "'type' is required."}


def test_unknown_field_key_suggests_the_right_one():
    doc = worksheet(field_of("short_text", lable="Typo"))
    assert only_issue(doc) == Issue(
        f"{P}.lable", "Unknown key 'lable' in a short_text field. Did you mean 'label'?"
    )


def test_key_of_another_type_is_unknown():
    doc = worksheet(field_of("short_text", options=[]))
    assert only_issue(doc).path == f"{P}.options"


@pytest.mark.parametrize("bad_id", ["Thought", "1st", "with space", "a" * 51, "", 7])
def test_bad_id_syntax(bad_id):
    issue = only_issue(worksheet(field_of("time", id=bad_id)))
    assert issue.path == f"{P}.id"
    assert "is not a valid id: use 1–50 lowercase letters, digits and underscores" in (
        issue.message
    )


def test_field_ids_are_unique_across_sections():
    doc = every_field_type()
    doc["sections"][1]["fields"][0]["id"] = "short_text"
    assert messages(doc) == {
        "sections[1].fields[0].id": (
            "Field ids must be unique: 'short_text' is also used at sections[0].fields[0]."
        )
    }


def test_a_section_and_a_field_may_share_an_id():
    doc = worksheet(field_of("time", id="main"))
    assert validate_definition(doc) == []


@pytest.mark.parametrize(
    ("extra", "path", "message"),
    [
        ({"label": ""}, "label", "'label' must not be blank."),
        ({"label": "x" * 301}, "label", "'label' is 301 characters long; the limit is 300."),
        ({"label": 5}, "label", "'label' must be text."),
        ({"help": "x" * 1001}, "help", "'help' is 1001 characters long; the limit is 1000."),
        ({"required": "yes"}, "required", "'required' must be true or false."),
    ],
)
def test_common_keys(extra, path, message):
    assert messages(worksheet(field_of("short_text", **extra))) == {f"{P}.{path}": message}


def test_missing_label():
    doc = worksheet({"id": "a", "type": "time"})
    assert messages(doc) == {f"{P}.label": "'label' is required."}


@pytest.mark.parametrize("field_type", ["instructions", "media"])
def test_display_fields_cannot_be_required(field_type):
    assert messages(worksheet(field_of(field_type, required=True))) == {
        f"{P}.required": "Instructions and media are never answered, so they cannot be required."
    }


def test_field_not_an_object():
    assert messages(worksheet("time")) == {P: "Each field must be an object."}


# -- type-specific settings -------------------------------------------------------------------

TYPE_CASES = [
    (
        "short_text",
        {"max_length": 0},
        "max_length",
        "'max_length' must be a whole number from 1 to 500.",
    ),
    (
        "short_text",
        {"max_length": 501},
        "max_length",
        "'max_length' must be a whole number from 1 to 500.",
    ),
    (
        "long_text",
        {"max_length": 20001},
        "max_length",
        "'max_length' must be a whole number from 1 to 20000.",
    ),
    ("long_text", {"placeholder": 3}, "placeholder", "'placeholder' must be text."),
    ("number", {"min": 10, "max": 5}, "min", "'min' (10) is greater than 'max' (5)."),
    ("number", {"step": 0}, "step", "'step' must be greater than 0."),
    ("number", {"min": "0"}, "min", "'min' must be a number."),
    ("number", {"unit": "x" * 31}, "unit", "'unit' is 31 characters long; the limit is 30."),
    ("rating", {"max": 0}, "max", "'max' (0) must be greater than 'min' (0)."),
    ("rating", {"min": 0.5}, "min", "'min' must be a whole number."),
    ("rating", {"step": 0}, "step", "'step' must be a whole number of at least 1."),
    (
        "rating",
        {"step": 3},
        "step",
        "A scale from 0 to 10 cannot go in steps of 3: "
        "'max' must be 'min' plus a multiple of 'step'.",
    ),
    (
        "rating",
        {"max": 1000, "anchors": {}},
        "",
        "A rating scale can have at most 101 points; this one has 1001.",
    ),
    (
        "rating",
        {"anchors": {"11": "Off"}},
        "anchors.11",
        "Anchor '11' is not a point on the scale 0–10.",
    ),
    (
        "rating",
        {"step": 5, "anchors": {"3": "Odd"}},
        "anchors.3",
        "Anchor '3' is not a point on the scale 0–10 (steps of 5).",
    ),
    (
        "rating",
        {"anchors": {"low": "Low"}},
        "anchors.low",
        "Anchor keys are scale points written as text, like \"0\"; got 'low'.",
    ),
    (
        "rating",
        {"anchors": {"0": ""}},
        "anchors.0",
        "Anchor labels must be text of 1–100 characters.",
    ),
    (
        "rating",
        {"anchors": ["0"]},
        "anchors",
        "'anchors' must be an object mapping scale points to labels.",
    ),
    (
        "single_choice",
        {"options": []},
        "options",
        "A choice field needs a non-empty list of options.",
    ),
    (
        "single_choice",
        {"options": ["yes"]},
        "options[0]",
        "Each option must be an object with a value and a label.",
    ),
    ("single_choice", {"options": [{"value": "yes"}]}, "options[0].label", "'label' is required."),
    (
        "single_choice",
        {"options": [{"value": 1, "label": "One"}]},
        "options[0].value",
        "'value' must be text.",
    ),
    (
        "single_choice",
        {"options": [{"value": "a", "label": "A", "score": "1"}]},
        "options[0].score",
        "'score' must be a number.",
    ),
    (
        "single_choice",
        {"options": [{"value": "a", "label": "A", "colour": "red"}]},
        "options[0].colour",
        "Unknown key 'colour' in an option.",
    ),
    (
        "multiple_choice",
        {"min_selected": 2, "max_selected": 1},
        "min_selected",
        "'min_selected' (2) is greater than 'max_selected' (1).",
    ),
    (
        "multiple_choice",
        {"max_selected": 4},
        "max_selected",
        "'max_selected' must be a whole number from 1 to 3.",
    ),
    ("date", {"min": "2024-13-01"}, "min", "'min' must be a date written YYYY-MM-DD."),
    ("date", {"max": "20240101"}, "max", "'max' must be a date written YYYY-MM-DD."),
    ("date", {"min": "2031-01-01"}, "min", "'min' is later than 'max'."),
    (
        "duration",
        {"max_minutes": 0},
        "max_minutes",
        "'max_minutes' must be a whole number of at least 1.",
    ),
    ("table", {"columns": []}, "columns", "A table needs a non-empty list of columns."),
    (
        "table",
        {"min_rows": 5, "max_rows": 2},
        "min_rows",
        "'min_rows' (5) is greater than 'max_rows' (2).",
    ),
    ("table", {"max_rows": 201}, "max_rows", "'max_rows' must be a whole number from 1 to 200."),
    (
        "table",
        {"initial_rows": 4},
        "initial_rows",
        "'initial_rows' must be a whole number from 0 to 3.",
    ),
    ("table", {"row_label": ""}, "row_label", "'row_label' must not be blank."),
    (
        "emotions",
        {"suggestions": ["Sad", "sad"]},
        "suggestions[1]",
        "Suggestions must be unique: 'sad' appears twice.",
    ),
    (
        "emotions",
        {"suggestions": [""]},
        "suggestions[0]",
        "Suggestions must be words of 1–60 characters.",
    ),
    (
        "emotions",
        {"suggestions": "Sad"},
        "suggestions",
        "'suggestions' must be a list of at most 100 words.",
    ),
    (
        "emotions",
        {"max_items": 51},
        "max_items",
        "'max_items' must be a whole number from 1 to 50.",
    ),
    ("instructions", {"body": ""}, "body", "'body' must not be blank."),
    ("media", {"kind": "pdf"}, "kind", "'kind' must be 'audio', 'video' or 'image'."),
    ("media", {"url": "https://media.example.org/a.mp3"}, "url", EXTERNAL_REFUSED),
    ("media", {"url": "http://media.example.org/a.mp3"}, "url", EXTERNAL_REFUSED),
    ("media", {"url": "javascript:alert(1)"}, "url", EXTERNAL_REFUSED),
    ("media", {"upload": ""}, "upload", "'upload' must not be blank."),
    ("commitment", {"statement": " "}, "statement", "'statement' must not be blank."),
]


@pytest.mark.parametrize(("field_type", "extra", "path", "message"), TYPE_CASES)
def test_type_settings(field_type, extra, path, message):
    doc = worksheet(field_of(field_type, **extra))
    assert messages(doc) == {f"{P}.{path}" if path else P: message}


@pytest.mark.parametrize(
    ("field_type", "key"),
    [
        ("rating", "min"),
        ("single_choice", "options"),
        ("table", "columns"),
        ("instructions", "body"),
        ("media", "kind"),
        ("commitment", "statement"),
    ],
)
def test_type_required_keys(field_type, key):
    field = field_of(field_type)
    del field[key]
    assert messages(worksheet(field)) == {f"{P}.{key}": f"'{key}' is required."}


def test_media_without_an_upload_yet_is_valid():
    """A media field just added in the builder: it shows its caption and transcript until a
    file is uploaded (never a link)."""
    field = field_of("media")
    del field["upload"]
    assert messages(worksheet(field)) == {}


def test_an_external_link_is_refused_even_beside_an_upload():
    field = field_of("media", url="https://tracker.example/pixel.gif")
    assert messages(worksheet(field)) == {f"{P}.url": EXTERNAL_REFUSED}


def test_duplicate_option_values():
    options = [{"value": "yes", "label": "Yes"}, {"value": "yes", "label": "Sure"}]
    assert messages(worksheet(field_of("single_choice", options=options))) == {
        f"{P}.options[1].value": "Option values must be unique: 'yes' appears twice."
    }


def test_table_columns():
    columns = [
        {"id": "feel", "type": "emotions", "label": "Feelings"},
        {"id": "a", "type": "short_text", "label": "A"},
        {"id": "a", "type": "date", "label": "Again"},
        {"id": "b", "type": "time", "label": "B", "show_if": {"field": "a", "op": "answered"}},
        "c",
    ]
    doc = worksheet(field_of("table", columns=columns))
    path = f"{P}.columns"
    assert messages(doc) == {
        f"{path}[0].type": (
            "A table column cannot be of type 'emotions'; use one of short_text, long_text, "
            "number, rating, single_choice, checklist, date, time, duration."
        ),
        f"{path}[2].id": f"Column ids must be unique: 'a' is also used at {path}[1].",
        f"{path}[3].show_if": "Table columns cannot have show_if; put the condition on the table.",
        f"{path}[4]": "Each column must be an object.",
    }


def test_column_settings_are_checked_like_fields():
    columns = [{"id": "belief", "type": "rating", "label": "Belief", "min": 0, "max": 0}]
    assert messages(worksheet(field_of("table", columns=columns))) == {
        f"{P}.columns[0].max": "'max' (0) must be greater than 'min' (0)."
    }


def test_column_ids_may_repeat_across_tables_and_fields():
    table = field_of("table")
    other = field_of("table", id="other")
    assert validate_definition(worksheet(table, other, field_of("time", id="thought"))) == []


# -- reporting --------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once():
    doc = every_field_type()
    doc["entry_mode"] = "weekly"
    doc["sections"][0]["fields"][1]["max_length"] = 0
    doc["sections"][1]["fields"][5]["url"] = "https://x.example"
    doc["sections"][1]["fields"][3]["columns"][1]["max"] = -1
    assert set(messages(doc)) == {
        "entry_mode",
        "sections[0].fields[1].max_length",
        "sections[1].fields[5].url",
        "sections[1].fields[3].columns[1].max",
    }


def test_issue_as_dict():
    assert Issue("a[0]", "Bad.").as_dict() == {"path": "a[0]", "message": "Bad."}


# -- accessors --------------------------------------------------------------------------------


def test_iter_fields_walks_sections_in_order():
    doc = every_field_type()
    assert [s["id"] for s in iter_sections(doc)] == ["first", "second"]
    assert [f["id"] for f in iter_fields(doc)][:3] == ["short_text", "long_text", "number"]
    assert len(list(iter_fields(doc))) == 17


def test_field_by_id():
    doc = every_field_type()
    assert field_by_id(doc, "commitment")["statement"].startswith("I will walk")
    assert field_by_id(doc, "thought") is None  # a column, not a field
