"""Definition validation across fields: conditions (``show_if``) and scoring (items, totals,
bands, critical rules, LOINC codes), each error reported at its path with a clear message."""

from typing import Any

import pytest

from worksheets import Issue, load_measure, validate_definition

from .examples import field_of, worksheet

P = "sections[0].fields[0]"


def messages(doc: Any) -> dict[str, str]:
    return {issue.path: issue.message for issue in validate_definition(doc)}


def only_issue(doc: Any) -> Issue:
    issues = validate_definition(doc)
    assert len(issues) == 1, issues
    return issues[0]


# -- conditions -------------------------------------------------------------------------------

ACTED = field_of("single_choice", id="acted")
HOURS = field_of("number", id="hours")
SCORED = field_of(
    "single_choice",
    id="item",
    options=[{"value": "0", "label": "No", "score": 0}, {"value": "1", "label": "Yes", "score": 1}],
)
PATH_1 = "sections[0].fields[1].show_if"


def with_condition(target: dict[str, Any], condition: Any) -> dict[str, Any]:
    return worksheet(target, field_of("long_text", id="follow_up", show_if=condition))


def test_valid_conditions():
    cases = [
        (ACTED, {"field": "acted", "op": "equals", "value": "yes"}),
        (ACTED, {"field": "acted", "op": "in", "value": ["yes", "no"]}),
        (ACTED, {"field": "acted", "op": "answered"}),
        (HOURS, {"field": "hours", "op": "gte", "value": 7.5}),
        (SCORED, {"field": "item", "op": "gte", "value": 1}),
        (field_of("date"), {"field": "date", "op": "lte", "value": "2025-01-01"}),
        (field_of("time"), {"field": "time", "op": "gte", "value": "22:00"}),
        (field_of("checklist"), {"field": "checklist", "op": "equals", "value": "mind_reading"}),
        (field_of("table"), {"field": "table", "op": "answered"}),
    ]
    for target, condition in cases:
        assert validate_definition(with_condition(target, condition)) == [], condition


CONDITION_CASES = [
    (
        {"field": "nope", "op": "answered"},
        "field",
        "show_if refers to 'nope', which is not a field of this worksheet.",
    ),
    (
        {"field": "acted", "op": "bigger"},
        "op",
        "Unknown op 'bigger'; use one of equals, not_equals, in, gte, lte, answered.",
    ),
    (
        {"field": "acted", "op": "equals", "value": "maybe"},
        "value",
        "'maybe' is not an option value of 'acted'.",
    ),
    ({"field": "acted", "op": "equals"}, "op", "'equals' needs a value."),
    ({"field": "acted", "op": "answered", "value": "yes"}, "value", "'answered' takes no value."),
    (
        {"field": "acted", "op": "in", "value": "yes"},
        "value",
        "'in' needs a non-empty list of values.",
    ),
    (
        {"field": "acted", "op": "in", "value": ["yes", "maybe"]},
        "value",
        "'maybe' is not an option value of 'acted'.",
    ),
    (
        {"field": "acted", "op": "gte", "value": 1},
        "op",
        "'gte' cannot be used on 'acted' (a single_choice field); "
        "use equals, not_equals, in, answered (or give every option a score).",
    ),
    (
        {"field": "acted", "op": "answered", "colour": 1},
        "colour",
        "Unknown key 'colour' in show_if.",
    ),
    ({"op": "answered"}, "field", "'field' is required."),
    ({"field": 3, "op": "answered"}, "field", "'field' must be a field id."),
]


@pytest.mark.parametrize(("condition", "key", "message"), CONDITION_CASES)
def test_condition_errors(condition, key, message):
    assert messages(with_condition(ACTED, condition)) == {f"{PATH_1}.{key}": message}


