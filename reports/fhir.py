"""A client's record as FHIR R4: entries as QuestionnaireResponses, measure totals as
Observations, and per client a Bundle (type ``collection``) with a minimal Patient and a
CarePlan of their homework.

The engine maps answers to FHIR items (``worksheets.fhir.response``); this module knows the
clients, assignments and entries around them. Every resource id is the UUID of the row it
comes from (the CarePlan's is derived from the client's), and references inside a Bundle are
``urn:uuid:`` references to the entries' ``fullUrl``, so a Bundle stands on its own without a
FHIR server behind it.

What a caller may see is decided by the selectors at the end: staff see what the client
shared with them; the client's own export sees every entry they made.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Final

from django.db.models import QuerySet
from django.http import Http404

from assignments.models import Assignment, AssignmentStatus, Response
from clients.models import Client
from clients.selectors import clients_visible_to
from library.exports import questionnaire_canonical
from worksheets import questionnaire_response
from worksheets.fhir.common import LOINC, UCUM

CATEGORY_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
CLIENT_ID_SYSTEM: Final = "https://bridgework.app/fhir/client-id"
FHIR_JSON: Final = "application/fhir+json"
_CARE_PLAN: Final = uuid.UUID("6f1f3c51-2f0e-4c61-9d1a-9d5b0c1f2a7e")


def ref(resource_id: Any) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def iso(moment) -> str:
    return moment.isoformat(timespec="seconds")


# --- Resources --------------------------------------------------------------------------


def patient(client: Client) -> dict[str, Any]:
    """A minimal Patient: the practice's id for the client and the name it holds."""
    names = [{"use": "official", "text": client.full_name}]
    if client.preferred_name and client.preferred_name != client.full_name:
        names.append({"use": "usual", "text": client.preferred_name})
    return {
        "resourceType": "Patient",
        "id": str(client.pk),
        "identifier": [{"system": CLIENT_ID_SYSTEM, "value": str(client.pk)}],
        "name": names,
    }


def response_resource(response: Response) -> dict[str, Any]:
    """One entry (its current answers) as a QuestionnaireResponse: ``completed``, or
    ``amended`` once the client has edited it."""
    revision = response.current_revision
    version = response.activity_version
    resource = questionnaire_response(
        version.definition,
        revision.answers if revision else {},
        questionnaire=questionnaire_canonical(version),
        status="amended" if response.revision_count > 1 else "completed",
        # When the answers were given: the entry's own time, or its last edit's.
        authored=iso(
            revision.created_at if revision and revision.number > 1 else response.submitted_at
        ),
        subject=ref(response.client_id),
        resource_id=str(response.pk),
    )
    return resource


def observations(response: Response) -> list[dict[str, Any]]:
    """The measure total of an entry, as a survey Observation derived from its
    QuestionnaireResponse; none for an entry without a total (not a measure, or items
    missing)."""
    revision = response.current_revision
    if revision is None or revision.score_total is None:
        return []
    version = response.activity_version
    scoring = version.definition.get("scoring") or {}
    loinc = (scoring.get("loinc") or {}).get("total")
    code: dict[str, Any] = {"text": f"{version.title}: total score"}
    if loinc:
        code["coding"] = [{"system": LOINC, "code": loinc}]
    total = revision.score_total
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(revision.pk),
        "status": "amended" if response.revision_count > 1 else "final",
        "category": [
            {"coding": [{"system": CATEGORY_SYSTEM, "code": "survey", "display": "Survey"}]}
        ],
        "code": code,
        "subject": ref(response.client_id),
        "effectiveDateTime": iso(response.submitted_at),
        "issued": iso(revision.created_at),
        "derivedFrom": [ref(response.pk)],
    }
    if float(total).is_integer():
        observation["valueInteger"] = int(total)
    else:
        observation["valueQuantity"] = {
            "value": total,
            "unit": "{score}",
            "system": UCUM,
            "code": "{score}",
        }
    if revision.band_label:
        observation["interpretation"] = [{"text": revision.band_label}]
    if not (revision.score or {}).get("complete", True):
        observation["note"] = [{"text": "Not every item was answered."}]
    return [observation]


_DETAIL_STATUS: Final[dict[str, str]] = {
    AssignmentStatus.ACTIVE: "in-progress",
    AssignmentStatus.CANCELLED: "cancelled",
}


def care_plan(client: Client, assignments: Iterable[Assignment]) -> dict[str, Any]:
    """The client's homework as one CarePlan: an activity per assignment, pointing at the
    activity's Questionnaire."""
    activities = []
    for assignment in assignments:
        version = assignment.activity_version
        detail: dict[str, Any] = {
            "status": _DETAIL_STATUS.get(assignment.status, "unknown"),
            "instantiatesCanonical": [questionnaire_canonical(version)],
            "code": {"text": version.title},
            "scheduledPeriod": {"start": assignment.starts_on.isoformat()},
        }
        if assignment.rationale:
            detail["description"] = assignment.rationale
        activities.append({"detail": detail})
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(care_plan_id(client)),
        "status": "completed" if client.is_discharged else "active",
        "intent": "plan",
        "title": "Therapy homework",
        "subject": ref(client.pk),
    }
    if activities:
        resource["activity"] = activities
    return resource


def care_plan_id(client: Client) -> uuid.UUID:
    return uuid.uuid5(_CARE_PLAN, str(client.pk))


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def client_bundle(
    client: Client, *, responses: Iterable[Response], assignments: Iterable[Assignment], now
) -> dict[str, Any]:
    """Everything about one client as a Bundle of type ``collection``."""
    responses = list(responses)
    resources = [patient(client), care_plan(client, assignments)]
    resources.extend(response_resource(response) for response in responses)
    for response in responses:
        resources.extend(observations(response))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": iso(now),
        "entry": [_entry(resource) for resource in resources],
    }


def observations_bundle(responses: Iterable[Response], *, now) -> dict[str, Any]:
    """A client's measure totals, as the result of an Observation search."""
    found = [o for response in responses for o in observations(response)]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "searchset",
        "timestamp": iso(now),
        "total": len(found),
        "entry": [{**_entry(o), "search": {"mode": "match"}} for o in found],
    }


# --- Selectors ----------------------------------------------------------------------------


def _entries() -> QuerySet:
    # One query whatever the number of entries: the definition and the canonical's
    # activity come with each entry.
    return Response.objects.select_related(
        "current_revision", "activity_version__activity"
    ).order_by("submitted_at", "pk")


def entries_for_staff(client: Client) -> QuerySet:
    """The entries the client shared with their therapist (a private entry is not there);
    ``client`` comes from ``clients.selectors.client_get``."""
    return _entries().filter(client=client, shared_with_therapist=True)


def entries_for_client(client: Client) -> QuerySet:
    """Every entry the client made, shared or not: their own export."""
    return _entries().filter(client=client)


def assignments_of(client: Client) -> QuerySet:
    return (
        Assignment.objects.filter(client=client)
        .select_related("activity_version__activity")
        .order_by("starts_on", "created_at", "pk")
    )


def entry_for_staff(membership, response_id) -> Response:
    """One shared entry of a client ``membership`` may see; 404 for missing and not-yours."""
    visible = clients_visible_to(membership).values("pk")
    try:
        return _entries().get(pk=response_id, client__in=visible, shared_with_therapist=True)
    except (Response.DoesNotExist, ValueError):
        raise Http404 from None
