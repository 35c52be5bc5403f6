"""Reliable and clinically significant change on PHQ-9 and GAD-7, at the boundaries; the
thresholds come from the measure definitions (their `outcomes`), with their source."""

import json
from pathlib import Path

import pytest

from assignments.measures import (
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    UNKNOWN,
    classify,
    thresholds_for,
)

SEED = Path(__file__).resolve().parents[2] / "library" / "seed" / "activities"


def definition(slug):
    return json.loads((SEED / f"{slug}.json").read_text())["definition"]


PHQ9 = thresholds_for(definition("phq-9"))
GAD7 = thresholds_for(definition("gad-7"))


def test_measures_are_recognised_by_their_loinc_panel():
    assert (PHQ9.name, PHQ9.reliable_change, PHQ9.clinical_cutoff) == ("PHQ-9", 6, 10)
    assert (GAD7.name, GAD7.reliable_change, GAD7.clinical_cutoff) == ("GAD-7", 4, 8)
    assert thresholds_for(definition("daily-mood-log")) is None
    assert thresholds_for(None) is None
    assert thresholds_for({"scoring": {"loinc": {"panel": 12}}}) is None


@pytest.mark.parametrize(
    ("baseline", "latest", "direction", "significant"),
    [
        (15, 9, IMPROVED, True),  # exactly 6 down, and from 15 to below 10
        (15, 10, NO_RELIABLE_CHANGE, False),  # 5 down; 10 is still clinical
        (10, 4, IMPROVED, True),  # 10 is the first clinical score
        (9, 3, IMPROVED, False),  # reliable, but never in the clinical range
        (12, 9, NO_RELIABLE_CHANGE, True),  # crossed the cut-off without reliable change
        (8, 14, DETERIORATED, False),  # exactly 6 up
        (8, 13, NO_RELIABLE_CHANGE, False),  # 5 up
        (11, 11, NO_RELIABLE_CHANGE, False),
    ],
)
def test_phq9_boundaries(baseline, latest, direction, significant):
    change = classify(baseline, latest, PHQ9)
    assert change.direction == direction
    assert change.clinically_significant is significant
    assert change.delta == latest - baseline
    assert change.reliable_recovery is (direction == IMPROVED and significant)


@pytest.mark.parametrize(
    ("baseline", "latest", "direction", "significant"),
    [
        (11, 7, IMPROVED, True),  # exactly 4 down, from clinical to below 8
        (11, 8, NO_RELIABLE_CHANGE, False),  # 3 down; 8 is clinical
        (8, 4, IMPROVED, True),  # 8 is the first clinical score
        (7, 3, IMPROVED, False),
        (5, 9, DETERIORATED, False),  # exactly 4 up
        (5, 8, NO_RELIABLE_CHANGE, False),  # 3 up
    ],
)
def test_gad7_boundaries(baseline, latest, direction, significant):
    change = classify(baseline, latest, GAD7)
    assert change.direction == direction
    assert change.clinically_significant is significant


def test_labels_and_unknowns():
    assert classify(15, 9, PHQ9).label == "Reliable improvement"
    assert classify(8, 14, PHQ9).label == "Reliable deterioration"
    assert classify(8, 9, PHQ9).label == "No reliable change"
    one = classify(12, None, PHQ9)
    assert (one.direction, one.delta, one.label) == (UNKNOWN, None, "")
    unknown_measure = classify(30, 10, None)
    assert (unknown_measure.direction, unknown_measure.delta) == (UNKNOWN, -20)
    assert not unknown_measure.clinically_significant


def test_thresholds_come_from_the_measures_outcomes_with_their_source():
    from worksheets import load_measure
    from worksheets.measures import measure_outcomes

    for thresholds in (PHQ9, GAD7):
        assert "NHS Talking Therapies" in thresholds.source
        assert "Jacobson & Truax (1991)" in thresholds.source
    assert measure_outcomes("44249-1")["reliable_change"] == PHQ9.reliable_change
    # The outcomes are not part of the worksheet definition a practice copies and edits.
    assert "outcomes" not in load_measure("phq9")
