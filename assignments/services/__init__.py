"""Every write about assignments, responses, reviews and the adherence log, by role:

- ``assigning``: assign, change the plan or schedule, cancel;
- ``completing``: the client opens, autosaves a draft, sends and edits an entry, checks in
  (critical answers raise flags);
- ``reviewing``: the therapist reviews; questions and answers;
- ``flags``: the clinician's response to a flag (what was done), which closes it;
- ``sessions``: sessions held and planned ("before each session" assignments follow them);
- ``missed``: the sweeper that logs overdue occurrences as missed;
- ``log``: the adherence log the others append to (package-private).

Keyword-only and atomic. Bad input raises ``ValidationError`` naming the field. Staff writes
take ``actor`` (the staff ``Membership``, or None when the system acts, e.g. a pathway
releasing a step); client writes take the ``client`` record. Access (may this person touch
this object?) is decided by the selectors before a service is called; services check the
rules of the domain.
"""
