"""Client-facing activity titles (issue 23, point 10): a client never reads the clinical name
("Thought record (7 columns)") where the library gives a calmer one. Every surface a client
sees an activity on shows the client title and not the clinical one; staff pages keep the
clinical title and show the client's beside it."""

import io
import zipfile

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from library.content import check_content, from_document, to_document
from library.models import CuratedActivity
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS
from tests.factories import activity_version_for, curated_activity_for, library_content
from tests.pathways.conftest import build, enrol, library, step_spec  # noqa: F401 (fixtures)
from tests.reports.conftest import pdf_from, pdf_text

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"
CLINICAL = "Thought record (7 columns)"
CALM = "Catching a thought"


@pytest.fixture
def record(world):
    """The practice's thought record with a client title."""
    return activity_version_for(world.practice_a, "thought-record", client_title=CALM)


@pytest.fixture
def sent(record, assign, submit):
    """The thought record assigned to client A, with one entry sent."""
    assignment = assign(record)
    with scopes_disabled():
        occurrence = assignment.occurrences.order_by("sequence").first()
    response = submit(occurrence, THOUGHT_RECORD_ANSWERS)
    return assignment, occurrence, response


def _calm(body: str) -> None:
    assert CALM in body
    assert CLINICAL not in body


# --- The library: content, seed files, builder and API ----------------------------------------


def test_the_client_title_travels_in_the_library_format():
    content = library_content(title=CLINICAL, client_title=CALM)
    document = to_document(content, slug="t")
    assert document["client_title"] == CALM
    again, _, issues = from_document(document)
    assert issues == [] and again["client_title"] == CALM
    # Without one, a document reads as it always did.
    assert "client_title" not in to_document(library_content())


def test_a_validated_instrument_keeps_its_name_for_the_client():
    phq9 = CuratedActivity.objects.get(slug="phq-9").current_version
    content = {"title": phq9.title, "client_title": "Mood check", "definition": phq9.definition}
    content |= {"estimated_minutes": 5, "kind": "measure", "approaches": [], "problems": []}
    assert [i.path for i in check_content(content)] == ["client_title"]
    content["client_title"] = "PHQ-9: how you've been feeling"
    assert check_content(content) == []


def test_the_seeded_thought_record_has_a_calm_client_title():
    version = CuratedActivity.objects.get(slug="thought-record").current_version
    assert (version.title, version.title_for_client) == (CLINICAL, "Thought record")
    # A measure keeps its instrument's name.
    phq9 = CuratedActivity.objects.get(slug="phq-9").current_version
    assert phq9.title_for_client.startswith("PHQ-9")


def test_the_builder_edits_the_client_title_and_shows_it_beside_the_clinical_one(world, web):
    from tests.factories import practice_activity_for

    activity = practice_activity_for(world.practice_a, world.therapist_a, title=CLINICAL)
    browser = web(world.therapist_a)
    url = reverse("library:activity_details", args=[activity.pk])
    data = {"title": CLINICAL, "client_title": CALM, "estimated_minutes": 10, "kind": "worksheet"}
    saved = browser.post(url, data)
    assert saved.status_code in (200, 302)
    page = browser.get(reverse("library:activity_edit", args=[activity.pk])).content.decode()
    assert f"Edit “{CLINICAL}”" in page and f"Clients see it as “{CALM}”" in page
    assert 'name="client_title"' in page and "Title the client sees" in page


