"""Benchmark: the caseload page (GET /clients/, HTML, signed in) for 200 clients, each with a
week of daily homework (some done, some late, some missed), against a bare view running one
indexed query over the same clients, in the same run.

    .venv/bin/python bench/bench_caseload.py            # SQLite (in memory)
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_caseload.py
"""

import uuid

from harness import (
    count_queries,
    interleaved_medians,
    report,
    setup_django,
    throwaway_database,
)

CLIENTS = 200
DAYS = 7


def _homework(practice, therapist, clients) -> None:
    """A week ago each client got a daily activity log; they sent the first few days."""
    import time_machine
    from django.utils import timezone

    from assignments.services import assigning, completing
    from bench.data import activity_version
    from core.tenancy import practice_scope

    version = activity_version(therapist, "activity-log")
    week_ago = timezone.now() - timezone.timedelta(days=DAYS)
    with practice_scope(practice):
        for index, client in enumerate(clients):
            with time_machine.travel(week_ago, tick=False):
                assignment = assigning.assignment_create(
                    client=client,
                    actor=therapist,
                    activity_version=version,
                    schedule_kind="daily",
                    starts_on=timezone.localdate(week_ago, client.tz) + timezone.timedelta(days=1),
                    repeat_days=DAYS,
                )
            for occurrence in list(assignment.occurrences.order_by("sequence"))[: index % 5]:
                with time_machine.travel(occurrence.due_at - timezone.timedelta(hours=1)):
                    completing.response_submit(
                        occurrence=occurrence,
                        client=client,
                        answers={
                            "date": occurrence.local_date.isoformat(),
                            "activity": "A walk",
                            "mastery": 5,
                            "pleasure": 6,
                        },
                        submission_key=uuid.uuid4(),
                    )


def main() -> None:
    setup_django()
    with throwaway_database():
        from django.test import Client as WebClient

        from bench.data import clients_of, owner_membership

        owner = owner_membership()
        practice = owner.practice
        clients = clients_of(owner, CLIENTS)
        _homework(practice, owner, clients)
        browser = WebClient()
        browser.force_login(owner.user)

        def subject():
            response = browser.get("/clients/")
            assert response.status_code == 200 and b"Homework done" in response.content

        def peer():
            response = browser.get(f"/bench/bare/clients/{practice.pk}/")
            assert response.status_code == 200

        ms, peer_ms = interleaved_medians(subject, peer)
        report(
            "caseload",
            ms=round(ms, 2),
            peer_ms=round(peer_ms, 2),
            ratio=round(ms / peer_ms, 2),
            queries=count_queries(subject),
            clients=CLIENTS,
            peer="bare view: one indexed query",
        )


if __name__ == "__main__":
    main()
