"""Shared fixtures: two practices, named people in each, and signed-in browsers for them.

Every fixture set has two practices so that every test can ask "and the other practice?".
"""

import os
from datetime import datetime
from types import SimpleNamespace

import pytest
from django.test import Client as WebClient
from django_scopes import scopes_disabled

from accounts.models import Role
from tests.factories import (
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
    portal_user_for,
    sign_in_to_portal,
)

# Fixtures of one app that other apps' tests use too (acts, assign, submit: homework), and
# the PostgreSQL roles the suite runs as (tests/database_roles.py).
pytest_plugins = ["tests.assignments.fixtures", "tests.database_roles"]


def _practice(label: str):
    practice = PracticeFactory(name=f"{label} Practice", slug=f"{label.lower()}-practice")
    owner = MembershipFactory(
        practice=practice,
        user=UserFactory(email=f"owner@{label.lower()}.test", full_name=f"{label} Owner"),
        role=Role.OWNER,
    ).user
    therapist = MembershipFactory(
        practice=practice,
        user=UserFactory(email=f"therapist@{label.lower()}.test", full_name=f"{label} Therapist"),
        role=Role.THERAPIST,
    ).user
    colleague = MembershipFactory(
        practice=practice,
        user=UserFactory(email=f"colleague@{label.lower()}.test", full_name=f"{label} Colleague"),
        role=Role.THERAPIST,
    ).user
    client = ClientFactory(
        practice=practice,
        primary_therapist=therapist,
        full_name=f"{label} Client",
        email=f"client@{label.lower()}.test",
    )
    portal_user_for(client)
    return practice, owner, therapist, colleague, client


@pytest.fixture
def world(db):
    """Practice A and practice B, each with an owner, a therapist, a colleague (another
    therapist who does not share the client) and a client with portal access; plus a curator."""
    a = _practice("Alpha")
    b = _practice("Beta")
    curator = UserFactory(
        email="curator@bridgework.test", full_name="Cora Curator", is_curator=True
    )
    return SimpleNamespace(
        practice_a=a[0],
        owner_a=a[1],
        therapist_a=a[2],
        colleague_a=a[3],
        client_a=a[4],
        practice_b=b[0],
        owner_b=b[1],
        therapist_b=b[2],
        colleague_b=b[3],
        client_b=b[4],
        curator=curator,
    )


@pytest.fixture
def web():
    """Return a function that gives a browser signed in as a staff user (or anonymous)."""

    def make(user=None):
        browser = WebClient()
        if user is not None:
            browser.force_login(user)
        return browser

    return make


@pytest.fixture
def portal():
    """Return a function that gives a browser signed in to a client's portal."""

    def make(client_record):
        return sign_in_to_portal(WebClient(), client_record)

    return make


@pytest.fixture(autouse=True)
def _empty_cache():
    """Sign-in limits and API throttles count in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def unscoped():
    """For tests that inspect rows directly, outside any request or task."""
    with scopes_disabled():
        yield


# --- Global content after a flush ---------------------------------------------------------------
# Transactional tests (browser journeys, worker chaos, concurrency) end with a flush that empties
# every table, including the global library and pathways the data migrations seed. Put them back
# once the flush is done, so the next test on this worker sees the database a deployment has.
_db_blocker = None


@pytest.fixture(scope="session", autouse=True)
def _remember_db_blocker(django_db_blocker):
    global _db_blocker
    _db_blocker = django_db_blocker


def _was_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if _db_blocker is not None and _was_transactional(item):
        from library.seeding import sync_global_library
        from pathways.seeding import sync_global_pathways

        with _db_blocker.unblock(), scopes_disabled():
            sync_global_library()
            sync_global_pathways()


# --- CI guard: the PostgreSQL-only tests must really have run -------------------------------
_postgres_passed = 0


def pytest_runtest_logreport(report):
    global _postgres_passed
    if report.when == "call" and report.passed and "postgres" in report.keywords:
        _postgres_passed += 1


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller decides
        return
    if os.environ.get("REQUIRE_POSTGRES_TESTS") == "1" and _postgres_passed == 0:
        print("\nREQUIRE_POSTGRES_TESTS=1 but no PostgreSQL-only test passed.")
        session.exitstatus = 1
    elif os.environ.get("REQUIRE_POSTGRES_TESTS") == "1":
        print(f"\n{_postgres_passed} PostgreSQL-only tests passed.")


# --- Another time of day ------------------------------------------------------------------
# `pytest --clock-at=2026-12-04T23:30:00+00:00` (or TEST_CLOCK_AT=…) runs every test as if the
# clock read that instant when the session started; it keeps ticking. Code and tests that only
# work at some hours of the day (defaults of "today", quiet hours, phone versus server
# clocks) fail here instead of on the night CI happens to run. Tests that travel in time
# themselves still do.


def pytest_addoption(parser):
    parser.addoption(
        "--clock-at",
        default=os.environ.get("TEST_CLOCK_AT", ""),
        help="ISO datetime the clock reads when the session starts (it keeps ticking).",
    )


def pytest_configure(config):
    at = config.getoption("--clock-at")
    if at and not hasattr(config, "_bridgework_clock"):
        import time_machine

        config._bridgework_clock = time_machine.travel(datetime.fromisoformat(at), tick=True)
        config._bridgework_clock.start()


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--clock-at"):
        return
    skip = pytest.mark.skip(reason="its worker and sweeper processes run on the real clock")
    for item in items:
        if "real_clock" in item.keywords:
            item.add_marker(skip)
