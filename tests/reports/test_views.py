"""Asking for PDFs from the pages they belong to, watching them, downloading them: who may,
what the file says, and what the download sends."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import AuditEvent
from reports.models import PdfDocument
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS
from tests.reports.conftest import (
    downloaded,
    follow_download,
    pdf_from,
    pdf_reader,
    pdf_text,
    phq9_answers,
)

pytestmark = pytest.mark.django_db


def ask(browser, url, data=None, *, htmx=False, capture):
    """POST like the "Download PDF" button; the worker runs eagerly after the commit."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with capture(execute=True):
        return browser.post(url, data or {}, **headers)


# --- Blank worksheets from the library -------------------------------------------------------


def test_blank_worksheet_of_a_practice_activity(
    world, web, acts, django_capture_on_commit_callbacks
):
    browser = web(world.therapist_a)
    url = reverse("reports:activity_blank", args=[acts.thought_record.activity_id])
    response = ask(browser, url, capture=django_capture_on_commit_callbacks)
    download = follow_download(browser, response)

    assert (
        download["Content-Disposition"]
        == 'attachment; filename="thought-record-7-columns-blank.pdf"'
    )
    assert "no-store" in download["Cache-Control"]
    text = pdf_text(downloaded(download))
    assert "Thought record (7 columns)" in text
    assert "What went through your mind?" in text
    assert "Alpha Practice" in text


def test_blank_worksheet_of_a_global_activity(
    world, web, curated_thought_record, django_capture_on_commit_callbacks
):
    browser = web(world.colleague_a)
    url = reverse("reports:curated_blank", args=[curated_thought_record.pk])
    text = pdf_text(pdf_from(browser, url, django_capture_on_commit_callbacks))
    assert "Thought record (7 columns)" in text and "Alpha Practice" in text


def test_asking_again_reuses_the_pdf(world, web, acts, django_capture_on_commit_callbacks):
    browser = web(world.therapist_a)
    url = reverse("reports:activity_blank", args=[acts.thought_record.activity_id])
    first = ask(browser, url, capture=django_capture_on_commit_callbacks)
    with scopes_disabled():
        document = PdfDocument.objects.get()
        rendered_at = document.rendered_at
    with django_capture_on_commit_callbacks() as callbacks:
        again = browser.post(url)
    assert callbacks == []  # nothing queued: the kept file is served at once
    assert again["Location"] == first["Location"] + "download/"
    with scopes_disabled():
        assert PdfDocument.objects.get().rendered_at == rendered_at


def test_htmx_asks_get_the_status_and_a_redirect_to_the_file(
    world, web, acts, django_capture_on_commit_callbacks
):
    browser = web(world.therapist_a)
    url = reverse("reports:activity_blank", args=[acts.thought_record.activity_id])
    # The worker runs after the request's transaction: the first answer is the polling status.
    queued = ask(browser, url, htmx=True, capture=django_capture_on_commit_callbacks)
    assert queued.status_code == 200
    assert b"Making the PDF" in queued.content and b'hx-trigger="every 1s"' in queued.content
    ready = browser.post(url, HTTP_HX_REQUEST="true")
    assert ready["HX-Redirect"].endswith("/download/")
    assert b"Save the PDF" in ready.content


def test_a_document_still_being_made_shows_a_polling_status(world, web, acts):
    """Without the worker having run (no commit callbacks executed), the page polls."""
    browser = web(world.therapist_a)
    url = reverse("reports:activity_blank", args=[acts.thought_record.activity_id])
    response = browser.post(url)
    assert response.status_code == 302 and "/documents/" in response["Location"]
    page = browser.get(response["Location"])
    assert b"Making the PDF" in page.content
    assert b'hx-trigger="every 1s"' in page.content
    with scopes_disabled():
        document = PdfDocument.objects.get()
    status = browser.get(reverse("reports:document_status", args=[document.pk]))
    assert b"Making the PDF" in status.content
    assert browser.get(reverse("reports:document_download", args=[document.pk])).status_code == 404


# --- Completed responses ------------------------------------------------------------------


@pytest.fixture
def thought_record_response(acts, assign, submit):
    assignment = assign(acts.thought_record)
    return submit(assignment, THOUGHT_RECORD_ANSWERS)


