"""FHIR R4 Questionnaire export (validated by fhir.resources.R4B) and import."""

import copy
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from worksheets import (
    FhirImportError,
    from_questionnaire,
    load_measure,
    to_questionnaire,
    validate_definition,
)

from .examples import every_field_type, field_of, thought_record, worksheet

URL = "https://bridgework.example/fhir/Questionnaire/thought-record"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"


def export(definition: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    options = {"title": "Test", "url": URL, "version": "2", "status": "active"} | overrides
    resource = to_questionnaire(definition, **options)
    Questionnaire.model_validate(resource)
    return resource


def items_by_link_id(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            found[item["linkId"]] = item
            walk(item.get("item", []))

    walk(resource["item"])
    return found


def extension(item: dict[str, Any], suffix: str) -> dict[str, Any]:
    return next(e for e in item.get("extension", []) if e["url"].endswith(suffix))


def control(item: dict[str, Any]) -> str:
    return extension(item, "itemControl")["valueCodeableConcept"]["coding"][0]["code"]


# -- export -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "definition",
    [every_field_type(), thought_record(), load_measure("phq9"), load_measure("gad7")],
    ids=["every-field-type", "thought-record", "phq9", "gad7"],
)
def test_exports_are_valid_r4_questionnaires(definition):
    resource = export(definition)
    assert resource["resourceType"] == "Questionnaire"
    assert resource["status"] == "active"
    assert resource["url"] == URL


def test_measure_carries_its_loinc_codes():
    resource = export(load_measure("phq9"), title="PHQ-9")
    assert resource["code"] == [{"system": "http://loinc.org", "code": "44249-1"}]
    total = resource["item"][-1]
    assert total["linkId"] == "total-score"
    assert total["readOnly"] is True
    assert total["code"] == [{"system": "http://loinc.org", "code": "44261-6"}]


def test_gad7_codes():
    resource = export(load_measure("gad7"))
    assert resource["code"][0]["code"] == "69737-5"
    assert resource["item"][-1]["code"][0]["code"] == "70274-6"


def test_code_argument_replaces_the_default():
    coding = {"system": "http://snomed.info/sct", "code": "273724008"}
    assert export(load_measure("phq9"), code=[coding])["code"] == [coding]
    assert "code" not in export(every_field_type())


def test_status_is_checked():
    with pytest.raises(ValueError, match="status must be one of"):
        to_questionnaire(every_field_type(), title="T", url=URL, version="1", status="live")


def test_choice_items_carry_options_and_scores():
    q9 = items_by_link_id(export(load_measure("phq9")))["q9"]
    assert q9["type"] == "choice"
    assert q9["required"] is True
    assert q9["answerOption"][1]["valueCoding"] == {
        "code": "1",
        "display": "Several days",
        "extension": [{"url": ORDINAL, "valueDecimal": 1}],
    }


def test_sections_are_groups_and_fields_keep_their_ids():
    resource = export(every_field_type())
    first = resource["item"][0]
    assert (first["linkId"], first["type"], first["text"]) == ("section-first", "group", "First")
    assert first["item"][0] == {
        "linkId": "section-first-description",
        "type": "display",
        "text": "Start here.",
    }
    assert first["item"][1]["linkId"] == "short_text"


def test_tables_are_repeating_groups():
    table = items_by_link_id(export(every_field_type()))["table"]
    assert table["type"] == "group"
    assert table["repeats"] is True
    assert [c["linkId"] for c in table["item"]] == ["table.thought", "table.belief"]
    assert table["item"][0]["required"] is True
    assert extension(table, "maxOccurs")["valueInteger"] == 3


def test_instructions_are_markdown_display_items():
    item = items_by_link_id(export(every_field_type()))["instructions"]
    assert item["type"] == "display"
    assert item["text"] == "Take a **deep** breath."
    assert item["prefix"] == "The instructions"
    assert item["_text"]["extension"][0]["valueMarkdown"] == "Take a **deep** breath."


def test_help_is_a_help_display_child():
    definition = worksheet(field_of("short_text", help="Who, what, when."))
    item = items_by_link_id(export(definition))["short_text"]
    assert item["item"] == [
        {
            "linkId": "short_text-help",
            "type": "display",
            "text": "Who, what, when.",
            "extension": [
                {
                    "url": ITEM_CONTROL,
                    "valueCodeableConcept": {
                        "coding": [
                            {
                                "system": "http://hl7.org/fhir/questionnaire-item-control",
                                "code": "help",
                            }
                        ]
                    },
                }
            ],
        }
    ]


def test_rating_is_a_slider_with_bounds_and_end_labels():
    items = items_by_link_id(export(every_field_type()))
    rating = items["rating"]
    assert rating["type"] == "integer"
    assert control(rating) == "slider"
    assert extension(rating, "minValue")["valueInteger"] == 0
    assert extension(rating, "maxValue")["valueInteger"] == 10
    assert control(items["rating-lower"]) == "lower"
    assert items["rating-upper"]["text"] == "Extremely"


def test_durations_are_integers_in_minutes():
    duration = items_by_link_id(export(every_field_type()))["duration"]
    assert duration["type"] == "integer"
    assert extension(duration, "questionnaire-unit")["valueCoding"]["code"] == "min"


@pytest.mark.parametrize(
    ("target", "condition", "enable_when", "behavior"),
    [
        (
            field_of("single_choice", id="acted"),
            {"op": "equals", "value": "yes"},
            [{"question": "acted", "operator": "=", "answerCoding": {"code": "yes"}}],
            None,
        ),
        (
            field_of("single_choice", id="acted"),
            {"op": "in", "value": ["yes", "no"]},
            [
                {"question": "acted", "operator": "=", "answerCoding": {"code": "yes"}},
                {"question": "acted", "operator": "=", "answerCoding": {"code": "no"}},
            ],
            "any",
        ),
        (
            field_of("short_text", id="acted"),
            {"op": "answered"},
            [{"question": "acted", "operator": "exists", "answerBoolean": True}],
            None,
        ),
        (
            field_of("rating", id="acted"),
            {"op": "gte", "value": 7},
            [{"question": "acted", "operator": ">=", "answerInteger": 7}],
            None,
        ),
        (
            field_of("number", id="acted"),
            {"op": "lte", "value": 6.5},
            [{"question": "acted", "operator": "<=", "answerDecimal": 6.5}],
            None,
        ),
        (
            field_of("time", id="acted"),
            {"op": "not_equals", "value": "22:30"},
            [{"question": "acted", "operator": "!=", "answerTime": "22:30:00"}],
            None,
        ),
    ],
)
def test_show_if_becomes_enable_when(target, condition, enable_when, behavior):
    follow_up = field_of("long_text", id="follow_up", show_if={"field": "acted", **condition})
    item = items_by_link_id(export(worksheet(target, follow_up)))["follow_up"]
    assert item["enableWhen"] == enable_when
    assert item.get("enableBehavior") == behavior


def test_score_threshold_becomes_the_options_that_reach_it():
    phq9 = load_measure("phq9")
    phq9["sections"][0]["fields"].append(
        field_of("long_text", id="safety", show_if={"field": "q9", "op": "gte", "value": 2})
    )
    item = items_by_link_id(export(phq9))["safety"]
    assert [w["answerCoding"]["code"] for w in item["enableWhen"]] == ["2", "3"]
    assert item["enableBehavior"] == "any"


# -- round trip -------------------------------------------------------------------------------


def round_trip(definition: dict[str, Any]) -> dict[str, Any]:
    result = from_questionnaire(export(definition))
    assert validate_definition(result.definition) == []
    return result.definition


def test_round_trip_keeps_every_field_fhir_can_express():
    original = every_field_type()
    original["entry_mode"] = "single"
    back = round_trip(original)
    expected = copy.deepcopy(original)
    fields = expected["sections"][0]["fields"] + expected["sections"][1]["fields"]
    media = next(f for f in fields if f["type"] == "media")
    media.clear()
    media.update(
        id="media",
        type="instructions",
        label="The media",
        body="The media",
    )
    number = next(f for f in fields if f["type"] == "number")
    number["step"] = 0.1  # FHIR keeps decimal places, not the step itself
    assert back == expected


def test_round_trip_of_conditions_help_and_required():
    definition = thought_record()
    definition["sections"][0]["fields"][0]["help"] = "Who, what, when."
    assert round_trip(definition) == definition


def test_round_trip_of_a_measure_keeps_items_and_option_scores_but_not_scoring():
    phq9 = load_measure("phq9")
    result = from_questionnaire(export(phq9))
    # Risk rules are exported (our extension) but not imported: see the next test.
    del phq9["sections"][0]["fields"][8]["risk"]
    assert result.definition["sections"] == phq9["sections"]
    assert result.definition["scoring"] is None
    assert result.title == "Test"
    assert result.skipped == [
        "Read-only item 'total-score' (e.g. a calculated score) skipped.",
        "Questionnaire code (44249-1) and any scoring skipped; add scoring by hand.",
    ]


def test_risk_rules_are_exported_as_an_extension():
    fields = [
        field_of("rating", id="urge", min=0, max=5, risk={"at_least": 4, "label": "Strong urge"}),
        field_of("single_choice", id="acted", risk={"equals": "yes"}),
    ]
    items = export(worksheet(*fields))["item"][0]["item"]
    risk_url = "https://bridgework.app/fhir/StructureDefinition/risk-rule"
    rules = [[e for e in item["extension"] if e["url"] == risk_url] for item in items]
    assert rules == [
        [
            {
                "url": risk_url,
                "extension": [
                    {"url": "atLeast", "valueDecimal": 4},
                    {"url": "label", "valueString": "Strong urge"},
                ],
            }
        ],
        [{"url": risk_url, "extension": [{"url": "equals", "valueCoding": {"code": "yes"}}]}],
    ]
    imported = from_questionnaire(export(worksheet(*fields))).definition
    assert all("risk" not in f for f in imported["sections"][0]["fields"])


def test_round_trip_of_every_condition_kind():
    target = field_of("rating", id="level")
    fields = [target] + [
        field_of("short_text", id=f"f{n}", show_if={"field": "level", **condition})
        for n, condition in enumerate(
            [
                {"op": "equals", "value": 3},
                {"op": "not_equals", "value": 3},
                {"op": "in", "value": [1, 2]},
                {"op": "gte", "value": 5},
                {"op": "lte", "value": 5},
                {"op": "answered"},
            ]
        )
    ]
    definition = worksheet(*fields)
    assert round_trip(definition) == definition


def test_documented_losses():
    table = field_of("table", row_label="Thought", initial_rows=2)
    rating = field_of("rating", anchors={"0": "None", "5": "Some", "10": "All"})
    definition = worksheet(table, rating, entry_mode="multiple")
    back = round_trip(definition)
    assert back["entry_mode"] == "single"
    back_table, back_rating = back["sections"][0]["fields"]
    assert "row_label" not in back_table
    assert "initial_rows" not in back_table
    assert back_rating["anchors"] == {"0": "None", "10": "All"}


# -- import of questionnaires from elsewhere --------------------------------------------------


def foreign_questionnaire() -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "status": "active",
        "name": "SleepCheck",
        "item": [
            {"linkId": "/name", "text": "Your name", "type": "string", "maxLength": 1000},
            {"linkId": "/slept", "text": "Did you sleep well?", "type": "boolean"},
            {"linkId": "1.1", "text": "Hours asleep", "type": "decimal"},
            {"linkId": "1.2", "text": "Awakenings", "type": "integer"},
            {"linkId": "1.3", "text": "Bedtime", "type": "dateTime"},
            {"linkId": "1.4", "text": "A photo", "type": "attachment"},
            {
                "linkId": "1.5",
                "text": "Diagnosis",
                "type": "choice",
                "answerValueSet": "http://example.org/ValueSet/dx",
            },
            {
                "linkId": "1.6",
                "text": "Drink",
                "type": "open-choice",
                "answerOption": [{"valueString": "Tea"}, {"valueString": "Coffee"}],
            },
            {
                "linkId": "1.7",
                "text": "Why so many?",
                "type": "text",
                "enableWhen": [{"question": "1.2", "operator": ">", "answerInteger": 2}],
            },
            {
                "linkId": "1.8",
                "text": "Early",
                "type": "text",
                "enableWhen": [{"question": "1.9", "operator": "exists", "answerBoolean": True}],
            },
            {"linkId": "1.9", "text": "Later", "type": "string", "readOnly": True},
            {
                "linkId": "grp",
                "text": "About today",
                "type": "group",
                "item": [
                    {"linkId": "grp.note", "text": "Note", "type": "string"},
                    {
                        "linkId": "nested",
                        "type": "group",
                        "text": "Nested heading",
                        "item": [{"linkId": "deep", "text": "Deep", "type": "time"}],
                    },
                    {
                        "linkId": "log",
                        "text": "Log",
                        "type": "group",
                        "repeats": True,
                        "item": [
                            {"linkId": "log.when", "text": "When", "type": "date"},
                            {"linkId": "log.pic", "text": "Pic", "type": "attachment"},
                            {"linkId": "log.info", "text": "Info", "type": "display"},
                        ],
                    },
                    {
                        "linkId": "slept_note",
                        "text": "What helped?",
                        "type": "text",
                        "enableWhen": [
                            {"question": "/slept", "operator": "=", "answerBoolean": True}
                        ],
                    },
                ],
            },
        ],
    }


