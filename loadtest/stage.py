"""Before each load-test run: give beat's sweepers work that falls due while Locust runs.

1. Through the services, as ``pathways.demo`` does: the global sleep-routine pathway copied
   and published in each practice (once), and ``--enrol`` more clients of each practice
   enrolled in it (every run: a therapist enrols people every day).
2. ``--reminders`` pending reminders and every scheduled pathway step (the new enrolments'
   first steps) moved to fall due at moments spread over the next ``--seconds``. The
   reminder sweep and the pathway sweep (every minute, beat) then enqueue them, and the worker
   sends and releases them, competing with the web tier as in production. Only due times
   are moved: what each reminder says and to whom is what the services planned.

    python -m loadtest.stage --seconds 300
"""

import argparse
import os
import random
import sys
from datetime import timedelta
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--reminders", type=int, default=2000)
    parser.add_argument("--enrol", type=int, default=10, help="clients per practice")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loadtest.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from accounts.models import Practice
    from pathways.models import EnrolmentStep, StepStatus
    from reminders.models import Reminder, Status

    enrolled = sum(_enrol(practice, args.enrol) for practice in Practice.objects.all())
    # The steps' own times said "now": spread them over the run instead.
    now = timezone.now()
    rng = random.Random(0)

    def moment():
        return now + timedelta(seconds=rng.uniform(5, max(args.seconds - 5, 6)))

    with scopes_disabled(), transaction.atomic():
        reminders = list(
            Reminder.objects.filter(status=Status.PENDING, due_at__gt=now).order_by("due_at")[
                : args.reminders
            ]
        )
        for reminder in reminders:
            reminder.due_at = reminder.scheduled_for = moment()
            reminder.enqueued_at = None
        Reminder.objects.bulk_update(
            reminders, ["due_at", "scheduled_for", "enqueued_at"], batch_size=1000
        )
        steps = list(EnrolmentStep.objects.filter(status=StepStatus.SCHEDULED))
        for step in steps:
            step.release_at = moment()
        EnrolmentStep.objects.bulk_update(steps, ["release_at"], batch_size=1000)
    print(
        f"  {enrolled} clients enrolled in a pathway; {len(reminders)} reminders and "
        f"{len(steps)} pathway steps fall due over the next {args.seconds} s"
    )
    return 0


def _enrol(practice, count: int) -> int:
    from django.utils import timezone

    from accounts.models import Membership, Role
    from clients.models import Client
    from core.tenancy import practice_scope
    from pathways.models import CuratedPathway, Pathway, PathwayStatus
    from pathways.seeding import sync_global_pathways
    from pathways.services.authoring import pathway_copy_from_global, pathway_publish
    from pathways.services.enrolments import enrolment_create

    with practice_scope(practice):
        source = CuratedPathway.objects.filter(slug="sleep-routine").first()
        if source is None:
            sync_global_pathways()
            source = CuratedPathway.objects.get(slug="sleep-routine")
        actor = (
            Membership.objects.select_related("user", "practice")
            .filter(role=Role.OWNER)
            .order_by("created_at")
            .first()
        )
        pathway = Pathway.objects.filter(origin=source).first()
        if pathway is None:
            pathway = pathway_copy_from_global(
                practice=practice, actor=actor, curated_pathway=source
            )
        if pathway.status != PathwayStatus.PUBLISHED:
            pathway_publish(pathway=pathway, actor=actor)
        # Clients the simulated people do not sign in as (those are the first few).
        clients = Client.objects.filter(pathway_enrolments__isnull=True).order_by("-full_name")[
            :count
        ]
        for client in clients:
            enrolment_create(
                pathway=pathway,
                client=client,
                actor=actor,
                start_date=timezone.localdate(timezone.now(), client.tz),
            )
        return len(clients)


if __name__ == "__main__":
    raise SystemExit(main())
