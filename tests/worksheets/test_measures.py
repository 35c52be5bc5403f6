"""The shipped PHQ-9 and GAD-7 match the published instruments (see DOMAIN.md)."""

import pytest

from worksheets import iter_fields, load_measure

ANSWER_SCALE = [
    {"value": "0", "label": "Not at all", "score": 0},
    {"value": "1", "label": "Several days", "score": 1},
    {"value": "2", "label": "More than half the days", "score": 2},
    {"value": "3", "label": "Nearly every day", "score": 3},
]


def bands(measure: dict) -> list[tuple[int, int, str]]:
    return [(b["min"], b["max"], b["severity"]) for b in measure["scoring"]["bands"]]


def test_phq9():
    phq9 = load_measure("phq9")
    fields = list(iter_fields(phq9))
    # q1–q9 and the unscored functional-difficulty question (tests/worksheets/test_instruments.py).
    assert [f["id"] for f in fields] == [f"q{n}" for n in range(1, 10)] + ["difficulty"]
    fields = fields[:9]
    assert fields[0]["label"] == "Little interest or pleasure in doing things"
    assert fields[1]["label"] == "Feeling down, depressed, or hopeless"
    assert fields[8]["label"] == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert all(f["options"] == ANSWER_SCALE and f["required"] for f in fields)
    scoring = phq9["scoring"]
    assert (scoring["min_total"], scoring["max_total"]) == (0, 27)
    assert bands(phq9) == [
        (0, 4, "minimal"),
        (5, 9, "mild"),
        (10, 14, "moderate"),
        (15, 19, "moderately_severe"),
        (20, 27, "severe"),
    ]
    # The alert on item 9 is the item's own risk rule (no longer ``scoring.critical``).
    assert "critical" not in scoring
    assert fields[8]["risk"] == {"at_least": 1, "label": "Thoughts of self-harm (item 9)"}
    assert [f["id"] for f in fields if "risk" in f] == ["q9"]
    assert scoring["loinc"] == {"panel": "44249-1", "total": "44261-6"}


def test_gad7():
    gad7 = load_measure("gad7")
    fields = list(iter_fields(gad7))
    assert [f["id"] for f in fields] == [f"q{n}" for n in range(1, 8)] + ["difficulty"]
    fields = fields[:7]
    assert fields[0]["label"] == "Feeling nervous, anxious, or on edge"
    assert fields[6]["label"] == "Feeling afraid, as if something awful might happen"
    assert all(f["options"] == ANSWER_SCALE for f in fields)
    assert gad7["scoring"]["max_total"] == 21
    assert bands(gad7) == [
        (0, 4, "minimal"),
        (5, 9, "mild"),
        (10, 14, "moderate"),
        (15, 21, "severe"),
    ]
    notes = [b.get("note") for b in gad7["scoring"]["bands"]]
    assert notes[:2] == [None, None]
    assert notes[2] == notes[3] == "A score of 10 or more suggests further evaluation."
    assert gad7["scoring"]["critical"] == []
    assert gad7["scoring"]["loinc"] == {"panel": "69737-5", "total": "70274-6"}


def test_load_measure_returns_a_fresh_copy():
    first = load_measure("phq9")
    first["sections"].clear()
    assert load_measure("phq9")["sections"]


def test_unknown_measure():
    with pytest.raises(KeyError, match="No standard measure named 'bdi'"):
        load_measure("bdi")
