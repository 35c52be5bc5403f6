"""The REST API: pathways, steps, enrolments, per-client step changes, FHIR exports."""

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.plandefinition import PlanDefinition
from rest_framework.test import APIClient

from clients.models import ClientStatus
from pathways.models import Enrolment, EnrolmentStatus, PathwayStep, StepStatus
from tests.factories import ClientFactory, api_token_for
from tests.pathways.conftest import step_spec, steps_of

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def _today(client):
    return timezone.localdate(timezone.now(), client.tz).isoformat()


def test_build_a_pathway_through_the_api(world, library):
    browser = api(world.therapist_a)
    response = browser.post(
        "/api/v1/pathways/",
        {"name": "Sleep better", "functions": ["self-monitoring"], "response_visibility": "shared"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pathway_id = response.json()["id"]
    steps = []
    for spec in (
        {"curated_activity": str(library.phq9.pk), "delivery": "on_enrolment"},
        {
            "curated_activity": str(library.plain[0].pk),
            "delivery": "days_after_previous",
            "delay_days": 2,
            "time_of_day": "18:00",
        },
    ):
        response = browser.post(
            "/api/v1/pathway-steps/", {"pathway": pathway_id, **spec}, format="json"
        )
        assert response.status_code == 201, response.json()
        steps.append(response.json())
    assert [s["position"] for s in steps] == [1, 2]
    response = browser.post(
        f"/api/v1/pathway-steps/{steps[1]['id']}/move/", {"direction": "up"}, format="json"
    )
    assert [s["id"] for s in response.json()] == [steps[1]["id"], steps[0]["id"]]
    response = browser.post(f"/api/v1/pathways/{pathway_id}/status/", {"status": "published"})
    assert response.json()["status"] == "published"
    detail = browser.get(f"/api/v1/pathways/{pathway_id}/").json()
    assert [s["title"] for s in detail["steps"]][1].startswith("PHQ-9")


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        (
            {"delivery": "days_after_enrolment", "delay_days": -1},
            "delay_days",
            "cannot be negative",
        ),
        ({"delivery": "days_after_previous", "delay_days": 1000}, "delay_days", "365 days"),
        ({"delivery": "on_enrolment", "days_to_complete": 0}, "days_to_complete", "1 to 60"),
    ],
)
def test_bad_steps_get_400_with_field_errors(world, library, build, spec, field, message):
    pathway = build([step_spec(library.plain[0], "on_enrolment")], publish=False)
    response = api(world.therapist_a).post(
        "/api/v1/pathway-steps/",
        {"pathway": str(pathway.pk), "curated_activity": str(library.plain[1].pk), **spec},
        format="json",
    )
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_a_cycle_or_a_broken_reference_gets_400(world, library, build):
    pathway = build(
        [step_spec(library.phq9, "on_enrolment"), step_spec(library.plain[0], "on_enrolment")],
        publish=False,
    )
    other = build([step_spec(library.gad7, "on_enrolment")], publish=False, name="Other")
    with scopes_disabled():
        measure, plain = PathwayStep.objects.filter(pathway=pathway).order_by("position")
        foreign = PathwayStep.objects.get(pathway=other)
    browser = api(world.therapist_a)
    response = browser.patch(
        f"/api/v1/pathway-steps/{measure.pk}/",
        {"delivery": "after_previous", "condition_step": str(plain.pk)},
        format="json",
    )
    assert response.status_code == 400
    assert "not a measure" in response.json()["condition_step"][0]
    response = browser.patch(
        f"/api/v1/pathway-steps/{plain.pk}/",
        {"condition_step": str(foreign.pk), "condition_value": 5},
        format="json",
    )
    assert response.status_code == 400
    assert "not in this pathway" in response.json()["condition_step"][0]
    # The measure waits for the step before it, which would wait for the measure's score.
    browser.patch(
        f"/api/v1/pathway-steps/{plain.pk}/",
        {"condition_step": str(measure.pk), "condition_value": 5},
        format="json",
    )
    response = browser.post(f"/api/v1/pathway-steps/{plain.pk}/move/", {"direction": "up"})
    assert response.status_code == 200
    response = browser.patch(
        f"/api/v1/pathway-steps/{measure.pk}/", {"delivery": "after_previous"}, format="json"
    )
    assert response.status_code == 400
    assert "wait for each other" in response.json()["condition_step"][0]


def test_enrolments_through_the_api(world, library, build):
    pathway = build([step_spec(library.plain[0], "on_enrolment"), step_spec(library.plain[1])])
    browser = api(world.therapist_a)
    body = {
        "pathway": str(pathway.pk),
        "client": str(world.client_a.pk),
        "start_date": _today(world.client_a),
    }
    response = browser.post("/api/v1/pathway-enrolments/", body, format="json")
    assert response.status_code == 201, response.json()
    enrolment = response.json()
    assert enrolment["steps_total"] == 2 and len(enrolment["steps"]) == 2
    response = browser.post("/api/v1/pathway-enrolments/", body, format="json")
    assert response.status_code == 400
    assert "already on this pathway" in response.json()["client"][0]
    second = enrolment["steps"][1]["id"]
    response = browser.patch(
        f"/api/v1/pathway-enrolment-steps/{second}/",
        {"delay_days": -5, "delivery": "days_after_previous"},
        format="json",
    )
    assert response.status_code == 400 and "delay_days" in response.json()
    response = browser.post(f"/api/v1/pathway-enrolment-steps/{second}/skip/")
    assert response.json()["status"] == "skipped"
    response = browser.post(f"/api/v1/pathway-enrolments/{enrolment['id']}/pause/")
    assert response.json()["status"] == "paused"
    response = browser.post(f"/api/v1/pathway-enrolments/{enrolment['id']}/pause/")
    assert response.status_code == 400 and "status" in response.json()
    response = browser.post(f"/api/v1/pathway-enrolments/{enrolment['id']}/cancel/")
    assert response.json()["status"] == "cancelled"


