"""Response validation, cleaning, conditions and drafts."""

from typing import Any

import pytest

from worksheets import (
    FIELD_TYPES,
    InvalidResponse,
    Issue,
    clean_response,
    validate_draft,
    validate_response,
    visible_field_ids,
)

from .examples import every_field_type, field_of, thought_record, valid_answers, worksheet


def messages(definition: dict[str, Any], answers: Any, *, draft: bool = False) -> dict[str, str]:
    check = validate_draft if draft else validate_response
    return {issue.path: issue.message for issue in check(definition, answers)}


def test_valid_answers_for_every_type():
    definition = every_field_type()
    assert validate_response(definition, valid_answers()) == []
    assert clean_response(definition, valid_answers()) == valid_answers()


def test_every_answerable_type_has_a_valid_example():
    answerable = set(FIELD_TYPES) - {"instructions", "media"}
    assert set(valid_answers()) == answerable


def test_nothing_answered_is_fine_when_nothing_is_required():
    assert validate_response(every_field_type(), {}) == []


def test_answers_must_be_an_object():
    assert validate_response(every_field_type(), ["a"]) == [
        Issue("", "Answers must be a JSON object keyed by field id.")
    ]


def test_unknown_keys_are_errors_not_dropped():
    answers = valid_answers() | {"mood": 5}
    assert messages(every_field_type(), answers) == {"mood": "Unknown field 'mood'."}
    with pytest.raises(InvalidResponse):
        clean_response(every_field_type(), answers)


def test_display_fields_take_no_answer():
    answers = {"instructions": "read it", "media": None}
    assert messages(every_field_type(), answers) == {"instructions": "This field takes no answer."}


# -- one bad answer per case: (field, answer, path, message) ----------------------------------