@pytest.mark.parametrize(
    ("target", "condition", "message"),
    [
        (HOURS, {"op": "gte", "value": 25}, "'25' is outside the range of 'hours'."),
        (HOURS, {"op": "equals", "value": "7"}, "'7' is not a number."),
        (
            field_of("rating"),
            {"op": "equals", "value": 11},
            "'11' is not a point on the scale of 'rating'.",
        ),
        (
            field_of("date"),
            {"op": "gte", "value": "tomorrow"},
            "'tomorrow' is not a date (YYYY-MM-DD).",
        ),
        (field_of("time"), {"op": "equals", "value": "7pm"}, "'7pm' is not a time (HH:MM)."),
        (field_of("duration"), {"op": "gte", "value": -5}, "A duration cannot be negative."),
        (field_of("short_text"), {"op": "equals", "value": 3}, "'3' is not text."),
        (
            SCORED,
            {"op": "gte", "value": 2},
            "No option of 'item' scores ≥ 2, so this is never true.",
        ),
        (
            SCORED,
            {"op": "lte", "value": -1},
            "No option of 'item' scores ≤ -1, so this is never true.",
        ),
    ],
)
def test_condition_values_must_fit_the_field(target, condition, message):
    doc = with_condition(target, {"field": target["id"], **condition})
    assert messages(doc) == {f"{PATH_1}.value": message}


def test_ops_that_do_not_fit_the_field_type():
    doc = with_condition(field_of("table"), {"field": "table", "op": "equals", "value": "x"})
    assert messages(doc) == {
        f"{PATH_1}.op": "'equals' cannot be used on 'table' (a table field); use answered."
    }


def test_condition_on_a_later_field():
    doc = worksheet(field_of("long_text", show_if={"field": "acted", "op": "answered"}), ACTED)
    assert messages(doc) == {
        f"{P}.show_if.field": (
            "show_if refers to 'acted', which comes later; a field can only depend on an "
            "earlier one."
        )
    }


def test_condition_on_itself():
    doc = worksheet(field_of("short_text", show_if={"field": "short_text", "op": "answered"}))
    assert messages(doc) == {f"{P}.show_if.field": "A field cannot depend on itself."}


@pytest.mark.parametrize("field_type", ["instructions", "media"])
def test_condition_on_an_unanswerable_field(field_type):
    doc = with_condition(field_of(field_type), {"field": field_type, "op": "answered"})
    assert messages(doc) == {
        f"{PATH_1}.field": f"'{field_type}' is a {field_type} field, which is never answered."
    }


def test_condition_on_a_table_column_is_not_a_field():
    doc = with_condition(field_of("table"), {"field": "thought", "op": "answered"})
    assert "is not a field of this worksheet" in messages(doc)[f"{PATH_1}.field"]


def test_condition_not_an_object():
    assert messages(with_condition(ACTED, "acted")) == {
        PATH_1: "'show_if' must be an object with 'field', 'op' and 'value'."
    }


def test_broken_target_does_not_cascade_into_the_condition():
    broken = field_of("single_choice", id="acted", options=[])
    doc = with_condition(broken, {"field": "acted", "op": "equals", "value": "yes"})
    assert list(messages(doc)) == [f"{P}.options"]


# -- scoring ----------------------------------------------------------------------------------


def phq9_with(**scoring: Any) -> dict[str, Any]:
    doc = load_measure("phq9")
    doc["scoring"].update(scoring)
    return doc


def band(low: int, high: int, label: str) -> dict[str, Any]:
    return {"min": low, "max": high, "label": label, "severity": label.lower()}


