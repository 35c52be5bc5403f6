"""Shared set-up for benchmarks: a throwaway database, a peer view, and robust timing.

Each benchmark runs its subject and its peer in the same process run, interleaved, and
reports the ratio of medians, so the figure holds on a noisy machine. The database is a
fresh test database (PostgreSQL when DATABASE_URL points at one, else SQLite in memory),
created with Django's test-database machinery and destroyed at the end: never the dev DB.
"""

import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ROOT_URLCONF = "bench.urls"


@contextmanager
def throwaway_database():
    """A fresh test database for the body, destroyed after it.

    Only the database comes from Django's test machinery, not the rest of its test
    environment (``setup_test_environment``): that swaps in an instrumented template renderer,
    with which the test client copies the whole context at every template and include
    rendered, a cost production never pays and a page benchmark would count as the page's.
    What the benchmarks need from it, ``setup_django`` sets: any host, mail kept in memory."""
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def median_ms(func, *, repeat: int = 30, warmup: int = 3) -> float:
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def interleaved_medians(subject, peer, *, rounds: int = 5, repeat: int = 10) -> tuple[float, float]:
    """Alternate subject and peer in rounds so drifts in machine load hit both alike."""
    subject_ms, peer_ms = [], []
    for _ in range(rounds):
        subject_ms.append(median_ms(subject, repeat=repeat, warmup=1))
        peer_ms.append(median_ms(peer, repeat=repeat, warmup=1))
    return statistics.median(subject_ms), statistics.median(peer_ms)


def count_queries(func) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def report(name: str, **figures) -> None:
    """The last line a benchmark prints: one JSON object (see DESIGN.md, Contracts)."""
    print(json.dumps({"benchmark": name, **figures}))
