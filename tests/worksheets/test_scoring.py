"""Scoring: PHQ-9 and GAD-7 on every band boundary, risk flags, incomplete responses."""

from typing import Any

import pytest

from worksheets import (
    Band,
    clean_response,
    load_measure,
    score_response,
    validate_definition,
)

from .examples import field_of, worksheet

SELF_HARM = "Thoughts of self-harm (item 9)"


def flagged(result) -> list[tuple[str, int | float | None]]:
    """The flagged items and the level each endorses."""
    return [(flag.field, flag.level) for flag in result.flags]


FURTHER_EVALUATION = "A score of 10 or more suggests further evaluation."


def answers_for_total(items: int, total: int, *, last: int = 0) -> dict[str, str]:
    """Answers adding up to ``total``, with the last item fixed at ``last``."""
    answers = {f"q{items}": str(last)}
    remaining = total - last
    for number in range(1, items):
        score = min(3, remaining)
        answers[f"q{number}"] = str(score)
        remaining -= score
    assert remaining == 0
    return answers


@pytest.mark.parametrize(
    ("total", "label", "severity"),
    [
        (0, "Minimal", "minimal"),
        (4, "Minimal", "minimal"),
        (5, "Mild", "mild"),
        (9, "Mild", "mild"),
        (10, "Moderate", "moderate"),
        (14, "Moderate", "moderate"),
        (15, "Moderately severe", "moderately_severe"),
        (19, "Moderately severe", "moderately_severe"),
        (20, "Severe", "severe"),
        (24, "Severe", "severe"),
    ],
)
def test_phq9_bands(total, label, severity):
    phq9 = load_measure("phq9")
    answers = clean_response(phq9, answers_for_total(9, total))
    result = score_response(phq9, answers)
    assert result.total == total
    assert result.band == Band(label, severity)
    assert result.complete
    assert result.flags == []


@pytest.mark.parametrize(("total", "item9"), [(25, 1), (27, 3)])
def test_phq9_top_band_needs_item_9(total, item9):
    phq9 = load_measure("phq9")
    result = score_response(phq9, answers_for_total(9, total, last=item9))
    assert result.total == total
    assert result.band == Band("Severe", "severe")
    assert flagged(result) == [("q9", item9)]


@pytest.mark.parametrize(("item9", "alerts"), [("0", False), ("1", True), ("2", True), ("3", True)])
def test_phq9_item_9_flag(item9, alerts):
    answers = answers_for_total(9, 2) | {"q9": item9}
    result = score_response(load_measure("phq9"), answers)
    assert (flagged(result) == [("q9", int(item9))]) is alerts
    assert result.total == 2 + int(item9)


def test_phq9_item_9_flags_an_incomplete_response():
    result = score_response(load_measure("phq9"), {"q9": "1"})
    assert flagged(result) == [("q9", 1)]
    assert result.total is None
    assert result.band is None
    assert not result.complete


def test_phq9_missing_item_gives_no_total():
    answers = answers_for_total(9, 12)
    del answers["q3"]
    result = score_response(load_measure("phq9"), answers)
    assert result.total is None
    assert result.band is None
    assert not result.complete
    assert "q3" not in result.items
    assert len(result.items) == 8


@pytest.mark.parametrize(
    ("total", "label", "note"),
    [
        (0, "Minimal", None),
        (4, "Minimal", None),
        (5, "Mild", None),
        (9, "Mild", None),
        (10, "Moderate", FURTHER_EVALUATION),
        (14, "Moderate", FURTHER_EVALUATION),
        (15, "Severe", FURTHER_EVALUATION),
        (21, "Severe", FURTHER_EVALUATION),
    ],
)
def test_gad7_bands(total, label, note):
    gad7 = load_measure("gad7")
    result = score_response(gad7, answers_for_total(7, total, last=min(3, total)))
    assert result.total == total
    assert result.band == Band(label, label.lower(), note)
    assert result.flags == []


