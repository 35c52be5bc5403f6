"""Subscales in the scoring engine: named groups of the scoring items with their own total
(times a multiplier) and bands, validated like the main bands and scored without proration."""

from __future__ import annotations

from worksheets import score_response, validate_definition


def _choice(field_id: str, scores: list[int]) -> dict:
    return {
        "id": field_id,
        "type": "single_choice",
        "label": f"Item {field_id}",
        "options": [{"value": str(s), "label": f"Option {s}", "score": s} for s in scores],
    }


def definition(**subscale) -> dict:
    """Four items: a and b scored 0–3, c reverse-scored 3–0 (its first option scores 3), d a
    0–10 rating."""
    reverse = _choice("c", [3, 2, 1, 0])
    reverse["options"] = [
        {"value": value, "label": label, "score": score}
        for value, label, score in (
            ("never", "Never", 3),
            ("sometimes", "Sometimes", 2),
            ("often", "Often", 1),
            ("always", "Always", 0),
        )
    ]
    rating = {"id": "d", "type": "rating", "label": "Item d", "min": 0, "max": 10}
    return {
        "schema_version": 1,
        "sections": [
            {
                "id": "s",
                "title": "S",
                "fields": [_choice("a", [0, 1, 2, 3]), _choice("b", [0, 1, 2, 3]), reverse, rating],
            }
        ],
        "scoring": {
            "method": "sum",
            "items": ["a", "b", "c", "d"],
            "min_total": 0,
            "max_total": 19,
            "subscales": [
                {
                    "id": "first",
                    "label": "First",
                    "items": ["a", "c"],
                    "multiplier": 2,
                    "bands": [
                        {"min": 0, "max": 5, "label": "Low", "severity": "mild"},
                        {"min": 6, "max": 12, "label": "High", "severity": "severe"},
                    ],
                    **subscale,
                },
                {"id": "second", "label": "Second", "items": ["b", "d"]},
            ],
        },
    }


def messages(doc: dict) -> dict[str, str]:
    return {issue.path: issue.message for issue in validate_definition(doc)}


def test_a_sound_subscale_definition_is_valid():
    assert validate_definition(definition()) == []


def test_subscale_totals_multiply_and_band_with_reverse_scored_items():
    result = score_response(definition(), {"a": "2", "b": "1", "c": "never", "d": 4})
    assert result.total == 2 + 1 + 3 + 4
    first, second = result.subscales
    assert (first.id, first.total, first.band.label) == ("first", (2 + 3) * 2, "High")
    assert (second.id, second.total, second.band) == ("second", 5, None)
    # "Always" on the reverse-scored item scores 0.
    low = score_response(definition(), {"a": "2", "b": "0", "c": "always", "d": 0})
    assert (low.subscales[0].total, low.subscales[0].band.label) == (4, "Low")
    assert low.as_dict()["subscales"] == [
        {"id": "first", "label": "First", "total": 4, "band": {"label": "Low", "severity": "mild"}},
        {"id": "second", "label": "Second", "total": 0, "band": None},
    ]


def test_a_subscale_needs_all_its_items_unless_the_scoring_says_otherwise():
    doc = definition()
    partial = score_response(doc, {"a": "2", "b": "1", "d": 4})
    assert [s.total for s in partial.subscales] == [None, 5]
    doc["scoring"]["requires_all_items"] = False
    partial = score_response(doc, {"a": "2", "b": "1", "d": 4})
    assert [s.total for s in partial.subscales] == [4, 5]


def test_a_measure_without_subscales_keeps_its_score_shape():
    doc = definition()
    del doc["scoring"]["subscales"]
    result = score_response(doc, {"a": "1", "b": "1", "c": "often", "d": 1})
    assert result.subscales == ()
    assert "subscales" not in result.as_dict()


def test_subscale_bands_must_cover_the_multiplied_range():
    doc = definition(
        bands=[
            {"min": 0, "max": 5, "label": "Low", "severity": "mild"},
            {"min": 6, "max": 10, "label": "High", "severity": "severe"},
        ]
    )
    # (a + c) × 2 reaches 12, which no band covers.
    assert messages(doc) == {
        "scoring.subscales[0].bands[1].max": (
            "The highest band ends at 10, but totals go up to 12 (the subscale's items × its "
            "multiplier)."
        )
    }


def test_subscale_items_must_be_scoring_items_listed_once():
    found = messages(definition(items=["a", "a", "zz"], bands=[]))
    assert found["scoring.subscales[0].items[1]"] == "Subscale item 'a' is listed twice."
    assert found["scoring.subscales[0].items[2]"] == (
        "Subscale item 'zz' is not one of the scoring 'items'."
    )


def test_subscale_ids_multiplier_and_keys_are_checked():
    doc = definition(multiplier=0)
    doc["scoring"]["subscales"][1]["id"] = "first"
    doc["scoring"]["subscales"][1]["lable"] = "typo"
    found = messages(doc)
    assert found["scoring.subscales[0].multiplier"] == "'multiplier' must be above 0."
    assert found["scoring.subscales[1].id"] == "Subscale id 'first' is used twice."
    assert any(
        path.startswith("scoring.subscales[1]") and "lable" in message
        for path, message in found.items()
    )
    doc = definition()
    doc["scoring"]["subscales"] = []
    assert messages(doc) == {
        "scoring.subscales": "'subscales' must be a non-empty list of subscales."
    }
