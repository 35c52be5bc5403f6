"""Risk rules: declared on the item, validated at its path by what the item's type allows,
and evaluated on whatever was answered."""

import pytest

from worksheets import load_measure, risk_answers, risk_rules, validate_definition

from .examples import field_of, worksheet

SCORED = [
    {"value": "0", "label": "Never", "score": 0},
    {"value": "1", "label": "Sometimes", "score": 1},
    {"value": "2", "label": "Often", "score": 2},
]


def _issues(field):
    return [(i.path, i.message) for i in validate_definition(worksheet(field))]


@pytest.mark.parametrize(
    "field",
    [
        field_of("rating", min=0, max=5, anchors={"0": "None"}, risk={"at_least": 4}),
        field_of("number", risk={"at_least": 10}),
        field_of("duration", risk={"at_least": 60, "label": "Long time"}),
        field_of("single_choice", risk={"equals": "yes"}),
        field_of("single_choice", options=SCORED, risk={"at_least": 1}),
        field_of("single_choice", options=SCORED, risk={"equals": "2"}),
        field_of("checklist", risk={"equals": "mind_reading"}),
        field_of("multiple_choice", risk={"equals": "call"}),
    ],
)
def test_rules_each_type_takes(field):
    assert _issues(field) == []


PATH = "sections[0].fields[0].risk"


@pytest.mark.parametrize(
    ("field", "path", "message"),
    [
        (
            field_of("rating", risk={"at_least": 11}),
            f"{PATH}.at_least",
            "'11' is outside the range of 'rating'.",
        ),
        (
            field_of("rating", risk={"at_least": 0}),
            f"{PATH}.at_least",
            "Every answer is at least 0, so this would alert on every answer; choose a "
            "higher level.",
        ),
        (
            field_of("single_choice", risk={"equals": "maybe"}),
            f"{PATH}.equals",
            "'maybe' is not an option value of 'single_choice'.",
        ),
        (
            field_of("single_choice", risk={"at_least": 1}),
            f"{PATH}.at_least",
            "'at_least' cannot be used on 'single_choice' (a single_choice field); use "
            "equals (or give every option a score).",
        ),
        (
            field_of("single_choice", options=SCORED, risk={"at_least": 3}),
            f"{PATH}.at_least",
            "No option of 'single_choice' scores ≥ 3, so this is never true.",
        ),
        (
            field_of("checklist", risk={"equals": "nope"}),
            f"{PATH}.equals",
            "'nope' is not an option value of 'checklist'.",
        ),
        (
            field_of("rating", risk={"equals": 3}),
            f"{PATH}.equals",
            "'equals' cannot be used on 'rating' (a rating field); use at_least.",
        ),
        (
            field_of("short_text", risk={"equals": "x"}),
            f"{PATH}.equals",
            "'short_text' (a short_text field) cannot carry a risk rule: only numbers, "
            "ratings, durations and choices have a level or an option to alert on.",
        ),
        (
            field_of("rating", risk={"at_least": 2, "equals": "3"}),
            f"{PATH}.equals",
            "Use either 'at_least' or 'equals', not both.",
        ),
        (
            field_of("rating", risk={"label": "Urge"}),
            PATH,
            "A risk rule needs 'at_least' (a level) or 'equals' (a value).",
        ),
        (
            field_of("rating", risk={"at_least": 2, "label": ""}),
            f"{PATH}.label",
            "'label' must not be blank.",
        ),
        (
            field_of("rating", risk=1),
            PATH,
            """'risk' must be an object such as {"at_least": 1} or {"equals": "yes"}.""",
        ),
    ],
)
def test_bad_rules_are_refused_at_their_path(field, path, message):
    assert (path, message) in _issues(field)


def test_table_columns_cannot_carry_a_rule():
    column = field_of("rating", id="level", risk={"at_least": 5})
    table = field_of("table", columns=[column])
    assert _issues(table) == [
        (
            "sections[0].fields[0].columns[0].risk",
            "Table columns cannot carry a risk rule; ask the question as a field of its own.",
        )
    ]


def test_a_legacy_critical_rule_naming_a_missing_item_is_refused():
    definition = load_measure("phq9")
    definition["scoring"]["critical"] = [
        {"field": "q10", "op": "gte", "value": 1, "message": "Item 10."}
    ]
    assert [i.path for i in validate_definition(definition)] == ["scoring.critical[0].field"]


def test_answers_meeting_rules_say_the_level_and_the_answer():
    urge = field_of("rating", id="urge", min=0, max=5, anchors={"5": "Extreme"})
    urge["risk"] = {"at_least": 4, "label": "Strong urge"}
    ticked = field_of("checklist", id="traps", risk={"equals": "mind_reading"})
    definition = worksheet(urge, ticked)
    found = risk_answers(definition, {"urge": 5, "traps": ["catastrophising", "mind_reading"]})
    assert [(a.field, a.level, a.answer, a.message) for a in found] == [
        ("urge", 5, "5 (0–5): Extreme", "Strong urge: answered “5 (0–5): Extreme”."),
        ("traps", None, "Mind reading", "The checklist: answered “Mind reading”."),
    ]
    assert risk_answers(definition, {"urge": 3, "traps": ["catastrophising"]}) == []


def test_legacy_critical_rules_still_alert():
    definition = load_measure("phq9")
    del definition["sections"][0]["fields"][8]["risk"]
    definition["scoring"]["critical"] = [
        {"field": "q9", "op": "gte", "value": 1, "message": "Thoughts of self-harm reported."}
    ]
    assert validate_definition(definition) == []
    assert [r.field for r in risk_rules(definition)] == ["q9"]
    [found] = risk_answers(definition, {"q9": "2"})
    assert (found.level, found.rule.label) == (2, "Thoughts of self-harm reported.")
