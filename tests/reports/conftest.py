"""Helpers for the PDF tests: activities, assigning, submitting, and reading PDFs back."""

import io
import subprocess
import uuid
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from assignments.services import completing
from core.tenancy import practice_scope
from library.models import CuratedActivity
from tests.factories import activity_version_for


def phq9_answers(score_each: int) -> dict:
    return {f"q{n}": str(score_each) for n in range(1, 10)}


def pdf_text(content: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it (what a person copying would get),
    with runs of white space (line and column breaks) made single spaces."""
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def downloaded(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def follow_download(browser, response):
    """Follow a "Download PDF" button's redirect: straight to the file when it was ready at
    once, or to the document's page, which offers the file once the worker has made it."""
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    if not location.endswith("/download/"):
        page = browser.get(location)
        assert b"Save the PDF" in page.content
        location += "download/"
    return browser.get(location)


def pdf_from(browser, url, capture, data=None) -> bytes:
    """Press "Download PDF" (a POST to ``url``); the worker runs eagerly on commit."""
    with capture(execute=True):
        response = browser.post(url, data or {})
    return downloaded(follow_download(browser, response))


@pytest.fixture
def acts(world):
    return SimpleNamespace(
        thought_record=activity_version_for(world.practice_a, "thought-record"),
        phq9=activity_version_for(world.practice_a, "phq-9"),
        schedule=activity_version_for(world.practice_a, "activity-schedule"),
        thought_record_b=activity_version_for(world.practice_b, "thought-record"),
    )


@pytest.fixture
def curated_thought_record(db):
    """The global library's thought record (seeded by a library migration)."""
    return CuratedActivity.objects.get(slug="thought-record")


@pytest.fixture
def submit():
    """submit(assignment, answers, **kw) → Response to its first occurrence, as the client."""

    def make(assignment, answers, **kwargs):
        with practice_scope(assignment.practice_id):
            occurrence = assignment.occurrences.order_by("sequence").first()
            return completing.response_submit(
                occurrence=occurrence,
                client=assignment.client,
                answers=answers,
                submission_key=uuid.uuid4(),
                **kwargs,
            )

    return make


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Rendered PDFs and logos go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