def test_import_maps_what_maps():
    result = from_questionnaire(foreign_questionnaire())
    assert validate_definition(result.definition) == []
    assert result.title == "SleepCheck"
    loose, group = result.definition["sections"]
    assert (loose["id"], loose["title"]) == ("questions", "Questions")
    assert (group["id"], group["title"]) == ("grp", "About today")
    fields = {f["id"]: f for f in loose["fields"] + group["fields"]}
    assert list(fields) == [
        "name",
        "slept",
        "q_1_1",
        "q_1_2",
        "q_1_6",
        "q_1_7",
        "q_1_8",
        "grp_note",
        "deep",
        "log",
        "slept_note",
    ]
    assert fields["name"] == {
        "id": "name",
        "type": "short_text",
        "label": "Your name",
        "max_length": 500,
    }
    assert fields["slept"]["options"] == [
        {"value": "yes", "label": "Yes"},
        {"value": "no", "label": "No"},
    ]
    assert fields["q_1_1"] == {
        "id": "q_1_1",
        "type": "number",
        "label": "Hours asleep",
        "step": 0.01,
    }
    assert fields["q_1_2"]["type"] == "number"
    assert fields["q_1_6"]["options"] == [
        {"value": "Tea", "label": "Tea"},
        {"value": "Coffee", "label": "Coffee"},
    ]
    assert fields["q_1_7"]["show_if"] == {"field": "q_1_2", "op": "gte", "value": 3}
    assert "show_if" not in fields["q_1_8"]
    assert [c["id"] for c in fields["log"]["columns"]] == ["when"]
    assert fields["slept_note"]["show_if"] == {"field": "slept", "op": "equals", "value": "yes"}


