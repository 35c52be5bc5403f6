"""Reads for the portal's safety features: the client's safety plan. (Which activities can
pass an answer on to the therapist is ``assignments.risk``.)"""

from assignments.models import Response

# The global library's safety plan (library/seed/activities/safety-plan.json). A practice's
# copy of it, linked or customised, keeps it as its origin.
SAFETY_PLAN_SLUG = "safety-plan"


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
