"""Every reports URL answers 404 to the other practice, exactly like a missing object (the
URLconf walk in tests/platform/test_tenancy.py checks the same from the other side)."""

import uuid

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from reports.models import PdfDocument
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha(world, web, portal, acts, assign, submit, django_capture_on_commit_callbacks):
    """Practice A's objects, and one finished PDF of each audience."""
    assignment = assign(acts.thought_record)
    response = submit(assignment, THOUGHT_RECORD_ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        web(world.therapist_a).post(reverse("reports:response", args=[response.pk]))
        portal(world.client_a).post(reverse("reports:portal_response", args=[response.pk]))
    with scopes_disabled():
        staff_document = PdfDocument.objects.get(audience="staff")
        client_document = PdfDocument.objects.get(audience="client")
    return {
        "activity_id": acts.thought_record.activity_id,
        "client_id": world.client_a.pk,
        "response_id": response.pk,
        "assignment_id": assignment.pk,
        "staff_document_id": staff_document.pk,
        "client_document_id": client_document.pk,
    }


STAFF_URLS = [
    ("post", "reports:activity_blank", "activity_id"),
    ("post", "reports:response", "response_id"),
    ("get", "reports:client", "client_id"),
    ("post", "reports:client", "client_id"),
    ("post", "reports:session_summary", "client_id"),
    ("post", "reports:progress_report", "client_id"),
    ("get", "reports:document", "staff_document_id"),
    ("get", "reports:document_status", "staff_document_id"),
    ("get", "reports:document_download", "staff_document_id"),
]
PORTAL_URLS = [
    ("post", "reports:portal_assignment_blank", "assignment_id"),
    ("post", "reports:portal_response", "response_id"),
    ("get", "reports:portal_document", "client_document_id"),
    ("get", "reports:portal_document_status", "client_document_id"),
    ("get", "reports:portal_document_download", "client_document_id"),
]


def _kwarg(key: str) -> str:
    return "document_id" if key.endswith("document_id") else key


@pytest.mark.parametrize(("method", "name", "key"), STAFF_URLS)
def test_staff_of_the_other_practice_get_404(world, web, alpha, method, name, key):
    browser = web(world.owner_b)
    url = reverse(name, kwargs={_kwarg(key): alpha[key]})
    missing = reverse(name, kwargs={_kwarg(key): uuid.uuid4()})
    assert getattr(browser, method)(url).status_code == 404
    assert getattr(browser, method)(missing).status_code == 404


@pytest.mark.parametrize(("method", "name", "key"), PORTAL_URLS)
def test_a_client_of_the_other_practice_gets_404(world, portal, alpha, method, name, key):
    browser = portal(world.client_b)
    url = reverse(name, kwargs={_kwarg(key): alpha[key]})
    assert getattr(browser, method)(url).status_code == 404


@pytest.mark.parametrize(("method", "name", "key"), STAFF_URLS)
def test_a_colleague_without_the_client_gets_404(world, web, alpha, method, name, key):
    if key == "activity_id":
        pytest.skip("shared library activities are the whole practice's")
    url = reverse(name, kwargs={_kwarg(key): alpha[key]})
    assert getattr(web(world.colleague_a), method)(url).status_code == 404
