"""Demo data for the load test: ``practices`` practices, each with an owner, ``therapists``
therapists and ``clients`` clients per therapist with a history, then a manifest (JSON) of who
the simulated people sign in as.

Practices, memberships' practice, API tokens and the homework the clients do during the run
are made by the services, as the product makes them. The people and the history are written
in bulk (``sampledata.caseload``): thousands of clients through the services one by one would
take longer than the run. Passwords are hashed once and the hash shared (the sign-in still
checks it with the real hasher, so it costs what it costs in production); clients have no
password: they sign in by the emailed code, as real clients do.

    python -m loadtest.seed --out loadtest/out/manifest.json
"""

import argparse
import json
import os
import sys
import time
from datetime import time as clock_time
from pathlib import Path

PASSWORD = "load-test-password-2026"  # noqa: S105 - a throwaway database's only password


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=20)
    parser.add_argument("--therapists", type=int, default=10, help="per practice")
    parser.add_argument("--clients", type=int, default=40, help="per therapist")
    parser.add_argument("--entries", type=int, default=20, help="history per client")
    parser.add_argument("--portal-clients", type=int, default=25, help="per practice")
    parser.add_argument("--out", default="loadtest/out/manifest.json")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loadtest.settings")
    import django

    django.setup()
    started = time.monotonic()
    manifest: dict = {"password": PASSWORD, "practices": []}
    for number in range(1, args.practices + 1):
        manifest["practices"].append(seed_practice(number, args))
        print(
            f"  practice {number}/{args.practices} seeded ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(manifest, indent=1))
    print(f"Seeded in {time.monotonic() - started:.0f} s; manifest: {out}")
    return 0


def seed_practice(number: int, args) -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import Membership, Role, User
    from accounts.services import api_token_create, practice_create
    from assignments.schedule import DAILY
    from assignments.services.assigning import assignment_create
    from clients.models import Client
    from core.tenancy import practice_scope
    from library.models import CuratedActivity
    from library.services import activity_version_for_assignment
    from sampledata.caseload import bulk_caseload

    domain = f"p{number:02d}.load.test"
    hashed = make_password(PASSWORD)
    with transaction.atomic():
        owner = User.objects.create(
            email=f"owner@{domain}", full_name=f"Owner {number}", password=hashed
        )
        practice = practice_create(owner=owner, name=f"Load practice {number:02d}")
        therapists = User.objects.bulk_create(
            User(email=f"t{t:02d}@{domain}", full_name=f"Therapist {number}.{t}", password=hashed)
            for t in range(1, args.therapists + 1)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in [owner, *therapists]
        )
    with practice_scope(practice):
        Membership.objects.bulk_create(
            Membership(practice=practice, user=user, role=Role.THERAPIST) for user in therapists
        )
        actor = Membership.objects.select_related("user", "practice").get(user=owner)

        class Versions:
            pass

        versions = Versions()
        for name, slug in (("mood_log", "daily-mood-log"), ("phq9", "phq-9")):
            setattr(
                versions,
                name,
                activity_version_for_assignment(
                    practice=practice,
                    actor=actor,
                    curated_activity=CuratedActivity.objects.get(slug=slug),
                ),
            )
        made = []
        for therapist in therapists:
            made += bulk_caseload(
                practice,
                therapist,
                versions,
                clients=args.clients,
                entries=args.entries,
                fast=True,
                names=[f"Client {number}.{therapist.pk}.{n:03d}" for n in range(args.clients)],
            )
        # Portal sign-in needs an address and a user; clients never get a password.
        no_password = make_password(None)
        users = User.objects.bulk_create(
            User(email=f"c{n:04d}@{domain}", full_name=client.full_name, password=no_password)
            for n, client in enumerate(made)
        )
        for client, user in zip(made, users, strict=True):
            client.user, client.email = user, user.email
        Client.objects.bulk_update(made, ["user", "email"], batch_size=2000)

        # The homework the simulated clients open, autosave and send: a daily mood log due
        # late tonight in their own time zone, made by the service.
        portal = []
        for client in made[: args.portal_clients]:
            therapist_membership = Membership.objects.get(user_id=client.primary_therapist_id)
            assignment_create(
                client=client,
                actor=therapist_membership,
                activity_version=versions.mood_log,
                schedule_kind=DAILY,
                repeat_days=28,
                due_time=clock_time(23, 59),
            )
            portal.append(client.email)
        token_member = Membership.objects.get(user=therapists[0])
        _, raw = api_token_create(membership=token_member, name="Load test script", days=30)
    return {
        "name": practice.name,
        "therapists": [user.email for user in therapists],
        "portal_clients": portal,
        "api_token": raw,
    }


if __name__ == "__main__":
    raise SystemExit(main())
