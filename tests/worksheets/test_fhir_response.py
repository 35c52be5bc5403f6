"""Answers <-> FHIR R4 QuestionnaireResponse items: every field type, validated against the
R4B models, read back to the same answers; bad items are named."""

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from tests.worksheets.examples import every_field_type, valid_answers
from worksheets import (
    InvalidResponse,
    answers_from_items,
    check_response_resource,
    clean_response,
    questionnaire_response,
)
from worksheets.fhir.response import to_response_items
from worksheets.types import FIELD_TYPES


def _resource(definition, answers):
    return questionnaire_response(
        definition,
        answers,
        questionnaire="https://example.test/fhir/Questionnaire/1|1",
        status="completed",
        authored="2025-03-14T19:30:00+00:00",
        subject={"reference": "urn:uuid:7d1f0f0e-8c7a-4a43-9d3e-0d6a1b8c2f10"},
        resource_id="0b7c3a1e-4d0b-4e8a-9a1f-1d1d3c2b4a5f",
    )


def test_every_field_type_round_trips_and_validates():
    definition = every_field_type()
    answers = clean_response(definition, valid_answers())
    resource = _resource(definition, answers)

    QuestionnaireResponse.model_validate(resource)  # raises on anything not R4
    # Files are exported as attachments but never imported: they are not in our storage.
    kept = {k: v for k, v in answers.items() if k not in ("audio", "photo")}
    assert answers_from_items(definition, resource["item"]) == kept
    assert clean_response(definition, answers_from_items(definition, resource["item"])) == kept
    answered = {t for t in FIELD_TYPES if t in answers}
    linked = {child["linkId"] for group in resource["item"] for child in group["item"]}
    assert answered <= linked


def test_answers_are_typed_per_field_type():
    definition = every_field_type()
    items = to_response_items(definition, clean_response(definition, valid_answers()))
    by_id = {child["linkId"]: child for group in items for child in group["item"]}

    assert by_id["rating"]["answer"] == [{"valueInteger": 8}]
    assert by_id["number"]["answer"] == [{"valueDecimal": 7.5}]
    assert by_id["single_choice"]["answer"] == [{"valueCoding": {"code": "yes", "display": "Yes"}}]
    assert [a["valueCoding"]["code"] for a in by_id["multiple_choice"]["answer"]] == [
        "walk",
        "read",
    ]
    assert by_id["date"]["answer"] == [{"valueDate": "2025-03-14"}]
    assert by_id["time"]["answer"] == [{"valueTime": "19:30:00"}]
    assert by_id["duration"]["answer"] == [{"valueInteger": 45}]
    assert by_id["long_text"]["answer"] == [
        {"valueString": "She walked past without saying hello."}
    ]
    emotion = by_id["emotions"]["item"]
    assert emotion[0] == {
        "linkId": "emotions.emotion",
        "text": "Emotion",
        "answer": [{"valueString": "Anxious"}],
    }
    assert [c["linkId"] for c in by_id["table"]["item"]] == ["table.thought", "table.belief"]
    assert [c["linkId"] for c in by_id["commitment"]["item"]] == [
        "commitment.signature",
        "commitment.date",
    ]


def test_unanswered_questions_and_empty_sections_are_left_out():
    definition = every_field_type()
    resource = _resource(definition, {"rating": 3})
    QuestionnaireResponse.model_validate(resource)
    assert [group["linkId"] for group in resource["item"]] == ["section-first"]
    assert [c["linkId"] for c in resource["item"][0]["item"]] == ["rating"]


def test_unknown_and_repeated_questions_are_named():
    definition = every_field_type()
    items = [
        {"linkId": "mystery", "answer": [{"valueString": "x"}]},
        {"linkId": "rating", "answer": [{"valueInteger": 1}]},
        {"linkId": "rating", "answer": [{"valueInteger": 2}]},
        {"linkId": "date", "answer": [{"valueDate": "2025-01-01"}, {"valueDate": "2025-01-02"}]},
        {"linkId": "table", "item": [{"linkId": "table.nope", "answer": [{"valueString": "x"}]}]},
    ]
    with pytest.raises(InvalidResponse) as caught:
        answers_from_items(definition, items)
    paths = {issue.path for issue in caught.value.issues}
    assert paths == {"mystery", "rating", "date", "table[0]"}


def test_wrong_types_are_left_to_the_engines_answer_checks():
    definition = every_field_type()
    answers = answers_from_items(
        definition, [{"linkId": "rating", "answer": [{"valueString": "lots"}]}]
    )
    with pytest.raises(InvalidResponse) as caught:
        clean_response(definition, answers)
    assert [issue.path for issue in caught.value.issues] == ["rating"]


def test_questionnaire_items_in_sections_or_flat_both_read():
    definition = every_field_type()
    flat = [{"linkId": "rating", "answer": [{"valueInteger": 4}]}]
    assert answers_from_items(definition, flat) == {"rating": 4}


def test_a_resource_that_is_not_fhir_r4_is_refused():
    with pytest.raises(InvalidResponse):
        check_response_resource({"resourceType": "Patient"})
    with pytest.raises(InvalidResponse) as caught:
        check_response_resource(
            {"resourceType": "QuestionnaireResponse", "status": "completed", "authored": "Tuesday"}
        )
    assert caught.value.issues[0].path.startswith("authored")
