"""Pathway pages: the builder, enrolling, per-client changes and progress at a glance. The
global library, the curator area, the client's journey and the FHIR downloads are in
``test_views_library.py``."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from accounts.models import AuditEvent
from clients.models import ClientStatus
from pathways.models import (
    Enrolment,
    EnrolmentStatus,
    Pathway,
    PathwayStatus,
    StepStatus,
)
from tests.factories import ClientFactory
from tests.pathways.conftest import _branching, _step_form, _steps, complete, step_spec, steps_of

pytestmark = pytest.mark.django_db


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error">([^<]*)<', html)
    return match.group(1) if match else ""


# --- Building ------------------------------------------------------------------------------


def test_a_therapist_creates_a_pathway_and_builds_it(web, world, library):
    browser = web(world.therapist_a)
    response = browser.post(
        "/pathways/new/",
        {
            "name": "BA for low mood",
            "client_title": "Getting going again",
            "description": "",
            "functions": ["skills practice"],
            "audiences": ["adults"],
            "phases": ["early"],
            "response_visibility": "shared",
        },
    )
    with scopes_disabled():
        pathway = Pathway.objects.get(name="BA for low mood")
    assert response.status_code == 302
    assert response["Location"] == f"/pathways/{pathway.pk}/build/"
    assert pathway.practice == world.practice_a and pathway.status == PathwayStatus.DRAFT
    url = f"/pathways/{pathway.pk}/steps/add/"
    browser.post(url, _step_form(library.phq9, delivery="on_enrolment"))
    browser.post(
        url,
        _step_form(
            library.plain[0],
            delivery="days_after_previous",
            delay_days="2",
            time_of_day="18:00",
            therapist_notes="Check the scores first.",
        ),
    )
    measure = _steps(pathway)[0]
    browser.post(
        url, _step_form(library.schedule, condition_step=str(measure.pk), condition_value="10")
    )
    steps = _steps(pathway)
    assert [s.position for s in steps] == [1, 2, 3]
    assert steps[1].delay_days == 2 and steps[1].time_of_day.hour == 18
    assert steps[2].condition_step_id == measure.pk and steps[2].condition_value == 10
    page = browser.get(f"/pathways/{pathway.pk}/build/").content.decode()
    assert "Timeline preview" in page
    assert "Only if the PHQ-9 (mood questionnaire) total is at least 10" in page
    assert "2 days after the previous step is done, at 18:00" in page
    response = browser.post(f"/pathways/{pathway.pk}/status/", {"status": "published"})
    with scopes_disabled():
        pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.PUBLISHED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"delivery": "days_after_enrolment", "delay_days": "-3"},
            "delay_days",
            "cannot be negative",
        ),
        (
            {"delivery": "days_after_previous", "delay_days": "400"},
            "delay_days",
            "more than 365 days",
        ),
        (
            {"activity": "c:00000000-0000-0000-0000-000000000000"},
            "activity",
            "Select a valid choice",
        ),
        ({"days_to_complete": "0"}, "days_to_complete", "from 1 to 60"),
    ],
)
def test_bad_step_input_is_refused_next_to_the_field(
    web, world, library, build, overrides, field, message
):
    pathway = build([step_spec(library.plain[0], "on_enrolment")], publish=False)
    response = web(world.therapist_a).post(
        f"/pathways/{pathway.pk}/steps/add/", _step_form(library.plain[1], **overrides)
    )
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field)
    assert len(_steps(pathway)) == 1


def test_a_condition_on_a_step_that_is_not_a_measure_is_refused(web, world, library, build):
    pathway = build([step_spec(library.plain[0], "on_enrolment")], publish=False)
    (first,) = _steps(pathway)
    response = web(world.therapist_a).post(
        f"/pathways/{pathway.pk}/steps/add/",
        _step_form(library.plain[1], condition_step=str(first.pk), condition_value="3"),
    )
    assert response.status_code == 400
    assert "Select a valid choice" in field_error(response.content.decode(), "condition_step")


def test_a_reorder_that_makes_steps_wait_for_each_other_is_refused(web, world, library, build):
    pathway = build(
        [
            step_spec(library.plain[0], "on_enrolment"),
            step_spec(library.phq9, "after_previous"),
            step_spec(
                library.schedule,
                "after_previous",
                condition_index=1,
                condition_operator="gte",
                condition_value=10,
            ),
        ],
        publish=False,
    )
    first, measure, module = _steps(pathway)
    # The module first: the measure's previous step becomes the module, which waits for the
    # measure's score. Refused, and the order stays.
    new_order = [str(module.pk), str(measure.pk), str(first.pk)]
    browser = web(world.therapist_a)
    response = browser.post(
        f"/pathways/{pathway.pk}/steps/order/", {"step": new_order}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "would wait for each other" in response.content.decode()
    assert [s.pk for s in _steps(pathway)] == [first.pk, measure.pk, module.pk]
    response = browser.post(
        f"/pathways/{pathway.pk}/steps/order/", {"step": new_order}, follow=True
    )
    assert "would wait for each other" in response.content.decode()


def test_move_buttons_reorder_and_announce_for_keyboard_users(web, world, library, build):
    pathway = build([step_spec(a, "on_enrolment") for a in library.plain[:3]], publish=False)
    first, second, third = _steps(pathway)
    browser = web(world.therapist_a)
    response = browser.post(
        f"/pathways/{pathway.pk}/steps/{third.pk}/move/",
        {"direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "to position 2 of 3" in html
    assert "data-moved" in html
    assert [s.pk for s in _steps(pathway)] == [first.pk, third.pk, second.pk]
    response = browser.post(f"/pathways/{pathway.pk}/steps/{first.pk}/move/", {"direction": "down"})
    assert response.status_code == 302 and response["Location"].endswith(f"#step-{first.pk}")
    assert [s.pk for s in _steps(pathway)] == [third.pk, first.pk, second.pk]
    response = browser.post(
        f"/pathways/{pathway.pk}/steps/order/",
        {"step": [str(second.pk), str(first.pk), str(third.pk)]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert [s.pk for s in _steps(pathway)] == [second.pk, first.pk, third.pk]


def test_a_measure_others_depend_on_cannot_be_removed(web, world, library, build):
    pathway = _branching(library, build, publish=False)
    _, measure, _ = _steps(pathway)
    browser = web(world.therapist_a)
    response = browser.post(f"/pathways/{pathway.pk}/steps/{measure.pk}/remove/", follow=True)
    assert "depends on this measure" in response.content.decode()
    assert len(_steps(pathway)) == 3


def test_editing_a_step_saves_it(web, world, library, build):
    pathway = build([step_spec(library.plain[0], "on_enrolment")], publish=False)
    (step,) = _steps(pathway)
    browser = web(world.therapist_a)
    assert browser.get(f"/pathways/{pathway.pk}/steps/{step.pk}/").status_code == 200
    response = browser.post(
        f"/pathways/{pathway.pk}/steps/{step.pk}/",
        _step_form(library.plain[1], delivery="days_after_enrolment", delay_days="5", required=""),
    )
    assert response.status_code == 302
    (step,) = _steps(pathway)
    assert step.curated_activity == library.plain[1]
    assert step.delay_days == 5 and not step.required


# --- Enrolling and running --------------------------------------------------------------------


def test_enrolling_a_discharged_client_is_refused_next_to_the_field(web, world, library, build):
    pathway = build([step_spec(library.plain[0], "on_enrolment")])
    with scopes_disabled():
        world.client_a.status = ClientStatus.DISCHARGED
        world.client_a.save(update_fields=["status"])
    response = web(world.therapist_a).post(
        f"/pathways/{pathway.pk}/enrol/", {"client": world.client_a.pk, "start_date": "2099-01-01"}
    )
    assert response.status_code == 400
    assert "is discharged" in field_error(response.content.decode(), "client")


def test_a_second_running_enrolment_in_the_same_pathway_is_refused(
    web, world, library, build, enrol
):
    pathway = build([step_spec(library.plain[0], "on_enrolment")])
    enrol(pathway)
    response = web(world.therapist_a).post(
        f"/pathways/{pathway.pk}/enrol/",
        {"client": world.client_a.pk, "start_date": _today(world.client_a)},
    )
    assert response.status_code == 400
    assert "already on this pathway" in field_error(response.content.decode(), "client")
    with scopes_disabled():
        assert Enrolment.objects.filter(client=world.client_a).count() == 1


def _today(client):
    from django.utils import timezone

    return timezone.localdate(timezone.now(), client.tz).isoformat()


def test_enrolling_in_a_past_date_or_a_draft_is_refused(web, world, library, build):
    draft = build([step_spec(library.plain[0], "on_enrolment")], publish=False)
    browser = web(world.therapist_a)
    response = browser.post(
        f"/pathways/{draft.pk}/enrol/",
        {"client": world.client_a.pk, "start_date": _today(world.client_a)},
    )
    assert response.status_code == 400 and "Publish this pathway" in response.content.decode()
    published = build([step_spec(library.plain[0], "on_enrolment")], name="Other")
    response = browser.post(
        f"/pathways/{published.pk}/enrol/",
        {"client": world.client_a.pk, "start_date": "2001-01-01"},
    )
    assert "today or a later date" in field_error(response.content.decode(), "start_date")


def test_enrolling_then_following_the_client(
    web, world, library, build, django_capture_on_commit_callbacks
):
    pathway = build(
        [
            step_spec(library.plain[0], "on_enrolment", therapist_notes="Watch for avoidance."),
            step_spec(library.plain[1], "days_after_previous", delay_days=3),
        ]
    )
    browser = web(world.therapist_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            f"/pathways/{pathway.pk}/enrol/",
            {"client": world.client_a.pk, "start_date": _today(world.client_a)},
        )
    with scopes_disabled():
        enrolment = Enrolment.objects.get(client=world.client_a)
    assert response["Location"] == f"/pathways/enrolments/{enrolment.pk}/"
    before = _audits(enrolment)
    page = browser.get(f"/pathways/enrolments/{enrolment.pk}/").content.decode()
    assert _audits(enrolment) == before + 1
    assert "Watch for avoidance." in page
    assert "Released" in page


def _audits(enrolment):
    with scopes_disabled():
        return AuditEvent.objects.filter(object_id=str(enrolment.pk)).count()


def test_per_client_changes_leave_the_pathway_alone(
    web, world, library, build, enrol, django_capture_on_commit_callbacks
):
    pathway = build(
        [
            step_spec(library.plain[0], "on_enrolment"),
            step_spec(library.plain[1], "days_after_previous", delay_days=3),
            step_spec(library.plain[2], "days_after_previous", delay_days=3),
        ]
    )
    enrolment = enrol(pathway)
    _, second, third = steps_of(enrolment)
    browser = web(world.therapist_a)
    base = f"/pathways/enrolments/{enrolment.pk}/steps"
    response = browser.post(
        f"{base}/{second.pk}/",
        {
            "activity": f"c:{library.plain[4].pk}",
            "delivery": "days_after_previous",
            "delay_days": "10",
            "time_of_day": "",
            "days_to_complete": "7",
        },
    )
    assert response.status_code == 302
    response = browser.post(
        f"{base}/{second.pk}/",
        {
            "activity": f"c:{library.plain[4].pk}",
            "delivery": "days_after_previous",
            "delay_days": "-1",
            "time_of_day": "",
            "days_to_complete": "7",
        },
    )
    assert response.status_code == 400
    assert "cannot be negative" in field_error(response.content.decode(), "delay_days")
    browser.post(f"{base}/{third.pk}/skip/")
    _, second, third = steps_of(enrolment)
    assert second.delay_days == 10 and second.curated_activity == library.plain[4]
    assert third.status == StepStatus.SKIPPED
    template = _steps(pathway)
    assert template[1].delay_days == 3 and template[1].curated_activity == library.plain[1]
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(f"{base}/{second.pk}/unlock/")
    assert steps_of(enrolment)[1].status == StepStatus.RELEASED


def test_template_edits_reach_an_enrolment_only_when_applied(web, world, library, build, enrol):
    pathway = build(
        [
            step_spec(library.plain[0], "on_enrolment"),
            step_spec(library.plain[1], "days_after_previous", delay_days=3),
        ]
    )
    enrolment = enrol(pathway)
    browser = web(world.therapist_a)
    _, template_second = _steps(pathway)
    browser.post(
        f"/pathways/{pathway.pk}/steps/{template_second.pk}/",
        _step_form(library.plain[2], delivery="days_after_previous", delay_days="9"),
    )
    browser.post(f"/pathways/{pathway.pk}/steps/add/", _step_form(library.plain[3]))
    steps = steps_of(enrolment)
    assert len(steps) == 2 and steps[1].delay_days == 3  # the running enrolment is untouched
    page = browser.get(f"/pathways/enrolments/{enrolment.pk}/").content.decode()
    assert "The pathway was edited after" in page
    browser.post(f"/pathways/enrolments/{enrolment.pk}/apply-template/")
    steps = steps_of(enrolment)
    assert [s.status for s in steps] == [
        StepStatus.RELEASED,
        StepStatus.WAITING,
        StepStatus.WAITING,
    ]
    assert steps[1].delay_days == 9 and steps[1].curated_activity == library.plain[2]
    assert steps[2].curated_activity == library.plain[3]


def test_pause_resume_and_end_from_the_page(web, world, library, build, enrol):
    enrolment = enrol(build([step_spec(library.plain[0], "days_after_enrolment", delay_days=2)]))
    browser = web(world.therapist_a)
    base = f"/pathways/enrolments/{enrolment.pk}"
    browser.post(f"{base}/pause/")
    assert _status(enrolment) == EnrolmentStatus.PAUSED
    page = browser.post(f"{base}/pause/", follow=True).content.decode()
    assert "Only an active enrolment can be paused" in page
    browser.post(f"{base}/resume/")
    assert _status(enrolment) == EnrolmentStatus.ACTIVE
    browser.post(f"{base}/cancel/")
    assert _status(enrolment) == EnrolmentStatus.CANCELLED
    assert steps_of(enrolment)[0].status == StepStatus.CANCELLED


def _status(enrolment):
    with scopes_disabled():
        return Enrolment.objects.get(pk=enrolment.pk).status


def test_a_colleague_without_the_client_cannot_open_the_enrolment(
    web, world, library, build, enrol
):
    enrolment = enrol(build([step_spec(library.plain[0], "on_enrolment")]))
    assert web(world.colleague_a).get(f"/pathways/enrolments/{enrolment.pk}/").status_code == 404
    assert web(world.owner_a).get(f"/pathways/enrolments/{enrolment.pk}/").status_code == 200


def test_another_practice_gets_404_for_every_pathway_page(web, world, library, build, enrol):
    pathway = build([step_spec(library.plain[0], "on_enrolment")])
    enrolment = enrol(pathway)
    (step,) = _steps(pathway)
    (enrolment_step,) = steps_of(enrolment)
    outsider = web(world.owner_b)
    for url in (
        f"/pathways/{pathway.pk}/",
        f"/pathways/{pathway.pk}/build/",
        f"/pathways/{pathway.pk}/fhir/",
        f"/pathways/{pathway.pk}/steps/{step.pk}/",
        f"/pathways/enrolments/{enrolment.pk}/",
        f"/pathways/enrolments/{enrolment.pk}/fhir/",
        f"/pathways/enrolments/{enrolment.pk}/steps/{enrolment_step.pk}/",
    ):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/pathways/enrolments/{enrolment.pk}/pause/").status_code == 404
    assert _status(enrolment) == EnrolmentStatus.ACTIVE


# --- Progress at a glance ----------------------------------------------------------------


def _enrol_clients(world, library, build, enrol, pathway, count):
    for index in range(count):
        client = ClientFactory(
            practice=world.practice_a, primary_therapist=world.therapist_a, full_name=f"C{index}"
        )
        enrol(pathway, client=client)


def _queries(browser, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        page = browser.get(url).content.decode()
    return len(queries), page


def test_the_index_and_a_pathway_page_cost_the_same_queries_for_few_or_many(
    web, world, library, build, enrol
):
    pathway = build([step_spec(library.plain[0], "on_enrolment"), step_spec(library.plain[1])])
    _enrol_clients(world, library, build, enrol, pathway, 1)
    browser = web(world.therapist_a)
    browser.get("/pathways/")  # warm the session
    few = {url: _queries(browser, url)[0] for url in ("/pathways/", f"/pathways/{pathway.pk}/")}
    _enrol_clients(world, library, build, enrol, pathway, 9)
    for url, count in few.items():
        queries, page = _queries(browser, url)
        assert queries == count <= 13, url  # one of them the audit row's INSERT
        assert page.count("0 of 2 done") == 10


def test_progress_shows_what_is_open_and_what_comes_next(web, world, library, build, enrol):
    enrolment = enrol(
        build([step_spec(library.plain[0], "on_enrolment"), step_spec(library.plain[1])])
    )
    page = web(world.therapist_a).get("/pathways/").content.decode()
    assert "Step 1 worksheet" in page and "Step 2 worksheet" in page
    complete(steps_of(enrolment)[0])
    page = web(world.therapist_a).get("/pathways/").content.decode()
    assert "1 of 2 done" in page
