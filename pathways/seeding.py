"""Load the global pathway library from pathways/seed/*.json.

Each file is one pathway; its steps name global activities by slug and conditions name a
measure step by its number (1 = the first step); ``completion`` and ``completion_entries``
say when a step is done (``pathways.completion``; default: at the first entry), and
``holds_for_review`` holds the enrolment when the step's time comes.
``sync_global_pathways`` is idempotent: a pathway whose slug exists is left alone (from then
on curators own it, unless a data migration names it in ``replace``), a new file becomes a
new published global pathway. It takes the model classes as parameters so the data migration
can pass its historical models.
"""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

from django.db import transaction

from pathways.models import PATHWAY_FIELDS

SEED_DIR = Path(__file__).resolve().parent / "seed"


class SeedError(ValueError):
    pass


def load_seed_files(directory: Path = SEED_DIR) -> list[dict]:
    documents = []
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("slug") != path.stem:
            raise SeedError(f"{path.name}: slug must be '{path.stem}' (the file name).")
        documents.append(document)
    return documents


def sync_global_pathways(
    *,
    pathway_model=None,
    step_model=None,
    activity_model=None,
    directory: Path = SEED_DIR,
    replace: tuple[str, ...] = (),
) -> list[str]:
    """Create the global pathways that do not exist yet; returns the slugs created (or
    replaced). ``replace`` names seeded pathways whose clinical content changed: a data
    migration passes them so they are written again from their file (details and every
    step). Practice copies and running enrolments keep their own steps."""
    if pathway_model is None:
        from library.models import CuratedActivity
        from pathways.models import CuratedPathway, CuratedPathwayStep

        pathway_model, step_model, activity_model = (
            CuratedPathway,
            CuratedPathwayStep,
            CuratedActivity,
        )
    created = []
    with transaction.atomic():
        for document in load_seed_files(directory):
            existing = pathway_model.objects.filter(slug=document["slug"]).first()
            if existing is not None and document["slug"] not in replace:
                continue
            if existing is not None:
                _replace(existing, document, step_model, activity_model)
                created.append(document["slug"])
                continue
            _create(document, pathway_model, step_model, activity_model)
            created.append(document["slug"])
    return created


def _create(document, pathway_model, step_model, activity_model) -> None:
    pathway = pathway_model.objects.create(
        slug=document["slug"],
        status="published",
        **{key: document[key] for key in PATHWAY_FIELDS if key in document},
    )
    _add_steps(pathway, document, step_model, activity_model)


def _replace(pathway, document, step_model, activity_model) -> None:
    for key in PATHWAY_FIELDS:
        if key in document:
            setattr(pathway, key, document[key])
    pathway.status = "published"
    pathway.save()
    # Conditions point at other steps of the pathway (RESTRICT): unlink before deleting.
    step_model.objects.filter(pathway=pathway).update(condition_step=None)
    step_model.objects.filter(pathway=pathway).delete()
    _add_steps(pathway, document, step_model, activity_model)


def _add_steps(pathway, document, step_model, activity_model) -> None:
    slugs = {spec["activity"] for spec in document["steps"]}
    activities = {a.slug: a for a in activity_model.objects.filter(slug__in=slugs)}
    missing = sorted(slugs - set(activities))
    if missing:
        raise SeedError(f"{document['slug']}: no global activity {', '.join(missing)}.")
    # A migration older than the completion rules passes a model without them; the later
    # migration that re-syncs writes them.
    has_completion = any(f.name == "completion" for f in step_model._meta.get_fields())
    steps = []
    for position, spec in enumerate(document["steps"], start=1):
        at = spec.get("time_of_day")
        completion = (
            {
                "completion": spec.get("completion", "first_entry"),
                "completion_entries": spec.get("completion_entries", 1),
                "holds_for_review": spec.get("holds_for_review", False),
            }
            if has_completion
            else {}
        )
        steps.append(
            step_model.objects.create(
                pathway=pathway,
                position=position,
                curated_activity=activities[spec["activity"]],
                delivery=spec["delivery"],
                delay_days=spec.get("delay_days", 0),
                time_of_day=time.fromisoformat(at) if at else None,
                days_to_complete=spec.get("days_to_complete", 7),
                required=spec.get("required", True),
                **completion,
                therapist_notes=spec.get("notes", ""),
            )
        )
    for step, spec in zip(steps, document["steps"], strict=True):
        condition = spec.get("condition")
        if condition:
            step.condition_step = steps[condition["step"] - 1]
            step.condition_operator = condition["operator"]
            step.condition_value = condition["value"]
            step.save(update_fields=["condition_step", "condition_operator", "condition_value"])
