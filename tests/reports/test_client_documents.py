"""A client's printables: the homework packet, the session summary and the progress report
with its measure charts; and a response full of hostile text that must stay text."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from core.tenancy import practice_scope
from reports import selectors
from reports.models import PracticeBranding
from reports.pdf import BASE_URL, render_pdf
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of
from tests.reports.conftest import (
    pdf_from,
    pdf_reader,
    pdf_text,
    phq9_answers,
)
from tests.reports.test_pdf import assert_no_attachments

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 19):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False
    )


@pytest.fixture
def march(acts, assign, submit):
    """Three thought records and three PHQ-9s sent across March 2026."""
    sent = []
    for day, score in ((date(2026, 3, 2), 2), (date(2026, 3, 12), 1), (date(2026, 3, 24), 0)):
        with at(day):
            answers = {**THOUGHT_RECORD_ANSWERS, "situation": f"Situation of {day:%-d %B}"}
            sent.append(submit(assign(acts.thought_record), answers))
            sent.append(submit(assign(acts.phq9), phq9_answers(score)))
    return sent


def test_a_packet_has_a_cover_contents_and_every_entry_in_the_range(
    world, web, march, django_capture_on_commit_callbacks
):
    url = reverse("reports:client", args=[world.client_a.pk])
    with at(date(2026, 3, 30)):
        content = pdf_from(
            web(world.therapist_a),
            url,
            django_capture_on_commit_callbacks,
            {"start": "2026-03-10", "end": "2026-03-31"},
        )
    text = pdf_text(content)
    assert "Homework packet" in text
    assert "10 March 2026 to 31 March 2026" in text
    assert "4 entries shared with Alpha Practice" in text
    assert "Contents" in text
    assert "Situation of 12 March" in text and "Situation of 24 March" in text
    assert "Situation of 2 March" not in text  # before the range
    reader = pdf_reader(content)
    assert len(reader.pages) >= 6  # cover, contents, four entries
    first_page = reader.pages[0].extract_text()
    assert "Alpha Client" in first_page
    for page in reader.pages[1:]:
        header = page.extract_text()
        assert "Alpha Client" in header and "Alpha Practice" in header
        assert "Confidential" in header


def test_a_packet_range_must_make_sense(world, web):
    browser = web(world.therapist_a)
    url = reverse("reports:client", args=[world.client_a.pk])
    response = browser.post(url, {"start": "2026-03-10", "end": "2026-03-01"})
    assert response.status_code == 400
    assert b"The end date must be on or after the start date." in response.content
    htmx = browser.post(url, {"start": "", "end": "2026-03-01"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400
    assert b"<html" not in htmx.content  # just the form, swapped in place
    assert b'value="2026-03-01"' in htmx.content  # keeps what was typed


def test_the_packet_reads_a_fixed_number_of_queries(world, acts, assign, submit):
    def count(entries: int) -> int:
        for _ in range(entries):
            submit(assign(acts.thought_record), THOUGHT_RECORD_ANSWERS)
        with practice_scope(world.practice_a):
            membership = membership_of(world.practice_a, world.therapist_a)
            with CaptureQueriesContext(connection) as queries:
                selectors.packet_for_staff(
                    membership, world.client_a.pk, start=date(2026, 1, 1), end=date(2026, 12, 31)
                )
        return len(queries)

    with at(date(2026, 3, 2)):
        assert count(1) == count(5)


def test_the_session_summary_is_the_review_page_on_paper(
    world, web, acts, assign, submit, django_capture_on_commit_callbacks
):
    with at(date(2026, 3, 2)):
        submit(assign(acts.phq9), phq9_answers(2))
    with at(date(2026, 3, 9)):
        submit(assign(acts.phq9), phq9_answers(1))
        assign(acts.thought_record)  # due tonight, then missed
    with at(date(2026, 3, 11)):
        content = pdf_from(
            web(world.therapist_a),
            reverse("reports:session_summary", args=[world.client_a.pk]),
            django_capture_on_commit_callbacks,
        )
    text = pdf_text(content)
    assert "SESSION SUMMARY" in text and "Alpha Client" in text
    assert "PHQ-9" in text
    assert "−9" in text or "-9" in text  # 18 → 9
    assert "Thought record (7 columns)" in text  # missed


def test_the_progress_report_charts_each_measure_as_vector_graphics(
    world, web, march, django_capture_on_commit_callbacks
):
    with at(date(2026, 3, 30)):
        content = pdf_from(
            web(world.owner_a),
            reverse("reports:progress_report", args=[world.client_a.pk]),
            django_capture_on_commit_callbacks,
        )
    text = pdf_text(content)
    assert "PROGRESS REPORT" in text
    for band in ("Minimal", "Mild", "Moderate", "Moderately severe", "Severe"):
        assert band in text
    assert "Thought record (7 columns)" in text  # adherence table
    reader = pdf_reader(content)
    assert all(not page.images for page in reader.pages), "charts are vectors, not pictures"


def test_hostile_answers_stay_text_and_fetch_nothing(
    world, web, acts, assign, submit, django_capture_on_commit_callbacks
):
    hostile = {
        **THOUGHT_RECORD_ANSWERS,
        "situation": 'file:///etc/passwd <link rel="attachment" href="file:///etc/passwd">',
        "evidence_for": "<style>@import url(http://127.0.0.1/x.css);</style> http://127.0.0.1:6379/",
        "evidence_against": '<img src="http://example.com/x.png"> <script>alert(1)</script>',
    }
    response = submit(assign(acts.thought_record), hostile)
    with practice_scope(world.practice_a):
        membership = membership_of(world.practice_a, world.therapist_a)
        spec = selectors.response_for_staff(membership, response.pk)
    rendered = render_pdf(spec.kind, spec.source)
    assert all(url.startswith(BASE_URL + "static/") for url in rendered.fetched)
    assert rendered.refused == ()
    assert_no_attachments(rendered.content)
    text = pdf_text(rendered.content)
    assert '<link rel="attachment" href="file:///etc/passwd">' in text
    assert "<style>@import url(http://127.0.0.1/x.css);</style>" in text
    assert '<img src="http://example.com/x.png">' in text
    assert "root:x:0:0" not in text

    # And through the real worker and download.
    browser = web(world.therapist_a)
    content = pdf_from(
        browser, reverse("reports:response", args=[response.pk]), django_capture_on_commit_callbacks
    )
    assert_no_attachments(content)
    assert "file:///etc/passwd" in pdf_text(content)


def test_only_managers_set_the_branding(world, web):
    assert web(world.therapist_a).get(reverse("reports:branding")).status_code == 403
    browser = web(world.owner_a)
    assert browser.get(reverse("reports:branding")).status_code == 200
    response = browser.post(
        reverse("reports:branding"), {"confidentiality_line": "Alpha: private and confidential."}
    )
    assert response.status_code == 302
    with scopes_disabled():
        branding = PracticeBranding.objects.get(practice=world.practice_a)
    assert branding.confidentiality_text == "Alpha: private and confidential."
    bad = browser.post(
        reverse("reports:branding"),
        {"logo": _upload(b"GIF89a not really"), "confidentiality_line": "Kept"},
    )
    assert bad.status_code == 400
    assert b"Upload a PNG or JPEG image." in bad.content
    assert b'value="Kept"' in bad.content


def _upload(content: bytes):
    return SimpleUploadedFile("logo.png", content)
