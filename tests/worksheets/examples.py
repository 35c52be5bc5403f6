"""Example definitions shared by the worksheet tests. Each call returns a fresh copy, so a test
may break one without affecting the others."""

import copy
from typing import Any

YES_NO = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]


def field_of(field_type: str, **extra: Any) -> dict[str, Any]:
    """A minimal valid field of each type, with ``extra`` keys merged in."""
    base: dict[str, dict[str, Any]] = {
        "short_text": {},
        "long_text": {},
        "number": {"min": 0, "max": 24, "step": 0.5, "unit": "hours"},
        "rating": {"min": 0, "max": 10, "anchors": {"0": "Not at all", "10": "Extremely"}},
        "single_choice": {"options": list(YES_NO)},
        "multiple_choice": {
            "options": [
                {"value": "walk", "label": "Walk"},
                {"value": "call", "label": "Call a friend"},
                {"value": "read", "label": "Read"},
            ],
            "max_selected": 2,
        },
        "checklist": {
            "options": [
                {"value": "catastrophising", "label": "Catastrophising"},
                {"value": "mind_reading", "label": "Mind reading"},
            ]
        },
        "date": {"min": "2024-01-01", "max": "2030-12-31"},
        "time": {},
        "duration": {"max_minutes": 240},
        "table": {
            "columns": [
                {"id": "thought", "type": "short_text", "label": "Thought", "required": True},
                {"id": "belief", "type": "rating", "label": "Belief", "min": 0, "max": 100},
            ],
            "max_rows": 3,
        },
        "emotions": {"suggestions": ["Anxious", "Sad"], "max_items": 3},
        "audio": {},
        "photo": {},
        "instructions": {"body": "Take a **deep** breath."},
        "media": {"kind": "audio", "upload": "0b7c1c1e-5a55-4b4e-9d55-4f0e9f8f8f8f"},
        "commitment": {"statement": "I will walk for ten minutes each morning."},
    }
    field_id = extra.pop("id", field_type)
    return (
        {"id": field_id, "type": field_type, "label": f"The {field_type}"}
        | copy.deepcopy(base[field_type])
        | extra
    )


def worksheet(*fields: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A one-section worksheet holding ``fields``."""
    return {
        "schema_version": 1,
        "entry_mode": "single",
        "sections": [{"id": "main", "title": "Main", "fields": list(fields)}],
        "scoring": None,
    } | top


def every_field_type() -> dict[str, Any]:
    """One field of every type, in two sections."""
    from worksheets import FIELD_TYPES

    fields = [field_of(t) for t in FIELD_TYPES]
    return {
        "schema_version": 1,
        "entry_mode": "multiple",
        "sections": [
            {"id": "first", "title": "First", "description": "Start here.", "fields": fields[:7]},
            {"id": "second", "title": "Second", "fields": fields[7:]},
        ],
        "scoring": None,
    }


def thought_record() -> dict[str, Any]:
    """A small thought record with a condition chain, used for response tests."""
    return worksheet(
        field_of("long_text", id="situation", label="What happened?", required=True),
        field_of("emotions", id="feelings", required=True),
        field_of(
            "table",
            id="thoughts",
            label="Automatic thoughts",
            columns=[
                {"id": "thought", "type": "short_text", "label": "Thought", "required": True},
                {
                    "id": "hot",
                    "type": "checklist",
                    "label": "Hot thought",
                    "options": [{"value": "hot", "label": "This is the hot thought"}],
                },
                {"id": "belief", "type": "rating", "label": "Belief", "min": 0, "max": 100},
            ],
        ),
        field_of("single_choice", id="acted", label="Did you act on it?", required=True),
        field_of(
            "long_text",
            id="what_happened",
            label="What happened then?",
            required=True,
            show_if={"field": "acted", "op": "equals", "value": "yes"},
        ),
        field_of(
            "rating",
            id="regret",
            label="How much do you regret it?",
            required=True,
            show_if={"field": "what_happened", "op": "answered"},
        ),
    )


def valid_answers() -> dict[str, Any]:
    """A valid answer for every answerable field of :func:`every_field_type`."""
    return {
        "audio": {
            "media": "5f0c2a7e-8d1b-4c3a-9e2f-1a2b3c4d5e6f",
            "content_type": "audio/mp4",
            "size": 48213,
            "sha256": "ab" * 32,
        },
        "photo": {
            "media": "6a1d3b8f-9e2c-4d4b-8f3a-2b3c4d5e6f70",
            "content_type": "image/jpeg",
            "size": 120455,
            "sha256": "cd" * 32,
        },
        "short_text": "Meeting with my manager",
        "long_text": "She walked past without saying hello.",
        "number": 7.5,
        "rating": 8,
        "single_choice": "yes",
        "multiple_choice": ["walk", "read"],
        "checklist": ["mind_reading"],
        "date": "2025-03-14",
        "time": "19:30",
        "duration": 45,
        "table": [{"thought": "I'll be fired", "belief": 90}],
        "emotions": [{"emotion": "Anxious", "intensity": 80}],
        "commitment": {"signature": "Alex Client", "date": "2025-03-14"},
    }
