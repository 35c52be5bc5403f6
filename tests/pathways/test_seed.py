"""The global pathway library seeded from pathways/seed/*.json, and the demo data."""

import json
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from core.tenancy import practice_scope
from homework_platform.demo import DemoPeople
from pathways import demo, rules
from pathways.models import CuratedPathway, Enrolment, Pathway, PathwayStatus, StepStatus
from pathways.seeding import SEED_DIR, sync_global_pathways
from pathways.selectors import template_steps

pytestmark = pytest.mark.django_db

SEEDED = {
    "behavioural-activation-low-mood",
    "cbt-depression-thought-records",
    "exposure-social-anxiety",
    "urge-surfing-cravings",
    "sleep-routine",
}


def test_the_seed_files_name_existing_global_activities():
    activities = Path(__file__).resolve().parents[2] / "library" / "seed" / "activities"
    slugs = {path.stem for path in activities.glob("*.json")}
    for path in SEED_DIR.glob("*.json"):
        document = json.loads(path.read_text())
        assert document["slug"] == path.stem
        assert {step["activity"] for step in document["steps"]} <= slugs, path.name


def test_at_least_four_programmes_are_published_with_working_rules(library):
    pathways = {p.slug: p for p in CuratedPathway.objects.filter(status=PathwayStatus.PUBLISHED)}
    assert set(pathways) >= SEEDED
    for slug in SEEDED:
        steps = template_steps(pathways[slug])
        assert len(steps) >= 4
        rules.check_steps(steps, title_of=lambda s: s.title, is_measure=lambda s: s.is_measure)
    mood = template_steps(pathways["behavioural-activation-low-mood"])
    (conditional,) = [step for step in mood if step.condition_step_id]
    assert conditional.curated_activity.slug == "safety-plan"
    assert conditional.holds_for_review
    assert conditional.condition_step.curated_activity.slug == "phq-9"
    assert (conditional.condition_operator, conditional.condition_value) == ("gte", 20)


def test_seeding_again_changes_nothing_and_leaves_curators_edits(library):
    mood = CuratedPathway.objects.get(slug="sleep-routine")
    mood.name = "Edited by a curator"
    mood.save()
    assert sync_global_pathways() == []
    assert CuratedPathway.objects.get(slug="sleep-routine").name == "Edited by a curator"
    assert CuratedPathway.objects.filter(slug__in=SEEDED).count() == len(SEEDED)


def test_the_demo_has_one_pathway_and_one_enrolment_in_progress(world, library):
    with scopes_disabled():
        therapist = world.therapist_a
    people = DemoPeople(owner=world.owner_a, therapists=[therapist], clients=[world.client_a])
    for _ in range(2):
        with practice_scope(world.practice_a):
            demo.seed(world.practice_a, people)
    with scopes_disabled():
        (pathway,) = Pathway.objects.filter(practice=world.practice_a)
        (enrolment,) = Enrolment.objects.filter(pathway=pathway)
        statuses = list(enrolment.steps.order_by("position").values_list("status", flat=True))
        assert enrolment.client == world.client_a
    assert pathway.status == PathwayStatus.PUBLISHED
    assert statuses[0] == StepStatus.RELEASED
    assert StepStatus.WAITING in statuses
