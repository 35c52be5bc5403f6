"""Security headers on every kind of page: staff, portal, sign-in, API docs, errors."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_headers(response):
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"], "no inline or eval'd script, ever"
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_pages(web, world):
    browser = web(world.therapist_a)
    for url in ("/clients/", f"/clients/{world.client_a.pk}/", "/library/", "/dashboard/"):
        response = browser.get(url)
        assert response.status_code == 200, url
        _assert_headers(response)


def test_portal_and_sign_in_pages(portal, world, client):
    _assert_headers(portal(world.client_a).get("/portal/"))
    _assert_headers(client.get("/portal/sign-in/"))
    _assert_headers(client.get("/accounts/login/"))


def test_api_docs_load_their_scripts_from_this_site(web, world):
    page = web(world.therapist_a).get("/api/docs/")
    assert page.status_code == 200
    _assert_headers(page)
    html = page.content.decode()
    assert "cdn" not in html.lower()
    script = web(world.therapist_a).get("/api/docs/?script=")
    assert script.status_code == 200
    assert "application/javascript" in script["Content-Type"]


def test_error_pages(client):
    _assert_headers(client.get("/no-such-page/"))


def test_no_template_has_an_inline_script():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text()
        for chunk in text.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head, f"{template}: inline <script> (the CSP refuses it)"
        handler = re.search(r"<[^>]*\son[a-z]+\s*=", text)
        assert handler is None, f"{template}: inline event handler {handler.group(0)!r}"