def test_import_reports_what_it_skipped():
    assert from_questionnaire(foreign_questionnaire()).skipped == [
        "Maximum length of '/name' lowered to 500.",
        "Item '1.3' skipped: the FHIR type 'dateTime' has no equivalent.",
        "Item '1.4' skipped: the FHIR type 'attachment' has no equivalent.",
        "Item '1.5' skipped: its options come from value set http://example.org/ValueSet/dx, "
        "which cannot be imported.",
        "Free-text answers of '1.6' skipped; its options were kept.",
        "Read-only item '1.9' (e.g. a calculated score) skipped.",
        "Heading of group 'nested' skipped; its items were kept.",
        "Item 'log.pic' skipped: the FHIR type 'attachment' has no equivalent.",
        "Item 'log.info' inside table 'log' skipped: not a column type.",
        "Condition on '1.8' skipped (it refers to an item that was not imported or is inside "
        "a table); it is always shown.",
    ]


def test_import_of_a_condition_on_a_later_item():
    resource = {
        "resourceType": "Questionnaire",
        "status": "draft",
        "item": [
            {
                "linkId": "a",
                "text": "A",
                "type": "string",
                "enableWhen": [{"question": "b", "operator": "exists", "answerBoolean": True}],
            },
            {"linkId": "b", "text": "B", "type": "string"},
        ],
    }
    result = from_questionnaire(resource)
    assert "show_if" not in result.definition["sections"][0]["fields"][0]
    assert result.skipped == [
        "Condition on 'a' skipped (it refers to a later item); it is always shown."
    ]