def test_a_completed_response_exactly_as_sent(
    world, web, thought_record_response, django_capture_on_commit_callbacks
):
    browser = web(world.therapist_a)
    url = reverse("reports:response", args=[thought_record_response.pk])
    content = pdf_from(browser, url, django_capture_on_commit_callbacks)
    text = pdf_text(content)
    assert "My manager walked past without saying hello." in text  # an answer
    assert "What was happening?" in text  # its label
    assert "She thinks I'm useless." in text  # a table cell
    assert "Anxious" in text and "80" in text  # an emotion and its intensity
    assert "Alpha Practice" in text and "Alpha Client" in text  # header on every page
    assert "Confidential" in text
    assert pdf_reader(content).metadata.title == "Thought record (7 columns)"
    with scopes_disabled():
        event = AuditEvent.objects.get(action="pdf")
    assert event.actor == world.therapist_a
    assert event.client_id == world.client_a.pk
    assert event.object_type == "response"


def test_the_client_gets_their_own_response_from_the_portal(
    world, portal, thought_record_response, django_capture_on_commit_callbacks
):
    browser = portal(world.client_a)
    url = reverse("reports:portal_response", args=[thought_record_response.pk])
    content = pdf_from(browser, url, django_capture_on_commit_callbacks)
    assert "She praised my report on Monday." in pdf_text(content)
    with scopes_disabled():
        assert AuditEvent.objects.get(action="pdf").actor == world.client_a.user


def test_a_colleague_who_does_not_share_the_client_gets_404(
    world, web, thought_record_response, django_capture_on_commit_callbacks
):
    url = reverse("reports:response", args=[thought_record_response.pk])
    assert web(world.colleague_a).post(url).status_code == 404
    # A document the therapist made is not the colleague's either.
    browser = web(world.therapist_a)
    location = ask(browser, url, capture=django_capture_on_commit_callbacks)["Location"]
    assert web(world.colleague_a).get(location).status_code == 404
    assert web(world.owner_a).get(location).status_code == 200  # owners see every client


def test_a_private_entry_is_not_the_therapists(world, web, acts, assign, submit):
    from assignments.models import Visibility

    assignment = assign(acts.thought_record, visibility=Visibility.CLIENT_ONLY)
    response = submit(assignment, THOUGHT_RECORD_ANSWERS)
    url = reverse("reports:response", args=[response.pk])
    assert web(world.therapist_a).post(url).status_code == 404


def test_a_measure_shows_its_score(
    world, web, acts, assign, submit, django_capture_on_commit_callbacks
):
    response = submit(assign(acts.phq9), phq9_answers(1))
    browser = web(world.therapist_a)
    url = reverse("reports:response", args=[response.pk])
    text = pdf_text(pdf_from(browser, url, django_capture_on_commit_callbacks))
    assert "Total score 9 of 27 · Mild" in text
    assert "Several days" in text


def test_a_blank_copy_of_an_assignment_from_the_portal_has_the_plan(
    world, portal, acts, assign, django_capture_on_commit_callbacks
):
    assignment = assign(
        acts.thought_record,
        rationale="We talked about how your mood drops on Sunday evenings.",
        plan_when="Sunday after dinner",
        plan_where="At the kitchen table",
        personal_message="You did really well this week, Alpha.",
    )
    browser = portal(world.client_a)
    url = reverse("reports:portal_assignment_blank", args=[assignment.pk])
    text = pdf_text(pdf_from(browser, url, django_capture_on_commit_callbacks))
    assert "We talked about how your mood drops on Sunday evenings." in text
    assert "Sunday after dinner" in text and "At the kitchen table" in text
    assert "You did really well this week, Alpha." in text
    assert "Alpha Client" in text  # client material: their name in the header


def test_staff_cannot_use_portal_urls_and_clients_cannot_use_staff_urls(
    world, web, portal, acts, thought_record_response
):
    portal_url = reverse("reports:portal_response", args=[thought_record_response.pk])
    staff_url = reverse("reports:response", args=[thought_record_response.pk])
    assert web(world.therapist_a).post(portal_url).status_code == 404
    assert portal(world.client_a).post(staff_url).status_code == 404
