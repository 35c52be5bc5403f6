"""Pathway pages: the global library and the curator area, the client's journey and the FHIR
downloads."""

from datetime import time

import pytest
from django_scopes import scopes_disabled

from accounts.models import AuditEvent
from pathways.models import CuratedPathway, EnrolmentStep, Pathway, PathwayStatus
from tests.factories import ClientFactory, portal_user_for
from tests.pathways.conftest import _branching, _step_form, _steps, complete, step_spec, steps_of

pytestmark = pytest.mark.django_db


# --- The global library and the curator area -------------------------------------------------


def test_a_practice_copies_a_global_pathway_to_use_it(web, world, library):
    source = CuratedPathway.objects.get(slug="behavioural-activation-low-mood")
    browser = web(world.therapist_a)
    assert source.name in browser.get("/pathways/library/").content.decode()
    page = browser.get(f"/pathways/library/{source.pk}/").content.decode()
    assert "Timeline preview" in page and "Day 43" in page
    # The monitoring week is done when its week is up; the severe branch holds for review.
    assert "Done when its time is up (7 days); asks for 7 entries: day 8" in page
    assert "Holds the programme for your review" in page
    response = browser.post(f"/pathways/library/{source.pk}/copy/")
    with scopes_disabled():
        copy = Pathway.objects.get(practice=world.practice_a, origin=source)
    assert response["Location"] == f"/pathways/{copy.pk}/build/"
    steps = _steps(copy)
    assert len(steps) == source.steps.count()
    conditional = next(s for s in steps if s.condition_step_id)
    with scopes_disabled():
        assert conditional.condition_step.curated_activity.slug == "phq-9"
    assert conditional.holds_for_review  # copied with the rest of the step
    assert [(s.completion, s.completion_entries) for s in steps][2] == ("period_end", 7)
    assert copy.status == PathwayStatus.DRAFT


def test_draft_global_pathways_are_the_curators_own(web, world, library):
    draft = CuratedPathway.objects.create(slug="draft-one", name="Draft one")
    browser = web(world.therapist_a)
    assert browser.get(f"/pathways/library/{draft.pk}/").status_code == 404
    assert browser.post(f"/pathways/library/{draft.pk}/copy/").status_code == 404
    assert "Draft one" not in browser.get("/pathways/library/").content.decode()


def test_curators_build_global_pathways_from_global_activities(web, world, library):
    curator = web(world.curator)
    assert curator.get("/curate/pathways/").status_code == 200
    response = curator.post(
        "/curate/pathways/new/",
        {
            "name": "Worry less",
            "client_title": "",
            "description": "",
            "response_visibility": "shared",
        },
    )
    pathway = CuratedPathway.objects.get(name="Worry less")
    assert response["Location"] == f"/curate/pathways/{pathway.pk}/build/"
    curator.post(
        f"/curate/pathways/{pathway.pk}/steps/add/",
        _step_form(library.gad7, delivery="on_enrolment"),
    )
    curator.post(f"/curate/pathways/{pathway.pk}/status/", {"status": "published"})
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.PUBLISHED and pathway.steps.count() == 1
    for person in (world.therapist_a, world.owner_b):
        assert web(person).get("/curate/pathways/").status_code == 404
        assert web(person).get(f"/curate/pathways/{pathway.pk}/build/").status_code == 404


def test_a_curator_cannot_use_a_practice_activity(web, world, library):
    from tests.factories import practice_activity_for

    activity = practice_activity_for(world.practice_a, world.therapist_a)
    pathway = CuratedPathway.objects.create(slug="x", name="X")
    response = web(world.curator).post(
        f"/curate/pathways/{pathway.pk}/steps/add/",
        _step_form(library.gad7, activity=f"a:{activity.pk}"),
    )
    assert response.status_code == 400
    assert pathway.steps.count() == 0


# --- The client's journey -----------------------------------------------------------------------


def test_the_client_sees_their_journey_without_therapist_notes(
    portal, world, library, build, enrol
):
    pathway = build(
        [
            step_spec(library.plain[0], "on_enrolment", therapist_notes="SECRET NOTE"),
            step_spec(library.plain[1], "after_previous"),
            step_spec(
                library.plain[2], "days_after_previous", delay_days=2, time_of_day=time(19, 30)
            ),
            step_spec(library.phq9, "on_enrolment", required=False),
            step_spec(
                library.schedule,
                "after_previous",
                condition_index=3,
                condition_operator="gte",
                condition_value=10,
            ),
        ],
        client_title="Small steps",
    )
    enrolment = enrol(pathway)
    complete(steps_of(enrolment)[0])
    page = portal(world.client_a).get("/portal/journey/").content.decode()
    assert "Small steps" in page
    assert "Test pathway" not in page  # the internal name
    assert "SECRET NOTE" not in page
    assert "Done " in page
    assert "Ready for you now" in page
    assert "2 days after you finish “Step 2 worksheet”" in page
    assert "Activity schedule" not in page  # its condition is not settled: not shown
    assert "at least 10" not in page
    assert "1 of 5 done" in page
    other = ClientFactory(practice=world.practice_a, primary_therapist=world.therapist_a)
    portal_user_for(other)
    assert "Small steps" not in portal(other).get("/portal/journey/").content.decode()


def test_staff_cannot_open_the_journey_and_clients_cannot_open_staff_pages(web, portal, world):
    assert web(world.therapist_a).get("/portal/journey/").status_code == 404
    assert portal(world.client_a).get("/pathways/").status_code == 404


# --- FHIR downloads --------------------------------------------------------------------------


def test_fhir_downloads(web, world, library, build, enrol):
    from fhir.resources.R4B.careplan import CarePlan
    from fhir.resources.R4B.plandefinition import PlanDefinition

    pathway = _branching(library, build)
    enrolment = enrol(pathway)
    browser = web(world.therapist_a)
    plan = PlanDefinition.model_validate_json(browser.get(f"/pathways/{pathway.pk}/fhir/").content)
    assert len(plan.action) == 3
    care = CarePlan.model_validate_json(
        browser.get(f"/pathways/enrolments/{enrolment.pk}/fhir/").content
    )
    assert care.status == "active"
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="export", object_id=str(enrolment.pk)).exists()
        assert EnrolmentStep.objects.filter(enrolment=enrolment).count() == 3


def test_curators_see_the_curator_nav_not_a_practices(web, world, library):
    """Curators belong to no practice: their menu leads to the global library and pathways,
    never to caseload or practice pages that would only answer 404."""
    page = web(world.curator).get("/curate/pathways/").content.decode()
    nav = page.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/curate/"' in nav and 'href="/curate/pathways/"' in nav
    assert "/clients/" not in nav and "/practice/" not in nav
    activities = web(world.curator).get("/curate/").content.decode()
    assert 'href="/curate/pathways/"' in activities
