"""Every write about reminders and notifications, by role:

- ``schedule``: planning reminders into the outbox, re-planning, cancelling;
- ``engine``: the sweeper and the worker's claim → send → record;
- ``planning``: what each claimed reminder gets (the worker's decisions and journal);
- ``preferences``: practice policy, overrides, client and therapist preferences, links;
- ``inbox``: the notification centre (mark read);
- ``feeds``: the private calendar feed;
- ``bounces``: addresses that bounce.

Keyword-only and atomic; bad input raises ``ValidationError`` naming the field.
"""