def test_as_dict_is_the_documented_shape():
    result = score_response(load_measure("gad7"), answers_for_total(7, 12, last=3))
    assert result.as_dict() == {
        "total": 12,
        "band": {"label": "Moderate", "severity": "moderate", "note": FURTHER_EVALUATION},
        "items": {"q7": 3, "q1": 3, "q2": 3, "q3": 3, "q4": 0, "q5": 0, "q6": 0},
        "flags": [],
        "complete": True,
        "prorated": False,
    }


def test_as_dict_with_flags_and_no_band():
    result = score_response(load_measure("phq9"), {"q9": "2"})
    assert result.as_dict() == {
        "total": None,
        "band": None,
        "items": {"q9": 2},
        "flags": [
            {
                "field": "q9",
                "message": f"{SELF_HARM}: answered “More than half the days” (level 2).",
            }
        ],
        "complete": False,
        "prorated": False,
    }


def test_unscored_worksheet():
    assert score_response(worksheet(field_of("time")), {"time": "10:00"}) is None


def test_invalid_item_answer_counts_as_missing():
    answers = answers_for_total(9, 9) | {"q1": "7"}
    result = score_response(load_measure("phq9"), answers)
    assert "q1" not in result.items
    assert result.total is None


# -- options: prorating, partial totals, rating and number items ------------------------------


def phq9_with(**scoring: Any) -> dict[str, Any]:
    measure = load_measure("phq9")
    measure["scoring"].update(scoring)
    assert validate_definition(measure) == []
    return measure


def test_prorating_fills_in_up_to_the_allowed_number_of_missing_items():
    measure = phq9_with(prorate_max_missing=1)
    answers = answers_for_total(9, 11)
    del answers["q9"]  # 8 answered items totalling 11: 11 * 9 / 8 = 12.375
    result = score_response(measure, answers)
    assert result.total == 12
    assert result.prorated
    assert not result.complete
    assert result.band.label == "Moderate"


def test_prorating_rounds_half_up():
    measure = phq9_with(prorate_max_missing=1)
    answers = {f"q{n}": "1" for n in range(1, 9)} | {"q1": "0", "q2": "0", "q3": "0", "q4": "0"}
    # 8 answered, total 4: 4 * 9 / 8 = 4.5 -> 5
    assert score_response(measure, answers).total == 5


def test_too_many_missing_items_to_prorate():
    measure = phq9_with(prorate_max_missing=1)
    answers = answers_for_total(9, 11)
    del answers["q8"], answers["q9"]
    result = score_response(measure, answers)
    assert result.total is None
    assert not result.prorated


def test_without_requires_all_items_the_total_is_what_was_answered():
    measure = phq9_with(requires_all_items=False)
    result = score_response(measure, {"q1": "3", "q2": "2"})
    assert result.total == 5
    assert result.band.label == "Mild"
    assert not result.complete
    assert not result.prorated


def test_nothing_answered_has_no_total_even_when_partial_totals_are_allowed():
    result = score_response(phq9_with(requires_all_items=False), {})
    assert result.total is None
    assert result.items == {}


def wellbeing() -> dict[str, Any]:
    """Rating and number items; fractional totals fall in the band below the next one."""
    definition = worksheet(
        field_of("rating", id="mood", min=0, max=10),
        field_of("number", id="sleep", min=0, max=10, step=0.5),
    )
    definition["scoring"] = {
        "method": "sum",
        "items": ["mood", "sleep"],
        "min_total": 0,
        "max_total": 20,
        "bands": [
            {"min": 0, "max": 9, "label": "Low", "severity": "low"},
            {"min": 10, "max": 20, "label": "High", "severity": "high"},
        ],
    }
    assert validate_definition(definition) == []
    return definition


@pytest.mark.parametrize(
    ("mood", "sleep", "total", "label"),
    [(3, 6.5, 9.5, "Low"), (3, 7, 10, "High"), (10, 10, 20, "High"), (0, 0.5, 0.5, "Low")],
)
def test_rating_and_number_items(mood, sleep, total, label):
    result = score_response(wellbeing(), {"mood": mood, "sleep": sleep})
    assert result.total == total
    assert result.band.label == label
    assert result.items == {"mood": mood, "sleep": sleep}
