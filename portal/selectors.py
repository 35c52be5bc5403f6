"""Reads for the portal's safety features: crisis resources, which activities can pass an
answer on to the therapist, and the client's safety plan."""

from collections.abc import Mapping
from typing import Any

from assignments.models import Response
from worksheets import iter_fields, risk_answers, risk_rules

# The global library's safety plan (library/seed/activities/safety-plan.json). A practice's
# copy of it, linked or customised, keeps it as its origin.
SAFETY_PLAN_SLUG = "safety-plan"


def risk_fields(definition) -> list[Mapping[str, Any]]:
    """The fields whose answer can alert the therapist whoever the entry is shared with:
    those with a risk rule (``worksheets.risk_rules``: an item's own ``risk``, or a legacy
    measure's ``scoring.critical``). ``assignments.services`` raises the flag on every save,
    for private entries and drafts too; this is the one place the portal learns of it."""
    wanted = {rule.field for rule in risk_rules(definition)}
    return [field for field in iter_fields(definition) if field["id"] in wanted]


def can_flag_risk(definition) -> bool:
    return bool(risk_fields(definition))


def raised_risk_flag(revision) -> bool:
    """Whether the entry's answers as they stand now meet a risk rule (an edit that takes the
    answer back clears it here; the therapist's flag stays until they acknowledge it)."""
    if revision is None:
        return False
    definition = revision.response.activity_version.definition
    return bool(risk_answers(definition, revision.answers))


def latest_safety_plan(client) -> Response | None:
    """The client's own most recent safety plan entry, if they have sent one."""
    return (
        Response.objects.filter(
            client=client, activity_version__activity__origin__slug=SAFETY_PLAN_SLUG
        )
        .only("pk", "submitted_at")
        .order_by("-submitted_at", "-pk")
        .first()
    )
