"""Benchmark: the caseload dashboard (GET /dashboard/, HTML, signed in as the owner, so every
client is on it) for 500 clients with 50 entries each, against a bare view running one
indexed query over the same 500 clients, in the same run; and the same dashboard for another
500 clients with 10× the entries each (a ten times longer history, same rhythm), to show the
cost follows the number of clients, not the length of their history.

    .venv/bin/python bench/bench_dashboard.py            # SQLite (in memory)
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_dashboard.py

Data is written with bulk_create (sampledata/caseload.bulk_caseload): every
fifth entry a scored PHQ-9, four in five sent, one client in ten with an open flag.
"""

import time

from django.http import JsonResponse
from django.urls import include, path
from harness import (
    count_queries,
    interleaved_medians,
    median_ms,
    report,
    setup_django,
    throwaway_database,
)

CLIENTS = 500
ENTRIES = 50
SCALE = 10


def bare_dashboard_peer(request, practice_id):
    """One indexed query (client_practice_status leads with practice) over the same clients,
    dumped as JSON: the floor a page listing them stands on."""
    from clients.models import Client
    from core.tenancy import practice_scope

    with practice_scope(practice_id):
        rows = list(
            Client.objects.filter(practice_id=practice_id)
            .order_by("full_name")
            .values("id", "full_name", "status")
        )
    return JsonResponse({"results": rows}, json_dumps_params={"default": str})


def __getattr__(name):
    """This module is also the benchmark's URLconf (ROOT_URLCONF = "bench_dashboard"); the
    project's URLs can only be imported once Django is set up, hence lazily."""
    if name != "urlpatterns":
        raise AttributeError(name)
    return [
        path("bench/bare/dashboard/<uuid:practice_id>/", bare_dashboard_peer),
        path("", include("homework_platform.urls")),
    ]


def _practice_with(entries: int):
    from types import SimpleNamespace

    from bench.data import activity_version, owner_membership
    from sampledata.caseload import bulk_caseload

    owner = owner_membership()
    practice = owner.practice
    versions = SimpleNamespace(
        mood_log=activity_version(owner, "daily-mood-log"),
        phq9=activity_version(owner, "phq-9"),
    )
    bulk_caseload(
        practice, owner.user, versions, clients=CLIENTS, entries=entries, checkins=False, fast=True
    )
    return practice, owner.user


def main() -> None:
    setup_django()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench_dashboard"
    started = time.perf_counter()
    with throwaway_database() as connection:
        from django.test import Client as WebClient

        practice, owner = _practice_with(ENTRIES)
        _big_practice, big_owner = _practice_with(ENTRIES * SCALE)
        if connection.vendor == "postgresql":
            # A database in use, not one just bulk-loaded: statistics, and the visibility map
            # that lets index-only scans skip the table (autovacuum's work, done now so that
            # it does not start in the middle of the measurement).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        setup_s = time.perf_counter() - started

        browser = WebClient()
        browser.force_login(owner)
        big_browser = WebClient()
        big_browser.force_login(big_owner)

        def subject():
            response = browser.get("/dashboard/")
            assert response.status_code == 200 and b"dash-table" in response.content

        def subject_10x():
            response = big_browser.get("/dashboard/")
            assert response.status_code == 200 and b"dash-table" in response.content

        def peer():
            response = browser.get(f"/bench/bare/dashboard/{practice.pk}/")
            assert response.status_code == 200

        ms, peer_ms = interleaved_medians(subject, peer)
        ms_10x, ms_1x = interleaved_medians(subject_10x, subject)
        report(
            "dashboard",
            ms=round(ms, 2),
            peer_ms=round(peer_ms, 2),
            ratio=round(ms / peer_ms, 2),
            queries=count_queries(subject),
            queries_10x_entries=count_queries(subject_10x),
            clients=CLIENTS,
            entries_per_client=ENTRIES,
            ms_10x_entries_per_client=round(ms_10x, 2),
            ms_1x_entries_per_client=round(ms_1x, 2),
            scale_ratio=round(ms_10x / ms_1x, 2),
            scale="10x entries per client (a 10x longer history), same 500 clients",
            selector_ms=round(median_ms(lambda: _selector(practice, owner), repeat=10), 2),
            database=connection.vendor,
            setup_s=round(setup_s, 1),
            peer="bare view: one indexed query over the same 500 clients",
        )


def _selector(practice, owner):
    from accounts.models import Membership
    from analytics.selectors import caseload_dashboard
    from core.tenancy import practice_scope

    with practice_scope(practice):
        membership = Membership.objects.select_related("practice", "user").get(user=owner)
        caseload_dashboard(membership)


if __name__ == "__main__":
    main()
