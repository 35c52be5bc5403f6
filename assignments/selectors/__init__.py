"""Every read about assignments, already limited to what the caller may see, by sub-area:

- ``staff``: single objects (assignment, occurrence, flag, entry) and the API's lists;
- ``homework``: one client's homework and adherence by activity (the client page);
- ``caseload``: the caseload's rows with their adherence and what needs attention;
- ``session_review``: what happened since the last session;
- ``portal``: the signed-in client's to-do, their own rows, scores and crisis resources;
- ``_common``: helpers the sub-modules share.

Staff reads take the ``membership`` and reach only clients it may see (through
``clients.selectors.clients_visible_to``); portal reads take the signed-in ``client`` and
reach only that client's rows. Object getters raise ``Http404`` for missing *and* not-yours.
Lists run a fixed number of queries however many rows they return (select_related,
prefetch_related and annotations, never a query per row).

The names callers use are re-exported here.
"""

from assignments.selectors.caseload import CASELOAD_SORTS, caseload_rows
from assignments.selectors.homework import (
    adherence_by_activity,
    adherence_log,
    client_homework,
    overall_adherence,
)
from assignments.selectors.portal import (
    client_may_see_score,
    draft_for,
    portal_assignment_get,
    portal_assignments,
    portal_history,
    portal_occurrence_get,
    portal_occurrences,
    portal_response_get,
    portal_reviews,
    todo_for,
)
from assignments.selectors.session_review import session_review
from assignments.selectors.staff import (
    assignment_detail,
    assignment_get,
    assignments_for_staff,
    flag_get,
    flag_history,
    flags_for_staff,
    occurrence_get,
    occurrences_for_staff,
    response_get,
    responses_for_staff,
    reviews_for_staff,
)

__all__ = [
    "CASELOAD_SORTS",
    "adherence_by_activity",
    "adherence_log",
    "assignment_detail",
    "assignment_get",
    "assignments_for_staff",
    "caseload_rows",
    "client_homework",
    "client_may_see_score",
    "draft_for",
    "flag_get",
    "flag_history",
    "flags_for_staff",
    "occurrence_get",
    "occurrences_for_staff",
    "overall_adherence",
    "portal_assignment_get",
    "portal_assignments",
    "portal_history",
    "portal_occurrence_get",
    "portal_occurrences",
    "portal_response_get",
    "portal_reviews",
    "response_get",
    "responses_for_staff",
    "reviews_for_staff",
    "session_review",
    "todo_for",
]
