"""Checks on the global activity library's seed data (library/seed/activities/*.json).

The files are data, loaded by a migration, so these tests need no database and no Django
settings: run them with ``pytest -p no:django tests/library_content``.
"""

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACTIVITIES = REPO / "library" / "seed" / "activities"
MEASURES = REPO / "worksheets" / "measures"

# pytest-django puts the project root on sys.path; without it (-p no:django) nothing does.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

REQUIRED_SLUGS = {
    "thought-record",
    "activity-schedule",
    "activity-menu",
    "activity-log",
    "urge-surfing",
    "exposure-hierarchy",
    "exposure-practice-log",
    "behavioural-experiment",
    "daily-mood-log",
    "sleep-diary",
    "gratitude-journal",
    "self-contract",
    "wheel-of-life",
    "coping-card",
    "values",
    "problem-solving",
    "cognitive-defusion",
    "worry-time",
    "relaxation-practice-log",
    "reading-understanding-anxiety",
    "phq-9",
    "gad-7",
}
# Seed slug -> the engine's canonical measure file, which the seed must copy verbatim.
CANONICAL_MEASURES = {"phq-9": "phq9.json", "gad-7": "gad7.json"}

KEYS = {
    "slug",
    "title",
    "summary",
    "rationale",
    "instructions",
    "estimated_minutes",
    "tags",
    "definition",
}
APPROACHES = {"CBT", "DBT", "ACT", "BA", "mindfulness"}
PROBLEMS = {
    "depression",
    "anxiety",
    "OCD",
    "trauma",
    "substance use",
    "sleep",
    "relationships",
    "general",
}
KINDS = {"worksheet", "measure", "practice log", "reading"}

FILES = sorted(ACTIVITIES.glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def fields(definition: dict) -> list[dict]:
    return [field for section in definition["sections"] for field in section["fields"]]


def words(text: str) -> int:
    return len(text.split())


@pytest.fixture(params=FILES, ids=[path.stem for path in FILES])
def activity(request) -> tuple[Path, dict]:
    return request.param, load(request.param)


def test_library_has_at_least_22_activities():
    assert len(FILES) >= 22


def test_every_required_activity_is_present():
    assert REQUIRED_SLUGS - {path.stem for path in FILES} == set()


def test_file_is_an_activity_named_after_its_slug(activity):
    path, doc = activity
    assert set(doc) - {"client_title"} == KEYS  # a calm client title is optional
    assert doc["slug"] == path.stem


def test_texts_are_present_and_short_where_listed(activity):
    _, doc = activity
    assert doc["title"].strip() and len(doc["title"]) <= 100
    assert doc["summary"].strip() and "\n" not in doc["summary"]
    assert len(doc["summary"]) <= 160
    assert isinstance(doc["estimated_minutes"], int) and 1 <= doc["estimated_minutes"] <= 60


def test_rationale_speaks_to_the_client_in_60_to_120_words(activity):
    _, doc = activity
    rationale = doc["rationale"]
    assert 60 <= words(rationale) <= 120
    assert "you" in rationale.lower().split() or "your" in rationale.lower().split()


def test_instructions_are_a_list_of_steps(activity):
    _, doc = activity
    steps = doc["instructions"]
    assert isinstance(steps, list) and len(steps) >= 2
    assert all(isinstance(step, str) and step.strip() for step in steps)


def test_tags_use_the_vocabulary(activity):
    _, doc = activity
    tags = doc["tags"]
    assert set(tags) == {"approach", "problem", "kind"}
    assert tags["approach"] and set(tags["approach"]) <= APPROACHES
    assert tags["problem"] and set(tags["problem"]) <= PROBLEMS
    assert len(set(tags["approach"])) == len(tags["approach"])
    assert len(set(tags["problem"])) == len(tags["problem"])
    assert tags["kind"] in KINDS


def test_worksheets_are_structured_not_a_single_text_box(activity):
    _, doc = activity
    answerable = [
        f for f in fields(doc["definition"]) if f["type"] not in ("instructions", "media")
    ]
    assert len(answerable) >= 2


def test_measures_and_only_measures_are_scored(activity):
    _, doc = activity
    is_measure = doc["tags"]["kind"] == "measure"
    assert (doc["definition"].get("scoring") is not None) == is_measure


def test_readings_carry_a_300_to_600_word_text_and_a_question(activity):
    _, doc = activity
    if doc["tags"]["kind"] != "reading":
        pytest.skip("not a reading")
    all_fields = fields(doc["definition"])
    texts = [f["body"] for f in all_fields if f["type"] == "instructions"]
    assert any(300 <= words(body) <= 600 for body in texts)
    assert any(f["type"] == "long_text" and f.get("required") for f in all_fields)


@pytest.mark.parametrize("slug", sorted(CANONICAL_MEASURES))
def test_measures_copy_the_engines_canonical_definition(slug):
    canonical = MEASURES / CANONICAL_MEASURES[slug]
    if not canonical.exists():
        pytest.skip(f"{canonical.relative_to(REPO)} not written yet")
    # The file's ``outcomes`` (reliable change, cut-off) are not part of the definition.
    definition = {k: v for k, v in load(canonical).items() if k != "outcomes"}
    assert load(ACTIVITIES / f"{slug}.json")["definition"] == definition


def test_definition_passes_the_worksheet_validator(activity):
    try:
        from worksheets import validate_definition
    except ImportError:
        pytest.skip("worksheets.validate_definition is not available yet")
    _, doc = activity
    assert validate_definition(doc["definition"]) == []