BAD_ANSWERS = [
    ("short_text", 5, "short_text", "Enter text."),
    ("short_text", "x" * 201, "short_text", "Use at most 200 characters (this has 201)."),
    ("short_text", "a\x00b", "short_text", "This text contains a character that cannot be saved."),
    ("long_text", ["a"], "long_text", "Enter text."),
    ("number", "7", "number", "Enter a number."),
    ("number", True, "number", "Enter a number."),
    ("number", 25, "number", "Enter a number from 0 to 24."),
    ("number", -1, "number", "Enter a number from 0 to 24."),
    ("number", 7.3, "number", "Enter a multiple of 0.5."),
    ("rating", 11, "rating", "Choose a whole number from 0 to 10."),
    ("rating", "7", "rating", "Choose a whole number from 0 to 10."),
    ("rating", 7.5, "rating", "Choose a whole number from 0 to 10."),
    ("single_choice", "maybe", "single_choice", "'maybe' is not one of the options."),
    (
        "single_choice",
        1,
        "single_choice",
        "Choose one of the options (send the option's value as text).",
    ),
    (
        "multiple_choice",
        "walk",
        "multiple_choice",
        "Send the chosen options as a list of option values.",
    ),
    (
        "multiple_choice",
        ["walk", "swim"],
        "multiple_choice[1]",
        "'swim' is not one of the options.",
    ),
    ("multiple_choice", ["walk", "walk"], "multiple_choice[1]", "'walk' is chosen twice."),
    ("multiple_choice", ["walk", "call", "read"], "multiple_choice", "Choose at most 2 options."),
    ("checklist", ["labelling"], "checklist[0]", "'labelling' is not one of the options."),
    ("date", "2025-02-30", "date", "Enter a date as YYYY-MM-DD."),
    ("date", "20250301", "date", "Enter a date as YYYY-MM-DD."),
    ("date", "14/03/2025", "date", "Enter a date as YYYY-MM-DD."),
    ("date", "2023-12-31", "date", "Enter a date on or after 2024-01-01."),
    ("date", "2031-01-01", "date", "Enter a date on or before 2030-12-31."),
    ("time", "24:00", "time", "Enter a time as HH:MM (24-hour clock)."),
    ("time", "7:30", "time", "Enter a time as HH:MM (24-hour clock)."),
    ("time", "07:30:00", "time", "Enter a time as HH:MM (24-hour clock)."),
    ("duration", -1, "duration", "Enter a whole number of minutes from 0 to 240."),
    ("duration", 241, "duration", "Enter a whole number of minutes from 0 to 240."),
    ("duration", 1.5, "duration", "Enter a whole number of minutes from 0 to 240."),
    ("table", {"thought": "x"}, "table", "Send the table as a list of rows."),
    (
        "table",
        [{"thought": "x"}, "y"],
        "table[1]",
        "Each row must be an object keyed by column id.",
    ),
    ("table", [{"thought": "x", "mood": 3}], "table[0].mood", "Unknown column 'mood'."),
    (
        "table",
        [{"thought": "x"}, {"thought": "y", "belief": 101}],
        "table[1].belief",
        "Choose a whole number from 0 to 100.",
    ),
    ("table", [{"belief": 50}], "table[0].thought", "This field is required."),
    ("table", [{"thought": str(n)} for n in range(4)], "table", "Add at most 3 rows."),
    ("emotions", "Anxious", "emotions", "Send emotions as a list of {emotion, intensity} objects."),
    (
        "emotions",
        ["Anxious"],
        "emotions[0]",
        "Each emotion must be an object with 'emotion' and 'intensity'.",
    ),
    (
        "emotions",
        [{"emotion": "Anxious"}],
        "emotions[0].intensity",
        "Rate the intensity from 0 to 100.",
    ),
    (
        "emotions",
        [{"emotion": "Anxious", "intensity": 101}],
        "emotions[0].intensity",
        "Rate the intensity from 0 to 100.",
    ),
    (
        "emotions",
        [{"emotion": "Anxious", "intensity": "80"}],
        "emotions[0].intensity",
        "Rate the intensity from 0 to 100.",
    ),
    ("emotions", [{"emotion": " ", "intensity": 80}], "emotions[0].emotion", "Name the emotion."),
    (
        "emotions",
        [{"emotion": "x" * 61, "intensity": 8}],
        "emotions[0].emotion",
        "Use at most 60 characters (this has 61).",
    ),
    (
        "emotions",
        [{"emotion": "Sad", "intensity": 5}, {"emotion": "sad ", "intensity": 9}],
        "emotions[1].emotion",
        "'sad ' is listed twice.",
    ),
    (
        "emotions",
        [{"emotion": e, "intensity": 5} for e in "abcd"],
        "emotions",
        "List at most 3 emotions.",
    ),
    (
        "emotions",
        [{"emotion": "Sad", "intensity": 5, "colour": "blue"}],
        "emotions[0].colour",
        "Unknown key 'colour'.",
    ),
    (
        "commitment",
        "Alex",
        "commitment",
        "Send the commitment as an object with 'signature' and 'date'.",
    ),
    ("commitment", {"signature": "Alex"}, "commitment.date", "Enter the date."),
    ("commitment", {"date": "2025-03-14"}, "commitment.signature", "Type your name to sign."),
    (
        "commitment",
        {"signature": "Alex", "date": "soon"},
        "commitment.date",
        "Enter a date as YYYY-MM-DD.",
    ),
    (
        "commitment",
        {"signature": "Alex", "date": "2025-03-14", "witness": "Sam"},
        "commitment.witness",
        "Unknown key 'witness'.",
    ),
]


@pytest.mark.parametrize(("field_id", "answer", "path", "message"), BAD_ANSWERS)
def test_bad_answer(field_id, answer, path, message):
    answers = valid_answers() | {field_id: answer}
    assert messages(every_field_type(), answers) == {path: message}


@pytest.mark.parametrize(
    ("field_type", "message"),
    [
        ("short_text", "This field is required."),
        ("long_text", "This field is required."),
        ("number", "This field is required."),
        ("rating", "This field is required."),
        ("single_choice", "Choose one of the options."),
        ("multiple_choice", "Choose at least one option."),
        ("checklist", "Tick at least one item."),
        ("date", "This field is required."),
        ("time", "This field is required."),
        ("duration", "This field is required."),
        ("table", "Add at least one row."),
        ("emotions", "Add at least one emotion."),
        ("commitment", "Sign and date this commitment."),
    ],
)
def test_required(field_type, message):
    definition = worksheet(field_of(field_type, required=True))
    for blank in ({}, {field_type: None}, {field_type: ""}, {field_type: []}):
        assert messages(definition, blank) == {field_type: message}, blank


