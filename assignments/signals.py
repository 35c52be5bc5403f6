"""Signals other apps listen to (reminders sends notifications from them).

``flag_raised`` is sent once per new ``Flag``, after the transaction that created it has
committed, with ``flag_id``, ``practice_id`` and ``client_id`` (ids, so a receiver can hand
them to a Celery task as they are).
"""

from django.dispatch import Signal

flag_raised = Signal()
