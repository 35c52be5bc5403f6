"""Every write of the homework conversation: ``reviewing`` (in session, the therapist),
``agreeing`` (the plan, the client) and ``reasons`` (why not, the client)."""