def test_required_table_with_only_blank_rows():
    definition = worksheet(field_of("table", required=True))
    answers = {"table": [{"thought": "", "belief": None}, {}]}
    assert messages(definition, answers) == {"table": "Add at least one row."}


def test_minimums_apply_once_answered():
    definition = worksheet(
        field_of("multiple_choice", min_selected=2), field_of("table", min_rows=2)
    )
    assert validate_response(definition, {}) == []
    answers = {"multiple_choice": ["walk"], "table": [{"thought": "x"}]}
    assert messages(definition, answers) == {
        "multiple_choice": "Choose at least 2 options.",
        "table": "Add at least 2 rows.",
    }


def test_number_step_from_min():
    definition = worksheet(field_of("number", min=1, max=10, step=2))
    assert validate_response(definition, {"number": 5}) == []
    assert messages(definition, {"number": 4}) == {"number": "Enter 1 plus a multiple of 2."}


def test_number_default_step_is_whole():
    definition = worksheet(field_of("number", min=None, max=None, step=1))
    assert messages(definition, {"number": 2.5}) == {"number": "Enter a whole number."}


def test_decimal_steps_are_exact():
    definition = worksheet(field_of("number", min=0, max=1, step=0.1))
    assert validate_response(definition, {"number": 0.3}) == []


def test_rating_steps():
    definition = worksheet(field_of("rating", min=0, max=100, step=10, anchors={}))
    assert messages(definition, {"rating": 15}) == {
        "rating": "Choose a whole number from 0 to 100 in steps of 10."
    }


# -- cleaning ---------------------------------------------------------------------------------


def test_cleaning_is_lossless_normalisation_only():
    definition = every_field_type()
    answers = {
        "short_text": "  kept as typed  ",
        "long_text": "   ",
        "number": 8.0,
        "rating": 7.0,
        "checklist": [],
        "duration": 30.0,
        "table": [{"thought": "x", "belief": None}, {"thought": "", "belief": None}],
        "emotions": [{"emotion": "Sad", "intensity": 40.0}, {"emotion": "", "intensity": None}],
    }
    assert clean_response(definition, answers) == {
        "short_text": "  kept as typed  ",
        "number": 8,
        "rating": 7,
        "duration": 30,
        "table": [{"thought": "x"}],
        "emotions": [{"emotion": "Sad", "intensity": 40}],
    }
    assert type(clean_response(definition, answers)["number"]) is int


def test_clean_response_raises_with_every_issue():
    with pytest.raises(InvalidResponse) as raised:
        clean_response(every_field_type(), {"rating": 11, "time": "7pm"})
    assert [i.path for i in raised.value.issues] == ["rating", "time"]
    assert "2 problem(s)" in str(raised.value)


# -- conditions -------------------------------------------------------------------------------


def thought_answers(**extra: Any) -> dict[str, Any]:
    return {
        "situation": "Meeting",
        "feelings": [{"emotion": "Anxious", "intensity": 80}],
        "acted": "no",
    } | extra


def test_hidden_fields_are_not_required():
    assert validate_response(thought_record(), thought_answers()) == []


def test_shown_fields_are_required():
    answers = thought_answers(acted="yes")
    assert messages(thought_record(), answers) == {"what_happened": "This field is required."}


def test_conditions_chain():
    answers = thought_answers(acted="yes", what_happened="I left early.")
    assert messages(thought_record(), answers) == {"regret": "This field is required."}
    assert visible_field_ids(thought_record(), answers) >= {"what_happened", "regret"}


def test_hidden_answers_are_dropped_on_submit_without_validation():
    answers = thought_answers(what_happened="I left early.", regret=99)
    assert validate_response(thought_record(), answers) == []
    cleaned = clean_response(thought_record(), answers)
    assert "what_happened" not in cleaned
    assert "regret" not in cleaned


def test_hidden_is_not_unknown():
    answers = thought_answers(what_happened="x", bogus=1)
    assert messages(thought_record(), answers) == {"bogus": "Unknown field 'bogus'."}


