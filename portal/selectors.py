"""Reads for the portal's safety features: crisis resources, which activities can pass an
answer on to the therapist, and the client's safety plan."""

from assignments.models import Response

# The global library's safety plan (library/seed/activities/safety-plan.json). A practice's
# copy of it, linked or customised, keeps it as its origin.
SAFETY_PLAN_SLUG = "safety-plan"


def risk_fields(definition) -> list[dict]:
    """The fields whose answer can alert the therapist whoever the entry is shared with.

    This is the one place the portal learns it: today only a measure's critical rules raise
    a flag (``worksheets.scoring`` evaluates ``scoring.critical`` on every send, and
    ``assignments.services`` raises the flag for private entries too). When risk rules
    become part of every definition, point this at them.
    """
    rules = (definition.get("scoring") or {}).get("critical") or []
    wanted = {rule["field"] for rule in rules}
    return [
        field
        for section in definition.get("sections", [])
        for field in section.get("fields", [])
        if field["id"] in wanted
    ]


def can_flag_risk(definition) -> bool:
    return bool(risk_fields(definition))


def raised_risk_flag(revision) -> bool:
    """Whether the entry's answers as they stand now raised a flag (an edit that takes the
    answer back clears it here; the therapist's flag stays until they acknowledge it)."""
    return bool(revision and revision.score and revision.score.get("flags"))


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
