"""What the pages and the API need to know about risk answers: which fields of an activity
can alert the therapist (told to the client before they start), and whether an entry's
answers as they stand meet a risk rule (support first after sending)."""

from collections.abc import Mapping
from typing import Any

from worksheets import iter_fields, risk_answers, risk_rules


def risk_fields(definition) -> list[Mapping[str, Any]]:
    """The fields whose answer can alert the therapist whoever the entry is shared with:
    those with a risk rule (``worksheets.risk_rules``: an item's own ``risk``, or a legacy
    measure's ``scoring.critical``). ``assignments.services`` raises the flag on every save,
    for private entries and drafts too; this is the one place the pages learn of it."""
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