def test_visible_field_ids():
    definition = thought_record()
    assert "what_happened" not in visible_field_ids(definition, thought_answers())
    assert "regret" not in visible_field_ids(definition, thought_answers(acted="yes"))
    # Invalid answers count as unanswered rather than failing.
    assert "what_happened" not in visible_field_ids(definition, {"acted": 3})
    assert "what_happened" not in visible_field_ids(definition, "garbage")


@pytest.mark.parametrize(
    ("condition", "answer", "shown"),
    [
        ({"op": "equals", "value": "walk"}, ["walk", "read"], True),
        ({"op": "equals", "value": "call"}, ["walk", "read"], False),
        ({"op": "not_equals", "value": "walk"}, ["read"], True),
        ({"op": "not_equals", "value": "walk"}, None, True),
        ({"op": "equals", "value": "walk"}, None, False),
        ({"op": "in", "value": ["call", "read"]}, ["read"], True),
        ({"op": "in", "value": ["call"]}, ["read"], False),
        ({"op": "answered"}, [], False),
        ({"op": "answered"}, ["walk"], True),
    ],
)
def test_conditions_on_choice_lists(condition, answer, shown):
    definition = worksheet(
        field_of("multiple_choice"),
        field_of("short_text", show_if={"field": "multiple_choice", **condition}),
    )
    answers = {"multiple_choice": answer}
    assert ("short_text" in visible_field_ids(definition, answers)) is shown


@pytest.mark.parametrize(
    ("target", "condition", "answer", "shown"),
    [
        (field_of("number"), {"op": "gte", "value": 8}, 8, True),
        (field_of("number"), {"op": "gte", "value": 8}, 7.5, False),
        (field_of("number"), {"op": "lte", "value": 8}, None, False),
        (field_of("date"), {"op": "gte", "value": "2025-01-01"}, "2025-06-01", True),
        (field_of("time"), {"op": "lte", "value": "06:00"}, "07:00", False),
        (field_of("short_text"), {"op": "equals", "value": "yes"}, "yes", True),
        (field_of("single_choice"), {"op": "in", "value": ["no"]}, "yes", False),
        (
            field_of(
                "single_choice",
                options=[
                    {"value": "a", "label": "A", "score": 0},
                    {"value": "b", "label": "B", "score": 2},
                ],
            ),
            {"op": "gte", "value": 1},
            "b",
            True,
        ),
    ],
)
def test_condition_ops(target, condition, answer, shown):
    definition = worksheet(
        target, field_of("long_text", id="follow_up", show_if={"field": target["id"], **condition})
    )
    answers = {target["id"]: answer}
    assert ("follow_up" in visible_field_ids(definition, answers)) is shown


# -- drafts -----------------------------------------------------------------------------------


def test_draft_does_not_require_anything():
    definition = worksheet(*(field_of(t, required=True) for t in ("short_text", "table")))
    assert validate_draft(definition, {}) == []
    assert validate_response(definition, {}) != []


def test_draft_still_rejects_wrong_types():
    answers = {"rating": "7", "table": [{"belief": "high"}], "mood": 3}
    assert messages(every_field_type(), answers, draft=True) == {
        "rating": "Choose a whole number from 0 to 10.",
        "table[0].belief": "Choose a whole number from 0 to 100.",
        "mood": "Unknown field 'mood'.",
    }


def test_draft_allows_unfinished_parts():
    definition = every_field_type()
    answers = {
        "table": [{"belief": 50}],
        "emotions": [{"emotion": "Sad"}],
        "commitment": {"signature": "Alex"},
    }
    assert validate_draft(definition, answers) == []
    assert clean_response(definition, answers, draft=True) == answers


def test_draft_enforces_maximums():
    answers = {"multiple_choice": ["walk", "call", "read"]}
    assert messages(every_field_type(), answers, draft=True) == {
        "multiple_choice": "Choose at most 2 options."
    }


def test_draft_keeps_hidden_answers():
    answers = {"acted": "no", "what_happened": "I left early."}
    assert clean_response(thought_record(), answers, draft=True) == answers


def test_draft_validates_hidden_answers():
    answers = {"acted": "no", "regret": 11}
    assert list(messages(thought_record(), answers, draft=True)) == ["regret"]
