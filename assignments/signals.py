"""Signals other apps listen to (reminders sends notifications from them).

``flag_raised`` is sent once per new ``Flag``, and again when a later save of the same entry
endorses a higher level on its item (the flag's ``level`` then says so), after the transaction
has committed, with ``flag_id``, ``practice_id`` and ``client_id`` (ids, so a receiver can
hand them to a Celery task as they are).
"""

from django.dispatch import Signal

flag_raised = Signal()
