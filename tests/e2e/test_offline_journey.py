"""Homework without a signal: a client opens a worksheet online, loses the connection, fills
it in and sends it (it waits on the phone, and the page says so), closes the page and opens it
again still offline (it opens from the phone), and when the connection is back the entry
arrives exactly once. The portal is installable: its manifest is linked and complete."""

import re
from contextlib import contextmanager

import pytest
from django.core.signals import request_started
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from assignments.models import Response
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, portal_sign_in, screenshot
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db(transaction=True)

WAITING = "Waiting to send — will go when you're back online."


def _top(page) -> None:
    page.evaluate("window.scrollTo(0, 0)")


def _controlled(page) -> None:
    """Wait until the portal's service worker controls the page (it claims open pages as
    soon as it is active)."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


@contextmanager
def _server_requests():
    """The paths the live server is asked for meanwhile: none, while the phone is offline."""
    paths: list[str] = []

    def heard(sender, environ, **kwargs):
        paths.append(environ["PATH_INFO"])

    request_started.connect(heard)
    try:
        yield paths
    finally:
        request_started.disconnect(heard)


def test_a_worksheet_filled_in_offline_is_sent_once_when_back_online(
    new_page, world, global_library, assign
):
    with scopes_disabled():
        assignment = assign(activity_version_for(world.practice_a, "daily-mood-log"))
        occurrence = assignment.occurrences.get()
    url = f"/portal/do/{occurrence.pk}/"

    phone = new_page(PHONE)
    context = phone.context
    portal_sign_in(phone, world.client_a.email)
    _controlled(phone)

    # Installable: the manifest the page links is complete.
    manifest = phone.evaluate(
        """async () => {
            const link = document.querySelector('link[rel=manifest]');
            const response = await fetch(link.href);
            return {type: response.headers.get('Content-Type'), body: await response.json()};
        }"""
    )
    assert manifest["type"] == "application/manifest+json"
    assert manifest["body"]["display"] == "standalone"
    assert manifest["body"]["start_url"] == "/portal/"
    assert {icon["sizes"] for icon in manifest["body"]["icons"]} == {"192x192", "512x512"}
    _top(phone)
    screenshot(phone, "offline-installable-home")

    # Opened online: the worker keeps the page. (The to-do's own item, not the "does this plan
    # work for you?" ask above it, which names the activity too.)
    phone.get_by_role("link", name=re.compile(r"^Daily mood log")).click()
    phone.wait_for_url(f"**{url}")
    phone.wait_for_function(
        """async () => Boolean(await (await caches.open('bw-portal-pages')).match(location.href))"""
    )

    # The train goes into a tunnel.
    context.set_offline(True)
    offline = _server_requests()
    heard = offline.__enter__()
    phone.locator('input[name="f.date"]').fill(occurrence.local_date.isoformat())
    phone.locator('label[for="f-mood-6"]').click()
    phone.get_by_role("button", name="Send to your therapist").click()
    expect(phone.get_by_role("status").filter(has_text=WAITING)).to_be_visible()
    expect(phone.get_by_text("Your answers are saved on this phone.")).to_be_visible()
    assert phone.url.endswith(url)  # no error page: still the worksheet
    screenshot(phone, "offline-waiting-to-send")
    phone.locator("[data-sheet-actions]").evaluate("e => e.scrollIntoView({block: 'center'})")
    phone.screenshot(path=str(SCREENSHOTS / "offline-waiting-to-send-view-phone.png"))
    with scopes_disabled():
        assert not Response.objects.exists()

    # Closed and opened again, still offline: the page opens from the phone, answers intact.
    phone.close()
    again = context.new_page()
    again.goto(url)
    expect(again.get_by_role("heading", name="Daily mood log")).to_be_visible()
    expect(again.get_by_role("status").filter(has_text=WAITING)).to_be_visible()
    expect(again.locator('input[name="f.mood"][value="6"]')).to_be_checked()
    with scopes_disabled():
        assert not Response.objects.exists()

    offline.__exit__(None, None, None)
    # The page came from the phone, and nothing was sent. (A draft autosave may get through:
    # the worksheet saves with keepalive as the page closes, and a keepalive request outlives
    # the page whose emulated "offline" Chromium applies; a real phone has no network then.)
    assert [path for path in heard if not path.endswith("/draft/")] == []

    # Back above ground: the entry goes by itself, once.
    context.set_offline(False)
    again.wait_for_url("**/entries/**")
    expect(again.get_by_text("Sent. Well done.")).to_be_visible()
    with scopes_disabled():
        responses = list(Response.objects.filter(occurrence=occurrence))
        assert len(responses) == 1
        assert responses[0].current_revision.answers["mood"] == 6
    # Nothing is left waiting on the phone.
    assert again.evaluate("async () => (await BWOutbox.all()).length") == 0

    # Signing out forgets the kept pages: the next person on this phone finds none of them.
    assert again.evaluate("() => caches.has('bw-portal-pages')")
    again.get_by_role("button", name="Sign out").click()
    again.wait_for_url("**/portal/sign-in/**")
    assert not again.evaluate("() => caches.has('bw-portal-pages')")


def test_a_send_lost_on_a_weak_signal_waits_on_the_phone_and_goes_once(
    new_page, world, global_library, assign
):
    """The phone says it is online, but the send never reaches the server: the service worker
    keeps the entry in the outbox and brings the client back to the worksheet, which says it
    is waiting; the next page load sends it, once."""
    with scopes_disabled():
        assignment = assign(activity_version_for(world.practice_a, "daily-mood-log"))
        occurrence = assignment.occurrences.get()
    url = f"/portal/do/{occurrence.pk}/"

    phone = new_page(DESKTOP)  # a laptop on a train's wifi does this just as well
    portal_sign_in(phone, world.client_a.email)
    _controlled(phone)
    phone.goto(url)
    phone.wait_for_function(
        """async () => Boolean(await (await caches.open('bw-portal-pages')).match(location.href))"""
    )

    def drop_sends(route):
        if route.request.method == "POST" and route.request.url.endswith(url):
            route.abort("internetdisconnected")
        else:
            route.fallback()

    phone.context.route("**/*", drop_sends)
    phone.locator('input[name="f.date"]').fill(occurrence.local_date.isoformat())
    phone.locator('label[for="f-mood-4"]').click()
    phone.get_by_role("button", name="Send to your therapist").click()
    expect(phone.get_by_role("status").filter(has_text=WAITING)).to_be_visible()
    phone.locator("[data-sheet-actions]").evaluate("e => e.scrollIntoView({block: 'center'})")
    phone.screenshot(path=str(SCREENSHOTS / "offline-weak-signal-waiting-desktop.png"))
    with scopes_disabled():
        assert not Response.objects.exists()

    draft = f"bw-draft-{occurrence.pk}"
    assert phone.evaluate(f"() => localStorage.getItem('{draft}') !== null")

    # The signal is back; the client goes to the to-do list, and the entry goes from there.
    phone.context.unroute("**/*", drop_sends)
    phone.goto("/portal/")
    expect(
        phone.get_by_role("status").filter(has_text="you finished offline reached")
    ).to_be_visible()
    screenshot(phone, "offline-sent-from-the-todo")
    # The copy kept on this device goes with it, or it would come back into the next entry.
    assert phone.evaluate(f"() => localStorage.getItem('{draft}') === null")
    with scopes_disabled():
        responses = list(Response.objects.filter(occurrence=occurrence))
        assert len(responses) == 1
        assert responses[0].current_revision.answers["mood"] == 4
    phone.get_by_role("link", name="Open your entry").click()
    expect(phone.get_by_text("Sent. Well done.")).to_be_visible()


def test_an_entry_waiting_when_the_session_has_ended_stays_until_the_client_signs_in(
    new_page, world, global_library, assign
):
    """Days offline, and the session ends meanwhile: the entry is not lost and not sent under
    nobody's name. The page asks the client to sign in; once they have, it goes, once."""
    with scopes_disabled():
        assignment = assign(activity_version_for(world.practice_a, "daily-mood-log"))
        occurrence = assignment.occurrences.get()
    url = f"/portal/do/{occurrence.pk}/"

    phone = new_page(PHONE)
    context = phone.context
    portal_sign_in(phone, world.client_a.email)
    _controlled(phone)
    phone.goto(url)
    phone.wait_for_function(
        """async () => Boolean(await (await caches.open('bw-portal-pages')).match(location.href))"""
    )
    context.set_offline(True)
    phone.locator('input[name="f.date"]').fill(occurrence.local_date.isoformat())
    phone.locator('label[for="f-mood-3"]').click()
    phone.get_by_role("button", name="Send to your therapist").click()
    expect(phone.get_by_role("status").filter(has_text=WAITING)).to_be_visible()

    context.clear_cookies()  # the session ended while the phone was away
    context.set_offline(False)
    asks = phone.get_by_role("status").filter(has_text="Sign in again")
    expect(asks).to_be_visible()
    phone.locator("[data-sheet-actions]").evaluate("e => e.scrollIntoView({block: 'center'})")
    phone.screenshot(path=str(SCREENSHOTS / "offline-waiting-sign-in-phone.png"))
    with scopes_disabled():
        assert not Response.objects.exists()

    portal_sign_in(phone, world.client_a.email)
    expect(
        phone.get_by_role("status").filter(has_text="you finished offline reached")
    ).to_be_visible()
    with scopes_disabled():
        responses = list(Response.objects.filter(occurrence=occurrence))
        assert len(responses) == 1
        assert responses[0].current_revision.answers["mood"] == 3
