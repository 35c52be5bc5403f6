"""Every library URL that takes an object id answers another practice exactly like a missing
object (404), on every method, and changes nothing of theirs. (The project-wide URLconf walk in
tests/platform/test_tenancy.py covers these too; this one fails on library URLs alone.)"""

import uuid

import pytest
from django.core import serializers
from django_scopes import scopes_disabled

from library.models import Activity, ActivityMedia, ActivityVersion
from tests.isolation import library_targets
from tests.platform.test_tenancy import _render, object_urls

pytestmark = pytest.mark.django_db

LIBRARY_ROUTES = ("library/", "curate/", "api/v1/library/")


def _snapshot(practice):
    with scopes_disabled():
        return [
            serializers.serialize("json", model.objects.filter(practice=practice).order_by("pk"))
            for model in (Activity, ActivityVersion, ActivityMedia)
        ]


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_library_object_urls_are_404_for_another_practice(world, web, method):
    targets = library_targets(world)
    before = _snapshot(world.practice_b)
    checked = 0
    for user in (world.owner_a, world.therapist_a):
        browser = web(user)
        for route, name, params in object_urls():
            if not route.startswith(LIBRARY_ROUTES) or route.startswith("curate/pathways/"):
                continue
            keys = [f"{name.rsplit('-', 1)[0]}.pk" if p == "pk" else p for p in params]
            url = _render(route, {p: targets[k] for p, k in zip(params, keys, strict=True)})
            missing = _render(route, {p: 1 if p == "number" else uuid.uuid4() for p in params})
            response = getattr(browser, method)(url)
            assert response.status_code in (404, 405), f"{method.upper()} {url}"
            assert response.status_code == getattr(browser, method)(missing).status_code, url
            checked += 1
    assert checked >= 2 * 30
    assert _snapshot(world.practice_b) == before


def test_another_practices_activity_is_missing_from_lists_and_search(world, web):
    from tests.factories import practice_activity_for

    practice_activity_for(world.practice_b, world.therapist_b, title="Beta only worksheet")
    browser = web(world.owner_a)
    page = browser.get("/library/", {"q": "beta only"})
    assert list(page.context["activities"]) == []
    api = browser.get("/api/v1/library/activities/", {"q": "beta only"})
    assert api.json()["count"] == 0
