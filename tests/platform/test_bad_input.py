"""Bad input of any kind answers a clear 4xx, never a 500: malformed ids in paths, malformed
filters, and JSON bodies too deep to parse."""

import json

import pytest
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from clients.models import Client
from tests.platform.test_tenancy import _render, _walk, object_urls

pytestmark = pytest.mark.django_db

FILTERS = ("client", "assignment", "pathway", "enrolment", "activity", "practice")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_a_malformed_id_in_any_path_is_not_found(world, web, method):
    browser = web(world.owner_a)
    checked = 0
    for route, _name, params in object_urls():
        url = _render(route, dict.fromkeys(params, "not-a-uuid"))
        response = getattr(browser, method)(url)
        assert response.status_code in (404, 405), (
            f"{method.upper()} {url} -> {response.status_code}"
        )
        checked += 1
    assert checked >= 40


def _api_lists():
    from django.urls import get_resolver

    for route, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/") and "<" not in route and "(?P" not in route:
            yield "/" + route.replace("\\", "")


@pytest.mark.parametrize("param", FILTERS)
def test_a_malformed_id_filter_answers_400_naming_the_parameter(world, param):
    api = _api(world.owner_a)
    checked = 0
    for url in _api_lists():
        response = api.get(url, {param: "abc"})
        assert response.status_code < 500, f"GET {url}?{param}=abc -> {response.status_code}"
        if response.status_code == 400:
            assert param in response.json(), f"GET {url}?{param}=abc: {response.json()}"
        checked += 1
    assert checked >= 10


def test_a_client_filtering_with_a_malformed_id_is_told_so(world):
    response = _api(world.owner_a).get("/api/v1/assignments/", {"client": "abc"})
    assert response.status_code == 400
    assert response.json() == {"client": ["Not a valid id."]}


def test_deeply_nested_json_answers_400(world):
    body = "[" * 100_000 + "]" * 100_000
    response = _api(world.owner_a).generic(
        "POST", "/api/v1/clients/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in json.dumps(response.json())


def test_a_body_over_the_upload_limit_is_refused_and_nothing_is_saved(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"full_name": "x" * 2000})
    response = _api(world.owner_a).generic(
        "POST", "/api/v1/clients/", body, content_type="application/json"
    )
    # Django's own limit may answer first (400), else the API parser's (413).
    assert response.status_code in (400, 413)
    with scopes_disabled():
        assert not Client.objects.filter(full_name__startswith="xxx").exists()


def test_the_api_answers_429_past_the_per_user_limit(world, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    cache.clear()
    api = _api(world.therapist_a)
    answers = [api.get("/api/v1/clients/").status_code for _ in range(5)]
    cache.clear()
    assert answers == [200, 200, 200, 429, 429]
