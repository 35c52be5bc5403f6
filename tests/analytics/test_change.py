"""The outcome categories of ``assignments.measures`` on PHQ-9 and GAD-7, at their boundaries:
reliable improvement and deterioration, no reliable change, recovery, reliable recovery,
response and remission; the thresholds come from the measure definitions (their `outcomes`),
each with its source."""

import json
from pathlib import Path

import pytest

from assignments.measures import (
    CATEGORIES,
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    RECOVERY,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    RELIABLE_RECOVERY,
    REMISSION,
    RESPONSE,
    UNKNOWN,
    band_note,
    classify,
    known_thresholds,
    thresholds_for,
)
from worksheets.measures import MEASURES, _read

SEED = Path(__file__).resolve().parents[2] / "library" / "seed" / "activities"


def definition(slug):
    return json.loads((SEED / f"{slug}.json").read_text())["definition"]


PHQ9 = thresholds_for(definition("phq-9"))
GAD7 = thresholds_for(definition("gad-7"))


def test_measures_are_recognised_by_their_loinc_panel():
    assert (PHQ9.name, PHQ9.reliable_change, PHQ9.clinical_cutoff) == ("PHQ-9", 6, 10)
    assert (GAD7.name, GAD7.reliable_change, GAD7.clinical_cutoff) == ("GAD-7", 4, 8)
    assert (PHQ9.remission_below, GAD7.remission_below) == (5, 5)
    assert thresholds_for(definition("daily-mood-log")) is None
    assert thresholds_for(None) is None
    assert thresholds_for({"scoring": {"loinc": {"panel": 12}}}) is None


def keys(baseline, latest, thresholds):
    return set(classify(baseline, latest, thresholds).category_keys)


@pytest.mark.parametrize(
    ("baseline", "latest", "category", "also"),
    [
        # The clinician's case: crossing the cut-off by 3 points is recovery, not reliable.
        (12, 9, RECOVERY, set()),
        (14, 8, RELIABLE_RECOVERY, {RELIABLE_IMPROVEMENT, RECOVERY}),  # 6 down, below 10
        (20, 9, RELIABLE_RECOVERY, {RELIABLE_IMPROVEMENT, RECOVERY, RESPONSE}),  # 55 %
        (20, 10, RELIABLE_IMPROVEMENT, {RESPONSE}),  # exactly 50 %; 10 is still caseness
        (20, 11, RELIABLE_IMPROVEMENT, set()),  # 45 %: no response
        (15, 10, NO_RELIABLE_CHANGE, set()),  # 5 down; 10 is still caseness
        (10, 4, RELIABLE_RECOVERY, {RELIABLE_IMPROVEMENT, RECOVERY, RESPONSE, REMISSION}),
        (9, 3, RELIABLE_IMPROVEMENT, {RESPONSE, REMISSION}),  # never at caseness: no recovery
        (9, 5, NO_RELIABLE_CHANGE, set()),  # 5 is not below the remission threshold
        (8, 4, NO_RELIABLE_CHANGE, {RESPONSE, REMISSION}),  # remission without reliable change
        (9, 15, RELIABLE_DETERIORATION, set()),  # 6 up
        (8, 13, NO_RELIABLE_CHANGE, set()),  # 5 up
        (4, 4, NO_RELIABLE_CHANGE, set()),  # below 5 from the start: not remission
        (0, 0, NO_RELIABLE_CHANGE, set()),  # a baseline of 0 cannot halve
        (11, 11, NO_RELIABLE_CHANGE, set()),
    ],
)
def test_phq9_categories_at_their_boundaries(baseline, latest, category, also):
    change = classify(baseline, latest, PHQ9)
    assert change.category == category
    assert keys(baseline, latest, PHQ9) == {category} | also
    assert change.label == CATEGORIES[category].label
    assert change.delta == latest - baseline
    # Clinically significant (Jacobson & Truax) is reliable recovery, never recovery alone.
    assert change.clinically_significant is (category == RELIABLE_RECOVERY)


@pytest.mark.parametrize(
    ("baseline", "latest", "category", "also"),
    [
        (10, 6, RELIABLE_RECOVERY, {RELIABLE_IMPROVEMENT, RECOVERY}),  # 4 down, below 8
        (11, 8, NO_RELIABLE_CHANGE, set()),  # 3 down; 8 is caseness
        (8, 4, RELIABLE_RECOVERY, {RELIABLE_IMPROVEMENT, RECOVERY, RESPONSE, REMISSION}),
        (9, 7, RECOVERY, set()),  # 2 down across 8
        (7, 3, RELIABLE_IMPROVEMENT, {RESPONSE, REMISSION}),
        (5, 9, RELIABLE_DETERIORATION, set()),  # exactly 4 up
        (5, 8, NO_RELIABLE_CHANGE, set()),  # 3 up
    ],
)
def test_gad7_categories_at_their_boundaries(baseline, latest, category, also):
    change = classify(baseline, latest, GAD7)
    assert change.category == category
    assert keys(baseline, latest, GAD7) == {category} | also


def test_directions_stay_as_the_api_names_them():
    assert classify(15, 9, PHQ9).direction == IMPROVED
    assert classify(8, 14, PHQ9).direction == DETERIORATED
    assert classify(8, 9, PHQ9).direction == NO_RELIABLE_CHANGE


def test_remission_already_at_baseline_is_said_but_not_counted():
    change = classify(4, 4, PHQ9)
    assert REMISSION not in change.category_keys
    assert change.remission_at_baseline
    assert not classify(12, 4, PHQ9).remission_at_baseline


def test_a_measure_without_thresholds_gets_points_and_response_only():
    change = classify(12, 6, None)
    assert (change.direction, change.delta, change.category, change.label) == (
        UNKNOWN,
        -6,
        "",
        "",
    )
    assert change.category_keys == [RESPONSE]  # halving needs no cut-off
    assert not change.recovery and not change.remission and not change.clinically_significant
    assert classify(12, 7, None).category_keys == []


def test_one_score_is_not_a_change():
    one = classify(12, None, PHQ9)
    assert (one.direction, one.delta, one.label, one.category_keys) == (UNKNOWN, None, "", [])


def test_a_mild_gad7_at_caseness_explains_itself():
    assert band_note("Mild", 8, GAD7) == (
        "Mild; at or above the caseness cut-off of 8 used by NHS Talking Therapies"
    )
    assert band_note("Mild", 7, GAD7) == (
        "Mild; below the caseness cut-off of 8 used by NHS Talking Therapies"
    )
    assert band_note("Mild", 7, None) == "Mild"


def test_every_category_and_threshold_cites_its_source():
    for category in CATEGORIES.values():
        assert category.definition and category.source, category.key
    assert "Jacobson & Truax (1991)" in CATEGORIES[RELIABLE_RECOVERY].source
    assert "Talking Therapies" in CATEGORIES[RECOVERY].source
    assert "Kroenke" in CATEGORIES[REMISSION].source
    for name in ("phq9", "gad7"):  # the measures whose change is judged
        outcomes = _read(name)["outcomes"]
        assert "Talking Therapies" in outcomes["source"] and "Jacobson" in outcomes["source"]
        assert outcomes["remission_source"]
    for name in MEASURES:  # every other one says where its numbers come from, or that none are
        assert _read(name)["outcomes"]["source"], name
    assert {t.name for t in known_thresholds()} >= {"PHQ-9", "GAD-7"}
