"""Schema-driven fuzzing of the REST API with schemathesis.

Every operation in /api/schema/ is called through the WSGI app (no server) with generated
input, valid and invalid, signed in as a therapist (API token) and as a client (portal
session). Each answer must be no 5xx and must be what the schema says: a documented status
code, its content type and its body. Path ids are sometimes real objects of the signed-in
person, so the fuzzing reaches past "not found" into the handlers.

The run is derandomized (the same cases every time, so CI is repeatable) and bounded per
operation; FUZZ_EXAMPLES raises the bound for a longer local run.
"""

import os
from collections import defaultdict

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client as WebClient
from django.utils import timezone
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_create
from assignments.services import reviewing
from core.tenancy import practice_scope
from library.models import CuratedActivity
from pathways.services import authoring, enrolments
from reminders.models import Notification
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of
from tests.factories import sign_in_to_portal

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Any 32 letters or digits are a valid CSRF secret: the portal session is cookie
# authentication, so its unsafe requests carry the token as a browser would.
CSRF_TOKEN = "fuzz" * 8


@pytest.fixture
def objects(world, acts, assign, submit):
    """One of each thing the API has ids for, in practice A: client A's assignment, an
    entry (shared and reviewed), a pathway with a step and client A's enrolment on it."""
    therapist = membership_of(world.practice_a, world.therapist_a)
    assignment = assign(acts.thought_record)
    with practice_scope(world.practice_a):
        occurrence = assignment.occurrences.order_by("due_at").first()
        response = submit(occurrence, THOUGHT_RECORD_ANSWERS)
        review = reviewing.occurrence_review(occurrence=occurrence, actor=therapist)
        pathway = authoring.pathway_create(
            practice=world.practice_a, actor=therapist, name="Fuzzed pathway"
        )
        step = authoring.pathway_step_add(
            pathway=pathway,
            actor=therapist,
            activity=acts.phq9.activity,
            delivery="after_previous",
        )
        authoring.pathway_publish(pathway=pathway, actor=therapist)
        enrolment = enrolments.enrolment_create(
            pathway=pathway,
            client=world.client_a,
            actor=therapist,
            start_date=timezone.localdate(timezone.now(), world.client_a.tz),
        )
        enrolment_step = enrolment.steps.first()
        notification = Notification.objects.filter(recipient_user=world.therapist_a).first()
    with scopes_disabled():
        curated = CuratedActivity.objects.filter(current_version__isnull=False).first()
    ids = {
        "clients": world.client_a.pk,
        "analytics": world.client_a.pk,
        "memberships": therapist.pk,
        "library/activities": acts.thought_record.activity_id,
        "library/global": curated.pk,
        "assignments": assignment.pk,
        "occurrences": occurrence.pk,
        "responses": response.pk,
        "reviews": review.pk,
        "pathways": pathway.pk,
        "pathway-steps": step.pk,
        "pathway-enrolments": enrolment.pk,
        "pathway-enrolment-steps": enrolment_step.pk,
        "portal/assignments": assignment.pk,
        "portal/occurrences": occurrence.pk,
        "portal/responses": response.pk,
    }
    if notification is not None:
        ids["notifications"] = notification.pk
    return ids


def _therapist(world) -> dict:
    with practice_scope(world.practice_a):  # as on the token page: row-level security
        _token, raw = api_token_create(
            membership=membership_of(world.practice_a, world.therapist_a), name="fuzz"
        )
    return {"headers": {"Authorization": f"Token {raw}"}, "cookies": {}}


def _client(world) -> dict:
    session = sign_in_to_portal(WebClient(), world.client_a).session
    return {
        "headers": {"X-CSRFToken": CSRF_TOKEN},
        "cookies": {"sessionid": session.session_key, "csrftoken": CSRF_TOKEN},
    }


SIGN_IN = {"therapist": _therapist, "client": _client}


def _real_ids(operation, ids: dict) -> dict | None:
    """Real ids for the operation's path parameters, or None when it has none we know."""
    names = [p.name for p in operation.path_parameters]
    if not names:
        return None
    resource = operation.path.removeprefix("/api/v1/").split("/{")[0]
    known = ids.get(resource)
    if known is None:
        return None
    return {name: str(known) for name in names}


def _fuzz(operation, mode: GenerationMode, real: dict | None, auth: dict, failures: dict):
    strategy = operation.as_strategy(generation_mode=mode)
    if real is not None and mode is GenerationMode.POSITIVE:
        strategy = st.one_of(strategy, operation.as_strategy(path_parameters=real))

    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        headers = {**(case.headers or {}), **auth["headers"]}
        response = case.call(headers=headers, cookies=auth["cookies"])
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Failure, FailureGroup) as exc:
            for failure in exc.exceptions if isinstance(exc, FailureGroup) else [exc]:
                kind = type(failure).__name__
                key = (operation.label, kind)
                if key not in failures:
                    message = " | ".join(str(failure).strip().splitlines()[:12])
                    failures[key] = (
                        f"{mode.value}: {case.method} {case.formatted_path} -> "
                        f"{response.status_code}: {message} | body: {response.text[:2000]}"
                    )

    try:
        run()
    except Unsatisfiable:
        # Nothing in the operation can be made invalid (no parameters, no body).
        if mode is not GenerationMode.NEGATIVE:
            raise


@pytest.fixture
def keep_the_test_connection():
    """Django's WSGI handler closes old database connections at the start and end of each
    request; the test client switches that off (its requests share the test's transaction),
    and so must a test that calls the handler directly."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", sorted(SIGN_IN))
@pytest.mark.usefixtures("keep_the_test_connection")
def test_every_operation_answers_as_the_schema_says(world, objects, role, monkeypatch, settings):
    from rest_framework.throttling import SimpleRateThrottle

    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis' WSGI client sends
    # The per-user limit is real (documented as 429) but would answer most of this run.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": None, "anon": None})
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
    auth = SIGN_IN[role](world)
    failures: dict = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        real = _real_ids(operation, objects)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, real, auth, failures)
    by_kind: dict = defaultdict(int)
    for _label, kind in failures:
        by_kind[kind] += 1
    report = "\n".join(f"{label} [{kind}] {detail}" for (label, kind), detail in failures.items())
    assert operations >= 60
    assert not failures, f"{len(failures)} failures {dict(by_kind)}:\n{report}"