def test_enrolling_a_discharged_client_gets_400(world, library, build):
    pathway = build([step_spec(library.plain[0], "on_enrolment")])
    with scopes_disabled():
        world.client_a.status = ClientStatus.DISCHARGED
        world.client_a.save(update_fields=["status"])
    response = api(world.therapist_a).post(
        "/api/v1/pathway-enrolments/",
        {"pathway": str(pathway.pk), "client": str(world.client_a.pk), "start_date": "2099-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "discharged" in response.json()["client"][0]
    with scopes_disabled():
        assert not Enrolment.objects.exists()


def test_fhir_exports_validate_as_r4(world, library, build, enrol):
    pathway = build(
        [
            step_spec(library.phq9, "on_enrolment"),
            step_spec(
                library.schedule,
                "days_after_previous",
                delay_days=2,
                condition_index=0,
                condition_operator="gte",
                condition_value=10,
            ),
            step_spec(library.plain[0], "days_after_enrolment", delay_days=14, required=False),
        ],
        description="For low mood.",
    )
    enrolment = enrol(pathway)
    browser = api(world.therapist_a)
    plan = PlanDefinition.model_validate(browser.get(f"/api/v1/pathways/{pathway.pk}/fhir/").json())
    assert plan.status == "active"
    measure, module, later = plan.action
    assert measure.timingDuration.value == 0
    assert module.relatedAction[0].actionId == "step-1"
    assert module.relatedAction[0].offsetDuration.value == 2
    assert module.condition[0].kind == "applicability"
    assert later.requiredBehavior == "could" and later.timingDuration.value == 14
    assert "/api/v1/library/global/" in measure.definitionCanonical
    care = CarePlan.model_validate(
        browser.get(f"/api/v1/pathway-enrolments/{enrolment.pk}/fhir/").json()
    )
    assert care.status == "active" and care.intent == "plan"
    assert care.subject.reference == f"Patient/{world.client_a.pk}"
    assert [a.detail.status for a in care.activity] == ["in-progress", "not-started", "scheduled"]
    assert care.activity[0].outcomeReference[0].reference.startswith("Task/")
    assert care.instantiatesCanonical == [plan.url]


@pytest.mark.parametrize("count", [1, 6])
def test_list_endpoints_cost_the_same_queries_for_few_or_many(
    world, library, build, enrol, count, django_assert_num_queries
):
    for index in range(count):
        pathway = build(
            [step_spec(library.plain[0], "on_enrolment"), step_spec(library.plain[1])],
            name=f"P{index}",
        )
        client = ClientFactory(practice=world.practice_a, primary_therapist=world.therapist_a)
        enrol(pathway, client=client)
    browser = api(world.therapist_a)
    # The token's first use records when it was used (then at most once a minute).
    assert browser.get("/api/v1/pathways/").status_code == 200
    with django_assert_num_queries(3):
        assert browser.get("/api/v1/pathways/").json()["count"] == count
    with django_assert_num_queries(3):
        assert browser.get("/api/v1/pathway-steps/").json()["count"] == 2 * count
    with django_assert_num_queries(4):  # the fourth: the audit row of the clients' enrolments
        assert browser.get("/api/v1/pathway-enrolments/").json()["count"] == count


def test_the_api_shows_only_visible_clients_enrolments(world, library, build, enrol):
    enrol(build([step_spec(library.plain[0], "on_enrolment")]))
    assert api(world.colleague_a).get("/api/v1/pathway-enrolments/").json()["count"] == 0
    assert api(world.owner_a).get("/api/v1/pathway-enrolments/").json()["count"] == 1
    assert api(world.owner_b).get("/api/v1/pathway-enrolments/").json()["count"] == 0


def test_apply_template_through_the_api(world, library, build, enrol):
    pathway = build([step_spec(library.plain[0], "on_enrolment"), step_spec(library.plain[1])])
    enrolment = enrol(pathway)
    browser = api(world.therapist_a)
    browser.post(
        "/api/v1/pathway-steps/",
        {
            "pathway": str(pathway.pk),
            "curated_activity": str(library.plain[2].pk),
            "delivery": "after_previous",
        },
        format="json",
    )
    assert len(steps_of(enrolment)) == 2
    response = browser.post(f"/api/v1/pathway-enrolments/{enrolment.pk}/apply-template/")
    assert response.status_code == 200
    assert [s["status"] for s in response.json()["steps"]] == [
        StepStatus.RELEASED,
        StepStatus.WAITING,
        StepStatus.WAITING,
    ]
    assert response.json()["status"] == EnrolmentStatus.ACTIVE


def test_a_partial_change_keeps_the_rule_it_does_not_mention(world, library, build):
    pathway = build(
        [step_spec(library.plain[0], "days_after_enrolment", delay_days=4)], publish=False
    )
    with scopes_disabled():
        step = PathwayStep.objects.get(pathway=pathway)
    response = api(world.therapist_a).patch(
        f"/api/v1/pathway-steps/{step.pk}/", {"therapist_notes": "Go gently."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["delivery"], response.json()["delay_days"]) == (
        "days_after_enrolment",
        4,
    )
