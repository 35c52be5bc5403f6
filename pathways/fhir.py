"""Pathways as FHIR R4: a template as ``PlanDefinition``, an enrolment as ``CarePlan``.

Steps become actions that point at their activity's ``Questionnaire`` (the library's FHIR
export), with timing: ``relatedAction`` "after-end" of the previous required step (plus the
delay) for rules counted from the previous step, ``timingDuration`` from the start for rules
counted from enrolment, and an applicability ``condition`` for branching (on a measure's total,
or on whether a step's entry raised a risk flag: that one is described in words, with a
named identifier, as FHIR has no standard expression for it). Therapist notes are
never exported: they are for the team, and FHIR resources travel.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from pathways.models import (
    FLAG_COMPARISONS,
    Comparison,
    CuratedPathway,
    EnrolmentStatus,
    PathwayStatus,
    StepStatus,
)
from pathways.schedule import previous_required

_PLAN_STATUS = {
    PathwayStatus.DRAFT: "draft",
    PathwayStatus.PUBLISHED: "active",
    PathwayStatus.ARCHIVED: "retired",
}
_CARE_PLAN_STATUS = {
    EnrolmentStatus.ACTIVE: "active",
    EnrolmentStatus.PAUSED: "on-hold",
    EnrolmentStatus.COMPLETED: "completed",
    EnrolmentStatus.CANCELLED: "revoked",
}
_ACTIVITY_STATUS = {
    StepStatus.WAITING: "not-started",
    StepStatus.SCHEDULED: "scheduled",
    StepStatus.HELD: "on-hold",
    StepStatus.RELEASED: "in-progress",
    StepStatus.COMPLETED: "completed",
    StepStatus.SKIPPED: "cancelled",
    StepStatus.NOT_NEEDED: "cancelled",
    StepStatus.CANCELLED: "cancelled",
}


def _questionnaire_url(step) -> str:
    if getattr(step, "activity_id", None):
        path = reverse("library-activity-fhir", kwargs={"pk": step.activity_id})
    else:
        path = reverse("library-global-fhir", kwargs={"pk": step.curated_activity_id})
    return settings.SITE_URL + path


def _days(days: int) -> dict:
    return {"value": days, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}


def _action_id(index: int) -> str:
    return f"step-{index + 1}"


def _condition(step, steps) -> dict:
    measure = next(other for other in steps if other.pk == step.condition_step_id)
    number = steps.index(measure) + 1
    if step.condition_operator in FLAG_COMPARISONS:
        raised = step.condition_operator == Comparison.FLAGGED
        return {
            "kind": "applicability",
            "expression": {
                "description": f"Step {number} ({measure.title}) "
                f"{Comparison(step.condition_operator).label}: whether its entry met a risk "
                "rule of the activity",
                "language": "text/cql-identifier",
                "expression": f"Step{number}{'RaisedFlag' if raised else 'RaisedNoFlag'}",
            },
        }
    symbol = ">=" if step.condition_operator == Comparison.AT_LEAST else "<="
    return {
        "kind": "applicability",
        "expression": {
            "description": f"{measure.title} total {symbol} {step.condition_value}",
            "language": "text/cql-identifier",
            "expression": f"Step{number}Total{symbol}{step.condition_value}",
        },
    }


def _action(index: int, step, steps) -> dict:
    action = {
        "id": _action_id(index),
        "title": step.title,
        "requiredBehavior": "must" if step.required else "could",
        "definitionCanonical": _questionnaire_url(step),
    }
    if step.waits_for_previous:
        previous = previous_required(steps, index)
        if previous is not None:
            action["relatedAction"] = [
                {
                    "actionId": _action_id(steps.index(previous)),
                    "relationship": "after-end",
                    "offsetDuration": _days(step.delay_days),
                }
            ]
        else:
            action["timingDuration"] = _days(step.delay_days)
    else:
        action["timingDuration"] = _days(step.delay_days)
    if step.condition_step_id is not None:
        action["condition"] = [_condition(step, steps)]
    return action


def plan_definition_url(pathway) -> str:
    """The canonical URL: the API export for a practice pathway, the library page for a
    global one."""
    if isinstance(pathway, CuratedPathway):
        path = reverse("pathways:library_detail", args=[pathway.pk])
    else:
        path = reverse("pathway-fhir", kwargs={"pk": pathway.pk})
    return settings.SITE_URL + path


def _computable_name(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    joined = "".join(word[:1].upper() + word[1:] for word in words)
    return joined if joined[:1].isalpha() else f"Pathway{joined}"


def plan_definition(pathway, steps) -> dict:
    resource = {
        "resourceType": "PlanDefinition",
        "id": str(pathway.pk),
        "url": plan_definition_url(pathway),
        "name": _computable_name(pathway.name),
        "title": pathway.name,
        "status": _PLAN_STATUS[pathway.status],
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                    "code": "clinical-protocol",
                }
            ]
        },
        "action": [_action(index, step, steps) for index, step in enumerate(steps)],
    }
    if pathway.client_title:
        resource["subtitle"] = pathway.client_title
    if pathway.description:
        resource["description"] = pathway.description
    return resource


def care_plan(enrolment, steps) -> dict:
    pathway = enrolment.pathway
    activities = []
    for step in steps:
        detail = {
            "kind": "Task",
            "instantiatesCanonical": [_questionnaire_url(step)],
            "status": _ACTIVITY_STATUS[step.status],
            "description": step.title,
        }
        if step.release_at is not None:
            detail["scheduledPeriod"] = {"start": step.release_at.isoformat()}
        activity = {"detail": detail}
        if step.assignment_id is not None:
            # The assignment it became, exported by the assignments app as a Task.
            activity["outcomeReference"] = [{"reference": f"Task/{step.assignment_id}"}]
        activities.append(activity)
    resource = {
        "resourceType": "CarePlan",
        "id": str(enrolment.pk),
        "status": _CARE_PLAN_STATUS[enrolment.status],
        "intent": "plan",
        "title": pathway.title_for_client,
        "instantiatesCanonical": [plan_definition_url(pathway)],
        "subject": {"reference": f"Patient/{enrolment.client_id}"},
        "period": {"start": enrolment.start_date.isoformat()},
        "created": enrolment.created_at.isoformat(),
        "activity": activities,
    }
    if enrolment.ended_at is not None:
        resource["period"]["end"] = enrolment.ended_at.date().isoformat()
    return resource