def test_import_makes_ids_valid_and_unique():
    resource = {
        "resourceType": "Questionnaire",
        "status": "draft",
        "item": [
            {"linkId": "/44250-9", "text": "A", "type": "string"},
            {"linkId": "/44250_9", "text": "B", "type": "string"},
            {"linkId": "Ünïcode!", "text": "C", "type": "string"},
        ],
    }
    fields = from_questionnaire(resource).definition["sections"][0]["fields"]
    assert [f["id"] for f in fields] == ["q_44250_9", "q_44250_9_2", "n_code"]


def test_import_rejects_what_is_not_a_questionnaire():
    with pytest.raises(FhirImportError, match="not a FHIR Questionnaire"):
        from_questionnaire({"resourceType": "Patient"})


def test_import_rejects_a_questionnaire_with_nothing_usable():
    resource = {
        "resourceType": "Questionnaire",
        "status": "draft",
        "item": [{"linkId": "a", "type": "attachment", "text": "File"}],
    }
    with pytest.raises(FhirImportError, match="no items that can become a worksheet"):
        from_questionnaire(resource)


def test_import_rejects_a_malformed_questionnaire():
    resource = {"resourceType": "Questionnaire", "status": "active", "item": ["q1"]}
    with pytest.raises(FhirImportError, match=r"not a valid FHIR R4 Questionnaire \(item\.0: "):
        from_questionnaire(resource)
