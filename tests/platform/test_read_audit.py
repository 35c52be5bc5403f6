"""Every read of client data leaves an audit row, whatever the route.

The walker opens every page and API route of ours (the URLconf, as the tenancy walker sees it)
on practice A's own objects, as practice A's owner and as practice A's client in the portal.
Whenever a response shows client data (the client's name, email or id, or an entry's words),
the request must have written an audit row naming the practice and the person. A new view that
shows client data without declaring it (``audit_as`` on an API view, ``@audit_read`` on a page)
fails here.
"""

import uuid
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django_scopes import scopes_disabled
from rest_framework import viewsets
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts.models import AuditEvent
from core.api import TenantAPIMixin
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS
from tests.isolation import build_isolation_targets
from tests.platform.test_tenancy import NOT_OBJECT_IDS, PARAM, _render, _walk

pytestmark = pytest.mark.django_db

# The words of practice A's shared entry: only a response that shows the entry contains them.
ENTRY_WORDS = "The heron stood still by the canal at dawn"


def own_targets(world) -> dict:
    """Practice A's objects, one per URL parameter: tests/isolation.py's registry, built for a
    world whose "other practice" is practice A itself; plus a shared entry with known words."""
    mirror = SimpleNamespace(
        practice_b=world.practice_a,
        owner_b=world.owner_a,
        therapist_b=world.therapist_a,
        colleague_b=world.colleague_a,
        client_b=world.client_a,
        curator=world.curator,
    )
    targets = build_isolation_targets(mirror)
    _shared_entry(world)
    return targets


def _shared_entry(world):
    from assignments.models import Occurrence
    from core.tenancy import practice_scope
    from tests.assignments.fixtures import assign_as_therapist, submit_as_client
    from tests.factories import activity_version_for

    version = activity_version_for(world.practice_a, "thought-record")
    assignment = assign_as_therapist(version, world.client_a)
    with practice_scope(world.practice_a):
        occurrence = Occurrence.objects.filter(assignment=assignment).earliest("due_at")
    submit_as_client(
        occurrence,
        {**THOUGHT_RECORD_ANSWERS, "situation": ENTRY_WORDS},
        share_with_therapist=True,
    )


def routes():
    """Every route of ours: (route, URL name, parameters). Admin, allauth and format-suffix
    duplicates are left out, as in the tenancy walker."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("django-admin/", "accounts/")) or "format" in route:
            continue
        params = [m.group("name") or m.group("rname") for m in PARAM.finditer(route)]
        found.append((route, pattern.name, params))
    return found


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _last_audit_id() -> int:
    with scopes_disabled():
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def _rows_since(last_id):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(id__gt=last_id))


def test_every_route_that_shows_client_data_writes_an_audit_row(world, web, portal):
    targets = own_targets(world)
    # What identifies the client (name, email, id) or what they wrote.
    markers = (world.client_a.full_name, world.client_a.email, str(world.client_a.pk), ENTRY_WORDS)
    walked, audited, showed, unaudited = 0, 0, [], []
    for route, name, params in routes():
        if any(p in NOT_OBJECT_IDS for p in params):
            continue  # secret links (invitations, sign-in, calendar): no id to look up
        values = {}
        for param in params:
            key = f"{name.rsplit('-', 1)[0]}.pk" if param == "pk" else param
            assert key in targets, f"No practice-A object for {route!r} ({key!r})"
            values[param] = targets[key]
        url = _render(route, values)
        walked += 1
        # A fresh browser each time: some GETs sign out or switch practice.
        for user, browser in (
            (world.owner_a, lambda: web(world.owner_a)),
            (world.client_a.user, lambda: portal(world.client_a)),
        ):
            last_id = _last_audit_id()
            response = browser().get(url)
            rows = _rows_since(last_id)
            named = any(r.practice_id == world.practice_a.pk and r.actor == user for r in rows)
            audited += named
            if response.status_code != 200 or not any(m in _body(response) for m in markers):
                continue
            showed.append(url)
            if not named:
                unaudited.append(f"GET {url} as {user.email}")
    print(
        f"\nread audit: {walked} routes walked (as owner and as client), {audited} requests "
        f"audited, {len(showed)} responses showed client data: {sorted(showed)}"
    )
    assert not unaudited, "Client data shown without an audit row:\n" + "\n".join(unaudited)
    # The walk must really reach client data, or it proves nothing.
    assert walked >= 100
    for expected in ("/clients/", "/api/v1/responses/", "/api/v1/occurrences/"):
        assert expected in showed


def test_an_api_list_writes_one_row_naming_the_model_and_the_filtered_client(world, web):
    own_targets(world)
    last_id = _last_audit_id()
    response = web(world.therapist_a).get(f"/api/v1/responses/?client={world.client_a.pk}")
    assert ENTRY_WORDS in response.content.decode()
    (row,) = _rows_since(last_id)
    assert (row.action, row.object_type, row.object_id) == ("api_list", "response", "")
    assert row.client_id == world.client_a.pk
    assert row.actor == world.therapist_a
    assert row.practice_id == world.practice_a.pk


def test_a_page_list_writes_one_row(world, web):
    last_id = _last_audit_id()
    web(world.therapist_a).get("/clients/")
    (row,) = _rows_since(last_id)
    assert (row.action, row.object_type, row.client_id) == ("view_list", "client", None)


def test_a_detail_read_names_the_object_and_its_client(world, web):
    targets = own_targets(world)
    last_id = _last_audit_id()
    web(world.owner_a).get(f"/api/v1/occurrences/{targets['occurrence.pk']}/")
    (row,) = _rows_since(last_id)
    assert (row.action, row.object_type) == ("api_view", "occurrence")
    assert row.object_id == str(targets["occurrence.pk"])


@pytest.mark.parametrize(
    ("url", "action"), [("/insights/", "insights"), ("/api/v1/analytics/insights/", "api_insights")]
)
def test_insights_drawn_from_every_clients_homework_are_audited(world, web, url, action):
    last_id = _last_audit_id()
    assert web(world.owner_a).get(url).status_code == 200
    (row,) = _rows_since(last_id)
    assert (row.action, row.object_type, row.client_id) == (action, "practice", None)


def test_a_view_that_writes_its_own_row_gets_no_second_one(world, web):
    """One INSERT per request: the explicit row (with its client) stands for the request."""
    with CaptureQueriesContext(connection) as queries:
        web(world.therapist_a).get(f"/api/v1/clients/{world.client_a.pk}/")
    inserts = [q for q in queries if "INSERT" in q["sql"] and "auditevent" in q["sql"]]
    reads = [q for q in queries if q["sql"].startswith("SELECT") and "auditevent" in q["sql"]]
    assert len(inserts) == 1
    assert reads == []


def test_failed_and_non_get_requests_are_not_audited_as_reads(world, web):
    last_id = _last_audit_id()
    web(world.therapist_a).get(f"/api/v1/clients/{uuid.uuid4()}/")
    web(world.colleague_a).get(f"/clients/{world.client_a.pk}/edit/")
    assert _rows_since(last_id) == []


def test_an_api_view_that_does_not_declare_what_it_shows_is_refused(world):
    from django.core.exceptions import ImproperlyConfigured

    class Undeclared(TenantAPIMixin, viewsets.ViewSet):
        def list(self, request):
            raise AssertionError("must not be served")

    request = APIRequestFactory().get("/")
    force_authenticate(request, user=world.therapist_a)
    with pytest.raises(ImproperlyConfigured, match="audit_as"):
        Undeclared.as_view({"get": "list"})(request)
