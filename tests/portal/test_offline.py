"""The portal as an installable app that works offline: the manifest and the service worker are
served with the right types from under /portal/, only portal pages link them, and an entry
replayed from the phone's outbox (fresh session, fresh CSRF token, same submission key) is
one entry however often it is sent."""

import json
import re
import uuid

import pytest
import time_machine
from django.test import Client as WebClient
from django_scopes import scopes_disabled

from assignments.models import Response
from tests.factories import sign_in_to_portal
from tests.portal.test_homework import MONDAY, THOUGHT_RECORD_FORM

pytestmark = pytest.mark.django_db


def test_the_manifest_is_served_as_a_web_app_manifest(client):
    response = client.get("/portal/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/portal/"
    assert manifest["scope"] == "/portal/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1d6b66"
    assert manifest["background_color"] == "#f5f6f4"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_service_worker_is_served_as_javascript_scoped_to_the_portal(client):
    response = client.get("/portal/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/portal/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    # The placeholders are filled in: the shell's addresses and a version for the cache.
    assert "__SHELL__" not in body and "__VERSION__" not in body
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", body).group(1))
    assert "/static/css/app.css" in shell and "/static/js/outbox.js" in shell
    assert re.search(r'const VERSION = "[0-9a-f]{12}";', body)


def test_portal_pages_link_the_manifest_and_worker_and_staff_pages_do_not(world, portal, web):
    for page in (
        portal(world.client_a).get("/portal/"),
        WebClient().get("/portal/sign-in/"),
    ):
        body = page.content.decode()
        assert 'rel="manifest" href="/portal/manifest.webmanifest"' in body
        assert 'data-worker="/portal/sw.js"' in body
    # Who owns the device's copies, without the client's id in the page: the same opaque
    # value on every visit, another for another client, none when signed out.
    owner = re.compile(r'data-client="([0-9a-f]*)"')
    a = owner.search(portal(world.client_a).get("/portal/").content.decode()).group(1)
    again = owner.search(portal(world.client_a).get("/portal/help/").content.decode()).group(1)
    b = owner.search(portal(world.client_b).get("/portal/").content.decode()).group(1)
    nobody = owner.search(WebClient().get("/portal/sign-in/").content.decode()).group(1)
    assert len(a) == 20 and a == again and b not in ("", a) and nobody == ""
    assert str(world.client_a.pk) not in a
    for path in ("/clients/", "/accounts/login/"):
        user = world.therapist_a if path == "/clients/" else None
        body = web(user).get(path).content.decode()
        assert "manifest" not in body
        assert "sw.js" not in body and "offline.js" not in body


@time_machine.travel(MONDAY, tick=False)
def test_a_replayed_entry_from_a_new_session_is_one_entry(world, acts, assign):
    """What outbox.js does when the connection is back: read a fresh CSRF token from the
    worksheet page, then post the kept answers with the kept key. The first reply is lost
    (the phone went offline again); the replay, after signing in again, lands on the same
    entry."""
    assignment = assign(acts.thought_record)
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    url = f"/portal/do/{occurrence.pk}/"
    key = str(uuid.uuid4())

    def replay():
        phone = sign_in_to_portal(WebClient(enforce_csrf_checks=True), world.client_a)
        page = phone.get(url).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return phone.post(
            url, THOUGHT_RECORD_FORM | {"csrfmiddlewaretoken": token, "submission_key": key}
        )

    first = replay()
    again = replay()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    with scopes_disabled():
        assert Response.objects.filter(occurrence=occurrence).count() == 1


def test_a_replay_without_a_token_is_refused_and_saves_nothing(world, acts, assign):
    assignment = assign(acts.thought_record)
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    phone = sign_in_to_portal(WebClient(enforce_csrf_checks=True), world.client_a)
    sent = phone.post(
        f"/portal/do/{occurrence.pk}/", THOUGHT_RECORD_FORM | {"submission_key": str(uuid.uuid4())}
    )
    assert sent.status_code == 403
    with scopes_disabled():
        assert not Response.objects.exists()
