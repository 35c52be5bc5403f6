"""The tenancy wall: scoped managers fail closed, and every object URL answers 404 across
practices, on every method, leaving the other practice's data untouched."""

import re
import uuid

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import ScopeError, scopes_disabled

from accounts.models import Membership
from clients.models import Client
from core.tenancy import practice_scope
from tests.isolation import build_isolation_targets

pytestmark = pytest.mark.django_db


def test_a_query_without_a_scope_raises(world):
    with pytest.raises(ScopeError):
        list(Client.objects.all())
    with pytest.raises(ScopeError):
        Membership.objects.filter(role="owner").count()


def test_no_practice_scope_sees_nothing(world):
    """practice_scope(None) must not mean "no filter" (django-scopes' meaning of None)."""
    with practice_scope(None):
        assert Client.objects.count() == 0


def test_a_practice_scope_sees_only_that_practice(world):
    with practice_scope(world.practice_a):
        names = set(Client.objects.values_list("full_name", flat=True))
    assert names == {"Alpha Client"}


def test_every_tenant_model_is_scoped_and_has_a_practice():
    """Any model with a practice FK must use a scoped manager (fail closed)."""
    for model in apps.get_models():
        field_names = {f.name for f in model._meta.get_fields()}
        if "practice" not in field_names or model._meta.app_label in {"auth", "admin"}:
            continue
        field = model._meta.get_field("practice")
        assert not field.null, f"{model.__name__}.practice must be non-null"
        with pytest.raises(ScopeError):
            list(model.objects.all())


def _walk(patterns, prefix=""):
    for entry in patterns:
        piece = str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + piece)
        elif isinstance(entry, URLPattern):
            yield prefix + piece, entry


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")
# Parameters that are secrets or formats, not object ids.
NOT_OBJECT_IDS = {
    "token",
    "format",
    "key",
    "uidb36",
    "uidb64",
    "object_id",
    "content_type_id",
    "app_label",
    "path",
    "url",
    "model_name",
    "pk_url",
}


def object_urls():
    """Every URL pattern of ours that takes an object id (admin and allauth excluded)."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("django-admin/", "accounts/")) or "format" in route:
            continue
        names = [m.group("name") or m.group("rname") for m in PARAM.finditer(route)]
        ids = [n for n in names if n not in NOT_OBJECT_IDS]
        if ids:
            found.append((route, pattern.name, ids))
    return found


def _render(route, values):
    def repl(match):
        return str(values[match.group("name") or match.group("rname")])

    return "/" + PARAM.sub(repl, route).replace("\\", "")


def _snapshot(practice):
    """Every tenant row of ``practice``, serialised, to prove nothing changed."""
    rows = []
    with scopes_disabled():
        for model in apps.get_models():
            if "practice" in {f.name for f in model._meta.get_fields()}:
                rows.append(
                    serializers.serialize(
                        "json", model.objects.filter(practice=practice).order_by("pk")
                    )
                )
    return rows


def test_the_url_walk_finds_the_object_urls():
    routes = {route for route, _, _ in object_urls()}
    assert "clients/<uuid:client_id>/" in routes
    assert any(route.startswith("api/v1/clients/") for route in routes)


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_every_object_url_is_404_for_another_practice(world, web, method):
    targets = build_isolation_targets(world)
    browser_a = web(world.owner_a)  # an owner sees the most in their own practice
    before = _snapshot(world.practice_b)
    checked = 0
    for route, name, params in object_urls():
        values = {}
        for param in params:
            # DRF router URLs call every id "pk": tell them apart by the route's basename.
            key = f"{name.rsplit('-', 1)[0]}.pk" if param == "pk" else param
            assert key in targets, (
                f"No practice-B object registered for URL {route!r} (name={name}, "
                f"param={param}). Add {key!r} to tests/isolation.py."
            )
            values[param] = targets[key]
        url = _render(route, values)
        response = getattr(browser_a, method)(url)
        missing = getattr(browser_a, method)(_render(route, {p: uuid.uuid4() for p in params}))
        assert response.status_code in (404, 405), (
            f"{method.upper()} {url} -> {response.status_code}"
        )
        assert response.status_code == missing.status_code, (
            f"{method.upper()} {url}: another practice's object must look exactly like a "
            f"missing one ({response.status_code} vs {missing.status_code})"
        )
        checked += 1
    assert checked >= 8
    assert _snapshot(world.practice_b) == before


def test_a_therapist_cannot_open_a_colleagues_client(world, web):
    response = web(world.colleague_a).get(f"/clients/{world.client_a.pk}/")
    assert response.status_code == 404
    assert web(world.therapist_a).get(f"/clients/{world.client_a.pk}/").status_code == 200
    assert web(world.owner_a).get(f"/clients/{world.client_a.pk}/").status_code == 200
