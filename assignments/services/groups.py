"""Assigning to a group: one activity, one plan, a copy for every member.

Each member gets their own assignment (their own occurrences, entries and flags), exactly as if
assigned one by one; all of them or none, so a group never ends up half-assigned.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from assignments.models import Assignment
from assignments.services.assigning import assignment_create
from clients.selectors import group_members
from library.services import activity_version_for_assignment


@transaction.atomic
def group_assign(*, group, actor, activity=None, curated_activity=None, **plan) -> list[Assignment]:
    """Assign ``activity`` (a practice activity) or ``curated_activity`` (a global one) to every
    member of ``group`` with the plan and schedule in ``plan`` (``assignment_create``'s
    keywords). One member refused (discharged, say) refuses the whole, naming the member."""
    members = list(group_members(group))
    if not members:
        raise ValidationError({"group": "Add members to the group before assigning to it."})
    version = activity_version_for_assignment(
        practice=group.practice,
        actor=actor,
        activity=activity,
        curated_activity=curated_activity,
    )
    created = []
    for client in members:
        try:
            created.append(
                assignment_create(client=client, actor=actor, activity_version=version, **plan)
            )
        except ValidationError as exc:
            # The plan is the same for every member, so a field error is the form's; say
            # whose copy refused it, so the therapist knows where to look.
            errors: dict[str, list[str]] = {}
            for field, messages in getattr(exc, "error_dict", {"group": exc}).items():
                texts = ValidationError(messages).messages
                if field == "client":  # already names the member ("X is discharged ...")
                    errors["group"] = texts
                else:
                    errors[field] = [f"{client.display_name}: {text}" for text in texts]
            raise ValidationError(errors) from None
    return created
