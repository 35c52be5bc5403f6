"""Pathway templates, practice and global, and their steps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.text import slugify

from assignments.models import Visibility
from pathways.models import (
    AUDIENCES,
    FUNCTIONS,
    PATHWAY_FIELDS,
    PHASES,
    CuratedPathway,
    Pathway,
    PathwayStatus,
    PathwayStep,
)
from pathways.selectors import template_steps
from pathways.services.steps import (
    COPIED_FIELDS,
    actor_user,
    check_activity,
    check_model_steps,
    is_global,
    renumber,
    step_values,
)


def _clean_pathway_fields(fields: dict) -> dict:
    unknown = set(fields) - set(PATHWAY_FIELDS)
    if unknown:
        raise ValueError(f"Cannot set {', '.join(sorted(unknown))}.")
    cleaned = dict(fields)
    for key in ("name", "client_title", "description"):
        if key in cleaned:
            cleaned[key] = (cleaned[key] or "").strip()
    if "name" in cleaned and not cleaned["name"]:
        raise ValidationError({"name": "Give the pathway a name."})
    for key, vocabulary in (("functions", FUNCTIONS), ("audiences", AUDIENCES), ("phases", PHASES)):
        if key in cleaned:
            values = list(dict.fromkeys(cleaned[key] or []))
            if any(value not in vocabulary for value in values):
                raise ValidationError({key: f"Choose from: {', '.join(vocabulary)}."})
            cleaned[key] = values
    if "response_visibility" in cleaned and cleaned["response_visibility"] not in Visibility.values:
        raise ValidationError({"response_visibility": "Choose who sees the client's responses."})
    return cleaned


@transaction.atomic
def pathway_create(*, practice, actor, name: str, **fields) -> Pathway:
    cleaned = _clean_pathway_fields({"name": name, **fields})
    return Pathway.objects.create(practice=practice, created_by=actor_user(actor), **cleaned)


@transaction.atomic
def curated_pathway_create(*, actor, name: str, slug: str = "", **fields) -> CuratedPathway:
    cleaned = _clean_pathway_fields({"name": name, **fields})
    base = slugify(slug or cleaned["name"])[:70] or "pathway"
    candidate, number = base, 1
    while CuratedPathway.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return CuratedPathway.objects.create(slug=candidate, created_by=actor_user(actor), **cleaned)


@transaction.atomic
def pathway_update(*, pathway, actor, **fields):
    """Change a template's details. Running enrolments keep their own copy of the steps."""
    for key, value in _clean_pathway_fields(fields).items():
        setattr(pathway, key, value)
    pathway.save()
    return pathway


@transaction.atomic
def pathway_publish(*, pathway, actor):
    steps = template_steps(pathway)
    if not steps:
        raise ValidationError({"steps": "Add at least one step before publishing."})
    check_model_steps(steps)
    pathway.status = PathwayStatus.PUBLISHED
    pathway.save(update_fields=["status", "updated_at"])
    return pathway


@transaction.atomic
def pathway_set_status(*, pathway, actor, status: str):
    """Back to draft, or archived (no new enrolments; running ones carry on)."""
    if status == PathwayStatus.PUBLISHED:
        return pathway_publish(pathway=pathway, actor=actor)
    if status not in PathwayStatus.values:
        raise ValidationError({"status": "Unknown status."})
    pathway.status = status
    pathway.save(update_fields=["status", "updated_at"])
    return pathway


@transaction.atomic
def pathway_step_add(
    *, pathway, actor, activity=None, curated_activity=None, delivery: str, **fields
):
    check_activity(pathway, activity, curated_activity)
    values = step_values({"delivery": delivery, **fields})
    existing = template_steps(pathway)
    step_model = pathway.steps.model
    step = step_model(
        pathway=pathway,
        position=len(existing) + 1,
        curated_activity=curated_activity,
        **values,
    )
    if not is_global(pathway):
        step.practice_id = pathway.practice_id
        step.activity = activity
    step.save()
    check_model_steps(template_steps(pathway))
    _touch(pathway)
    return step


