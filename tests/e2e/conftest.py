"""Browser journeys: Playwright (sync API) driving Debian's chromium against live_server.

Screenshots go to test-artifacts/screenshots/<name>-<phone|desktop>.png so a person can look
at them.
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told that this (test-only) use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
FAILURES = SCREENSHOTS.parent / "failures"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite(django_db_setup):
    """With SQLite in memory the live server's threads all use the test's one connection, so
    two requests at once (an autosave racing a reload) interleave their savepoints ("no such
    savepoint"). There, each request runs start to finish under one lock (the server stays
    threaded for the sockets); PostgreSQL gives every thread its own connection."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return

    class OneRequestAtATime(ThreadedWSGIServer):
        lock = threading.Lock()

        def set_app(self, application):
            def serialised(environ, start_response):
                with self.lock:
                    result = application(environ, start_response)
                    try:
                        return list(result)  # the whole body, database work included
                    finally:
                        if hasattr(result, "close"):
                            result.close()  # request_finished, still under the lock

            super().set_app(serialised)

    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = OneRequestAtATime
    yield
    LiveServerThread.server_class = threaded


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


def _watch(page) -> list[str]:
    """What happened on ``page`` that a failure report needs: console messages, failed
    requests, and every response with an error status."""
    events = []
    page.on("console", lambda message: events.append(f"console {message.type}: {message.text}"))
    page.on(
        "requestfailed",
        lambda request: events.append(f"failed {request.method} {request.url}: {request.failure}"),
    )
    page.on(
        "response",
        lambda response: (
            events.append(f"{response.status} {response.request.method} {response.url}")
            if response.status >= 400 or response.request.is_navigation_request()
            else None
        ),
    )
    return events


@pytest.fixture
def new_page(request, browser, live_server):
    """Return a function that opens a fresh browser context (own cookies) at a viewport. When
    the test fails, each page's screenshot, address and events go to test-artifacts/failures/
    (an intermittent failure can then be read after the fact)."""
    contexts, pages = [], []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(30_000)  # generous: CI machines are small and busy
        contexts.append(context)
        page = context.new_page()
        pages.append((page, _watch(page)))
        return page

    yield make
    if getattr(request.node, "e2e_failed", False):
        FAILURES.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for number, (page, events) in enumerate(pages, 1):
            stem = FAILURES / f"{name}-{number}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
            except Exception as exc:  # a page that crashed still gets its log
                events.append(f"no screenshot: {exc}")
            stem.with_suffix(".txt").write_text("\n".join([f"url: {page.url}", *events]) + "\n")
    for context in contexts:
        context.close()


# The window's size and where the page is scrolled to.
PLACE = "[innerWidth, innerHeight, scrollX, scrollY]"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot named after the viewport width, and leave the page where it
    was. Chromium draws the whole page by stretching the window to the page's height and
    shrinking it back; a worksheet scrolled part way down came back scrolled to its end, and
    jumped back only at its next layout, which can come in the middle of the next tap: the
    double tap on "Send", aimed while the page was at its end, came down on "Add an emotion"
    once the tap's change of focus had laid the page out."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    label = "phone" if width < 600 else "desktop"
    path = SCREENSHOTS / f"{name}-{label}.png"
    place = page.evaluate(PLACE)
    page.screenshot(path=str(path), full_page=True)
    page.evaluate("([x, y]) => window.scrollTo(x, y)", place[2:])
    page.wait_for_function(f"(place) => {PLACE}.every((value, i) => value === place[i])", arg=place)
    return path


@pytest.fixture
def global_library(transactional_db):
    """Transactional tests flush the tables the data migration filled; put them back."""
    from library.seeding import sync_global_library

    sync_global_library()


def sign_in(page, email: str, password: str = PASSWORD, *, next_url: str = "**/clients/") -> None:
    """Sign a staff member in through the real login form (curators land on ``/curate/``)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(next_url)


SIGN_IN_LINK = re.compile(r"https?://[^/]+(/portal/sign-in/link/[\w-]+/)")


def sign_in_link(email: str) -> str:
    """The path of the newest sign-in link mailed to ``email`` (other mail, such as a
    "new homework" reminder, may have reached the same inbox first)."""
    for message in reversed(mail.outbox):
        if message.to == [email] and (found := SIGN_IN_LINK.search(message.body)):
            return found.group(1)
    raise AssertionError(f"No sign-in link was mailed to {email}")


def portal_sign_in(page, email: str) -> None:
    """Sign a client in to the portal with the emailed link, as a client would."""
    page.goto("/portal/sign-in/")
    page.get_by_label("Your email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.wait_for_url("**/sign-in/code/")
    page.goto(sign_in_link(email))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portal/")


def portal_session_cookie(client_record, url) -> dict:
    """A signed-in portal session for ``client_record``, as the emailed link would give."""
    from django.conf import settings
    from django.test import Client as WebClient

    from tests.factories import sign_in_to_portal

    session = sign_in_to_portal(WebClient(), client_record).session
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}
