"""The benchmarks' own practice, clients and activities, made through the services as the
product makes them (bench/ never imports tests/). The bulk caseload the dashboard benchmark
shares with the tests is in ``sampledata.caseload``."""

from itertools import count

_numbers = count(1)


def owner_membership():
    """A new practice and its owner's ``Membership``."""
    from accounts.models import Membership, User
    from accounts.services import practice_create
    from core.tenancy import practice_scope

    number = next(_numbers)
    user = User.objects.create_user(email=f"owner{number}@bench.test", full_name="Bench Owner")
    practice = practice_create(owner=user, name=f"Bench practice {number}")
    with practice_scope(practice):
        return Membership.objects.select_related("user", "practice").get(
            practice=practice, user=user
        )


def clients_of(owner, count: int) -> list:
    """``count`` clients of the owner (as their therapist)."""
    from clients.services import client_create
    from core.tenancy import practice_scope

    practice = owner.practice
    with practice_scope(practice):
        return [
            client_create(
                practice=practice,
                actor=owner,
                full_name=f"Client {number}",
                email=f"client{number}@{practice.slug}.bench.test",
                timezone_name="Europe/London",
                primary_therapist=owner.user,
            )
            for number in range(1, count + 1)
        ]


def activity_version(owner, slug: str):
    """The version of the global library's ``slug`` an assignment in the owner's practice
    pins (adopted into the practice library the first time)."""
    from core.tenancy import practice_scope
    from library.models import CuratedActivity
    from library.services import activity_version_for_assignment

    with practice_scope(owner.practice):
        return activity_version_for_assignment(
            practice=owner.practice,
            actor=owner,
            curated_activity=CuratedActivity.objects.get(slug=slug),
        )