@transaction.atomic
def pathway_step_update(*, step, actor, activity=None, curated_activity=None, **fields):
    """Change a step. Pass an activity (or a global one) to swap what the step delivers."""
    pathway = step.pathway
    if activity is not None or curated_activity is not None:
        check_activity(pathway, activity, curated_activity)
        step.curated_activity = curated_activity
        if not is_global(pathway):
            step.activity = activity
    # A partial change keeps the rule and delay it does not mention.
    values = step_values(
        {
            "delivery": step.delivery,
            "delay_days": step.delay_days,
            "completion": step.completion,
            "completion_entries": step.completion_entries,
            **fields,
        }
    )
    for key, value in values.items():
        setattr(step, key, value)
    step.save()
    check_model_steps(template_steps(pathway))
    _touch(pathway)
    return step


@transaction.atomic
def pathway_step_remove(*, step, actor) -> None:
    # Two removals of one step at once (a double click, two therapists): the pathway's row
    # lock makes the second wait, and then it finds the step gone, which is the same answer
    # as for a step that never existed.
    pathway = type(step.pathway).objects.select_for_update().get(pk=step.pathway_id)
    if not type(step).objects.filter(pk=step.pk).exists():
        raise Http404
    steps = template_steps(pathway)
    dependants = [other for other in steps if other.condition_step_id == step.pk]
    if dependants:
        names = ", ".join(f"step {steps.index(other) + 1} ({other.title})" for other in dependants)
        raise ValidationError(
            {"step": f"{names} depends on this measure's score. Change that first."}
        )
    # Before the delete: Django sets a deleted instance's pk to None, after which every step
    # would count as remaining and none would move up.
    remaining = [other for other in steps if other.pk != step.pk]
    step.delete()
    renumber(remaining)
    check_model_steps(remaining)
    _touch(pathway)


@transaction.atomic
def pathway_steps_reorder(*, pathway, actor, step_ids: list) -> list:
    """Put the steps in the order given (every step, each once)."""
    steps = template_steps(pathway)
    by_id = {str(step.pk): step for step in steps}
    wanted = [str(step_id) for step_id in step_ids]
    if sorted(wanted) != sorted(by_id):
        raise ValidationError({"steps": "The new order must list every step of the pathway once."})
    ordered = [by_id[step_id] for step_id in wanted]
    renumber(ordered)
    check_model_steps(ordered)
    _touch(pathway)
    return ordered


@transaction.atomic
def pathway_step_move(*, step, actor, offset: int) -> list:
    """Move a step one place up (-1) or down (+1): the keyboard way to reorder."""
    steps = template_steps(step.pathway)
    ids = [str(other.pk) for other in steps]
    index = ids.index(str(step.pk))
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return pathway_steps_reorder(pathway=step.pathway, actor=actor, step_ids=ids)


def _touch(pathway) -> None:
    pathway.save(update_fields=["updated_at"])


@transaction.atomic
def pathway_copy_from_global(*, practice, actor, curated_pathway: CuratedPathway) -> Pathway:
    """A practice copy of a global pathway to use or customise (a draft until published)."""
    if curated_pathway.status != PathwayStatus.PUBLISHED:
        raise ValidationError("This global pathway is not available.")
    pathway = Pathway.objects.create(
        practice=practice,
        origin=curated_pathway,
        created_by=actor_user(actor),
        **{field: getattr(curated_pathway, field) for field in PATHWAY_FIELDS},
    )
    copies = {}
    for source in template_steps(curated_pathway):
        copies[source.pk] = PathwayStep.objects.create(
            practice=practice,
            pathway=pathway,
            **{field: getattr(source, field) for field in COPIED_FIELDS},
        )
    for source in template_steps(curated_pathway):
        if source.condition_step_id:
            copy = copies[source.pk]
            copy.condition_step = copies[source.condition_step_id]
            copy.save(update_fields=["condition_step"])
    return pathway
