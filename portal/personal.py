"""The names a client's activity text is personalised with (``worksheets.personalise``)."""


def names_for(client, assignment=None) -> dict[str, str]:
    """The client's preferred name, else their first name; the assigning therapist's short
    name, else "your therapist"."""
    client_name = (client.preferred_name or "").strip() or (client.full_name or "").split(" ")[0]
    therapist = getattr(assignment, "assigned_by", None) if assignment is not None else None
    return {
        "client_name": client_name,
        "therapist_name": therapist.get_short_name() if therapist else "your therapist",
    }