def test_the_library_api_sets_and_refuses_a_client_title(world):
    api = APIClient()
    api.force_authenticate(world.therapist_a)
    created = api.post(
        "/api/v1/library/activities/",
        library_content(title=CLINICAL, client_title=CALM),
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["client_title"] == CALM
    assert created.json()["draft_version"]["client_title"] == CALM
    too_long = api.post(
        "/api/v1/library/activities/",
        library_content(title=CLINICAL, client_title="x" * 201),
        format="json",
    )
    assert too_long.status_code == 400 and "client_title" in too_long.json()


# --- The portal --------------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_to_do_list(world, record, assign, portal):
    assign(record)
    _calm(portal(world.client_a).get("/portal/").content.decode())


@time_machine.travel(MONDAY, tick=False)
def test_the_worksheet_page(world, record, assign, portal):
    assignment = assign(record)
    with scopes_disabled():
        occurrence = assignment.occurrences.order_by("sequence").first()
    page = portal(world.client_a).get(f"/portal/do/{occurrence.pk}/")
    assert page.status_code == 200
    _calm(page.content.decode())


@time_machine.travel(MONDAY, tick=False)
def test_the_homework_page(world, record, assign, portal):
    assignment = assign(record)
    _calm(portal(world.client_a).get(f"/portal/homework/{assignment.pk}/").content.decode())


@time_machine.travel(MONDAY, tick=False)
def test_the_entry_page_and_history(world, sent, portal):
    _, _, response = sent
    browser = portal(world.client_a)
    _calm(browser.get(f"/portal/entries/{response.pk}/").content.decode())
    _calm(browser.get("/portal/history/").content.decode())


@time_machine.travel(MONDAY, tick=False)
def test_the_portal_api(world, record, assign, portal):
    assign(record)
    listed = portal(world.client_a).get("/api/v1/portal/assignments/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["title"] for row in rows] == [CALM]


def test_the_journey(world, portal, library, build, enrol):  # noqa: F811
    first = curated_activity_for(title=CLINICAL, client_title=CALM)
    later = curated_activity_for(title="Exposure hierarchy (SUDS)", client_title="Your ladder")
    enrol(build([step_spec(first, "on_enrolment"), step_spec(later, "after_previous")]))
    page = portal(world.client_a).get("/portal/journey/").content.decode()
    _calm(page)  # open now: the assignment's version
    assert "Your ladder" in page and "SUDS" not in page  # coming next: the step's activity


@time_machine.travel(MONDAY, tick=False)
def test_the_upcoming_reminders(world, record, assign, portal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assign(record)
    page = portal(world.client_a).get("/portal/reminders/").content.decode()
    upcoming = page.split('id="next-title"', 1)[1].split("</section>", 1)[0]
    assert 'class="upcoming-reminder"' in upcoming
    _calm(upcoming)


# --- The client's documents -------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_clients_pdfs(world, sent, portal, django_capture_on_commit_callbacks):
    assignment, _, response = sent
    browser = portal(world.client_a)
    blank = pdf_from(
        browser,
        reverse("reports:portal_assignment_blank", args=[assignment.pk]),
        django_capture_on_commit_callbacks,
    )
    _calm(pdf_text(blank))
    entry = pdf_from(
        browser,
        reverse("reports:portal_response", args=[response.pk]),
        django_capture_on_commit_callbacks,
    )
    _calm(pdf_text(entry))


@time_machine.travel(MONDAY, tick=False)
def test_the_clients_data_export(world, sent, portal, django_capture_on_commit_callbacks):
    browser = portal(world.client_a)
    with django_capture_on_commit_callbacks(execute=True):
        made = browser.post(reverse("reports:portal_exports"))
    page = browser.get(made["Location"])
    archive = zipfile.ZipFile(io.BytesIO(browser.get(page.context["download_url"]).content))
    pdf = next(archive.read(n) for n in archive.namelist() if n.endswith("record.pdf"))
    _calm(pdf_text(pdf))


# --- Staff keep the clinical title ----------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_staff_see_the_clinical_title_with_the_clients_beside_it(world, sent, web):
    assignment, _, _ = sent
    browser = web(world.therapist_a)
    page = browser.get(reverse("assignments:detail", args=[assignment.pk])).content.decode()
    assert f"<h1>{CLINICAL}" in page
    assert f"Your client sees it as “{CALM}”" in page
