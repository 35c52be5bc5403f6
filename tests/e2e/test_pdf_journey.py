"""A therapist downloads a blank worksheet from the library and a client's homework packet:
"Download PDF" in a real browser, the worker rendering with WeasyPrint, the file saved."""

import subprocess

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.assignments.fixtures import (
    THOUGHT_RECORD_ANSWERS,
    assign_as_therapist,
    submit_as_client,
)
from tests.e2e.conftest import DESKTOP, PHONE, portal_session_cookie, screenshot, sign_in
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(path) -> str:
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Rendered PDFs go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def homework(world):
    """Practice A's thought record, assigned to its client, who has sent one entry."""
    version = activity_version_for(world.practice_a, "thought-record")
    assignment = assign_as_therapist(version, world.client_a)
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    submit_as_client(occurrence, THOUGHT_RECORD_ANSWERS)
    return assignment


def test_download_a_blank_worksheet_and_a_client_packet(new_page, world, homework):
    page = new_page(DESKTOP)
    sign_in(page, world.therapist_a.email)

    page.goto(f"/library/{homework.activity_version.activity_id}/")
    with page.expect_download() as blank:
        page.get_by_role("button", name="Download PDF").click()
    assert blank.value.suggested_filename == "thought-record-7-columns-blank.pdf"
    text = pdf_text(blank.value.path())
    assert "Thought record (7 columns)" in text and "Why this helps" in text
    assert "Alpha Practice" in text
    screenshot(page, "pdf-library-blank")

    page.goto(f"/clients/{world.client_a.pk}/")
    page.get_by_role("link", name="PDFs").click()
    page.get_by_role("heading", name="PDFs for Alpha Client").wait_for()
    today = timezone.localdate(timezone.now(), world.client_a.tz)
    page.get_by_label("From").fill(str(today.replace(day=1)))
    page.get_by_label("To").fill(str(today))
    with page.expect_download() as packet:
        page.get_by_role("button", name="Download PDF").first.click()
    assert packet.value.suggested_filename.startswith("homework-alpha-client-")
    text = pdf_text(packet.value.path())
    assert "Homework packet" in text and "Contents" in text
    assert "My manager walked past without saying hello." in text
    screenshot(page, "pdf-client-documents")

    phone = new_page(PHONE)
    sign_in(phone, world.therapist_a.email)
    phone.goto(f"/clients/{world.client_a.pk}/reports/")
    screenshot(phone, "pdf-client-documents")


def test_a_client_prints_their_assignment_from_the_portal(new_page, world, homework, live_server):
    phone = new_page(PHONE)
    phone.context.add_cookies([portal_session_cookie(world.client_a, live_server.url)])
    phone.goto(f"/portal/homework/{homework.pk}/")
    with phone.expect_download() as blank:
        phone.get_by_role("button", name="Download PDF to print").click()
    text = pdf_text(blank.value.path())
    assert "Why this helps" in text and "Alpha Client" in text
    screenshot(phone, "pdf-portal-assignment")