SCORING_CASES = [
    ({"method": "mean"}, "method", "Unknown scoring method 'mean'; the only method is 'sum'."),
    ({"items": []}, "items", "'items' must be a non-empty list of field ids."),
    ({"items": ["q1", "q10"]}, "items[1]", "Scoring item 'q10' is not a field of this worksheet."),
    ({"items": ["q1", "q1"]}, "items[1]", "Scoring item 'q1' is listed twice."),
    ({"min_total": 1}, "min_total", "'min_total' is 1, but the items add up to at least 0."),
    ({"max_total": 30}, "max_total", "'max_total' is 30, but the items add up to at most 27."),
    ({"min_total": 28}, "min_total", "'min_total' (28) is greater than 'max_total'."),
    (
        {"bands": [band(0, 9, "Low"), band(9, 27, "High")]},
        "bands[1].min",
        "Bands overlap: 'Low' (0–9) and 'High' (9–27) both include 9.",
    ),
    (
        {"bands": [band(0, 9, "Low"), band(12, 27, "High")]},
        "bands[1].min",
        "Bands leave a gap: no band covers 10–11.",
    ),
    (
        {"bands": [band(0, 9, "Low"), band(11, 27, "High")]},
        "bands[1].min",
        "Bands leave a gap: no band covers 10.",
    ),
    (
        {"bands": [band(1, 27, "All")]},
        "bands[0].min",
        "The lowest band starts at 1, but totals start at 0 ('min_total').",
    ),
    (
        {"bands": [band(0, 20, "All")]},
        "bands[0].max",
        "The highest band ends at 20, but totals go up to 27 ('max_total').",
    ),
    (
        {"bands": [band(9, 0, "Odd"), band(0, 27, "All")]},
        "bands[0].min",
        "Band 'Odd' starts at 9 but ends at 0.",
    ),
    (
        {"bands": [band(10, 27, "High"), band(0, 9, "Low")]},
        "bands",
        "List bands from the lowest to the highest total.",
    ),
    (
        {"bands": [band(0, 27, "All") | {"severity": "Very Bad"}]},
        "bands[0].severity",
        "'severity' must be a lowercase word such as 'mild' or 'moderately_severe'.",
    ),
    (
        {"bands": [band(0, 27, "All") | {"min": 0.5}]},
        "bands[0].min",
        "'min' must be a whole number.",
    ),
    ({"bands": "low"}, "bands", "'bands' must be a list."),
    (
        {"critical": [{"field": "q10", "op": "answered", "message": "!"}]},
        "critical[0].field",
        "Critical rule on 'q10', which is not a field of this worksheet.",
    ),
    (
        {"critical": [{"field": "q9", "op": "equals", "value": 1, "message": "!"}]},
        "critical[0].value",
        "'1' is not an option value of 'q9'.",
    ),
    (
        {"critical": [{"field": "q9", "op": "gte", "value": 1}]},
        "critical[0].message",
        "'message' is required.",
    ),
    ({"critical": {}}, "critical", "'critical' must be a list of rules."),
    (
        {"loinc": {"panel": "PHQ9"}},
        "loinc.panel",
        "'PHQ9' is not a LOINC code (digits, a dash and a check digit, e.g. 44249-1).",
    ),
    (
        {"loinc": {"pannel": "44249-1"}},
        "loinc.pannel",
        "Unknown key 'pannel' in loinc. Did you mean 'panel'?",
    ),
    (
        {"prorate_max_missing": 9},
        "prorate_max_missing",
        "'prorate_max_missing' must be smaller than the number of items (9).",
    ),
    (
        {"requires_all_items": "yes"},
        "requires_all_items",
        "'requires_all_items' must be true or false.",
    ),
    (
        {"show_score_to_client": 1},
        "show_score_to_client",
        "'show_score_to_client' must be true or false.",
    ),
]


@pytest.mark.parametrize(("scoring", "path", "message"), SCORING_CASES)
def test_scoring_errors(scoring, path, message):
    assert messages(phq9_with(**scoring)) == {f"scoring.{path}": message}


def test_scoring_items_must_be_scorable():
    doc = worksheet(field_of("short_text"), ACTED)
    doc["scoring"] = {
        "method": "sum",
        "items": ["short_text", "acted"],
        "min_total": 0,
        "max_total": 1,
    }
    assert messages(doc) == {
        "scoring.items[0]": (
            "Scoring item 'short_text' is a short_text field; only number, rating and "
            "single_choice fields can be scored."
        ),
        "scoring.items[1]": "Scoring item 'acted' has options without a score: 'yes', 'no'.",
    }


def test_scoring_required_keys():
    doc = worksheet(ACTED, scoring={})
    assert messages(doc) == {
        f"scoring.{key}": f"'{key}' is required."
        for key in ("method", "items", "min_total", "max_total")
    }


def test_scoring_with_rating_and_unbounded_number_items():
    doc = worksheet(field_of("rating"), field_of("number", id="hours", min=None))
    del doc["sections"][0]["fields"][1]["min"]
    doc["scoring"] = {
        "method": "sum",
        "items": ["rating", "hours"],
        "min_total": 0,
        "max_total": 34,
        "bands": [band(0, 34, "All")],
    }
    assert validate_definition(doc) == []


def test_scoring_not_an_object():
    assert messages(worksheet(ACTED, scoring=[])) == {
        "scoring": "'scoring' must be an object or null."
    }
