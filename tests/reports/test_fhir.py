"""A client's record as FHIR R4 over the API (Bundle, QuestionnaireResponse, Observations)
and entries imported from FHIR: validated against the R4B models, outsiders get 404, imports
go through the portal's own checks (scores, flags), and a round trip between practices
keeps the scores."""

import json
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from assignments.models import Flag, FlagKind, Response, ResponseRevision, RevisionSource
from core.tenancy import practice_scope
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, phq9_answers
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db
FHIR = "application/fhir+json"


def api(user):
    browser = APIClient()
    browser.force_authenticate(user)
    return browser


def _send(occurrence, answers):
    from assignments.services import completing

    with practice_scope(occurrence.practice_id), scopes_disabled():
        client = occurrence.client
    with practice_scope(occurrence.practice_id):
        return completing.response_submit(
            occurrence=occurrence, client=client, answers=answers, submission_key=uuid.uuid4()
        )


def _entries(assign, submit, version, client, answer_sets):
    assignment = assign(version, client=client, schedule_kind="daily", repeat_days=len(answer_sets))
    with scopes_disabled():
        occurrences = list(assignment.occurrences.order_by("due_at"))
    sent = []
    start = timezone.now() - timedelta(minutes=len(answer_sets))
    for n, (occurrence, answers) in enumerate(zip(occurrences, answer_sets, strict=True)):
        # A minute apart, in the past: FHIR's ``authored`` keeps whole seconds, so entries sent
        # within one second would tie on import (and an import dated ahead is refused).
        with time_machine.travel(start + timedelta(minutes=n), tick=True):
            sent.append(_send(occurrence, answers))
    return sent


def _resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_client_bundle_is_fhir_r4_with_everything_shared(world, acts, assign, submit):
    _entries(assign, submit, acts.phq9, world.client_a, [phq9_answers(others="2"), phq9_answers()])
    _entries(assign, submit, acts.thought_record, world.client_a, [THOUGHT_RECORD_ANSWERS])

    reply = api(world.therapist_a).get(f"/api/v1/clients/{world.client_a.pk}/fhir/")

    assert reply.status_code == 200
    assert reply["Content-Type"].startswith(FHIR)
    bundle = json.loads(reply.content)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    (patient,) = _resources(bundle, "Patient")
    assert patient["identifier"][0]["value"] == str(world.client_a.pk)
    assert patient["name"][0]["text"] == world.client_a.full_name
    (plan,) = _resources(bundle, "CarePlan")
    assert len(plan["activity"]) == 2
    responses = _resources(bundle, "QuestionnaireResponse")
    assert len(responses) == 3
    assert {r["status"] for r in responses} == {"completed"}
    assert all(r["subject"] == {"reference": f"urn:uuid:{world.client_a.pk}"} for r in responses)
    observations = _resources(bundle, "Observation")
    assert [o["valueInteger"] for o in observations] == [
        16,
        8,
    ]  # the PHQ-9s; the record has no score
    first = observations[0]
    assert first["code"]["coding"] == [{"system": "http://loinc.org", "code": "44261-6"}]
    assert first["category"][0]["coding"][0]["code"] == "survey"
    assert first["interpretation"] == [{"text": "Moderately severe"}]
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    assert first["derivedFrom"][0]["reference"] in full_urls
    questionnaire = responses[0]["questionnaire"]
    assert questionnaire.endswith(f"/library/activities/{acts.phq9.activity_id}/fhir/|1")
    with scopes_disabled():
        assert AuditEvent.objects.filter(client_id=world.client_a.pk).exists()


def test_an_entry_the_client_kept_private_is_not_exported(world, acts, assign, submit):
    assignment = assign(acts.thought_record, visibility="client_only")
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    _send(occurrence, THOUGHT_RECORD_ANSWERS)

    bundle = api(world.therapist_a).get(f"/api/v1/clients/{world.client_a.pk}/fhir/").json()

    assert _resources(bundle, "QuestionnaireResponse") == []


def test_the_bundle_takes_the_same_queries_however_many_entries(world, acts, assign, submit):
    browser = api(world.therapist_a)
    url = f"/api/v1/clients/{world.client_a.pk}/fhir/"
    _entries(assign, submit, acts.phq9, world.client_a, [phq9_answers()])
    with CaptureQueriesContext(connection) as one:
        assert browser.get(url).status_code == 200
    _entries(assign, submit, acts.phq9, world.client_a, [phq9_answers()] * 4)
    _entries(assign, submit, acts.thought_record, world.client_a, [THOUGHT_RECORD_ANSWERS] * 2)
    with CaptureQueriesContext(connection) as many:
        assert browser.get(url).status_code == 200
    assert len(many) == len(one)


def test_one_entry_as_a_questionnaire_response_amended_after_an_edit(world, acts, assign, submit):
    (entry,) = _entries(assign, submit, acts.phq9, world.client_a, [phq9_answers()])
    from assignments.services import completing

    with practice_scope(world.practice_a), scopes_disabled():
        completing.response_revise(
            response=entry,
            client=world.client_a,
            answers=phq9_answers(others="3"),
            submission_key=uuid.uuid4(),
        )

    reply = api(world.therapist_a).get(f"/api/v1/responses/{entry.pk}/fhir/")

    assert reply.status_code == 200
    resource = json.loads(reply.content)
    QuestionnaireResponse.model_validate(resource)
    assert resource["status"] == "amended"
    q1 = resource["item"][0]["item"][0]
    assert q1["linkId"] == "q1"
    assert q1["answer"][0]["valueCoding"]["code"] == "3"


def test_observations_for_a_client(world, acts, assign, submit):
    _entries(assign, submit, acts.phq9, world.client_a, [phq9_answers(item9="3")])

    reply = api(world.therapist_a).get(f"/api/v1/clients/{world.client_a.pk}/fhir/observations/")

    bundle = json.loads(reply.content)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "searchset"
    assert bundle["total"] == 1
    assert bundle["entry"][0]["resource"]["valueInteger"] == 11


@pytest.mark.parametrize(
    "path",
    ["clients/{client}/fhir/", "clients/{client}/fhir/observations/", "responses/{response}/fhir/"],
)
def test_outsiders_get_404(world, acts, assign, submit, path):
    (entry,) = _entries(assign, submit, acts.phq9, world.client_a, [phq9_answers()])
    url = "/api/v1/" + path.format(client=world.client_a.pk, response=entry.pk)
    assert api(world.therapist_b).get(url).status_code == 404
    assert api(world.colleague_a).get(url).status_code == 404


def test_outsiders_cannot_import(world, acts, assign, submit):
    (entry,) = _entries(assign, submit, acts.phq9, world.client_a, [phq9_answers()])
    resource = api(world.therapist_a).get(f"/api/v1/responses/{entry.pk}/fhir/").json()
    reply = api(world.therapist_b).post(
        f"/api/v1/clients/{world.client_a.pk}/fhir/import/", resource, format="json"
    )
    assert reply.status_code == 404


def _import(user, client, resource, **params):
    query = "".join(f"?{k}={v}" for k, v in params.items())
    return api(user).post(
        f"/api/v1/clients/{client.pk}/fhir/import/{query}",
        json.dumps(resource),
        content_type=FHIR,
    )


def test_round_trip_between_practices_keeps_the_scores(world, acts, assign, submit):
    sent = [phq9_answers(others="0"), phq9_answers(others="2"), phq9_answers(item9="2", others="3")]
    _entries(assign, submit, acts.phq9, world.client_a, sent)
    bundle = api(world.therapist_a).get(f"/api/v1/clients/{world.client_a.pk}/fhir/").json()
    phq9_b = activity_version_for(world.practice_b, "phq-9")
    assignment_b = assign(phq9_b, client=world.client_b, schedule_kind="daily", repeat_days=3)

    reply = _import(world.therapist_b, world.client_b, bundle, assignment=assignment_b.pk)

    assert reply.status_code == 201, reply.content
    assert reply.json()["created"] == 3
    with scopes_disabled():
        scores_a = sorted(
            ResponseRevision.objects.filter(response__client=world.client_a).values_list(
                "score_total", flat=True
            )
        )
        revisions_b = ResponseRevision.objects.filter(response__client=world.client_b)
        assert sorted(revisions_b.values_list("score_total", flat=True)) == scores_a == [0, 16, 26]
        assert {r.source for r in revisions_b} == {RevisionSource.FHIR_IMPORT}
        # Each entry keeps the time it was made, so it sits at its own date in progress.
        sent = lambda client: sorted(  # noqa: E731
            r.submitted_at.replace(microsecond=0) for r in Response.objects.filter(client=client)
        )
        assert sent(world.client_b) == sent(world.client_a)
        assert all(r.source_reference.startswith("QuestionnaireResponse/") for r in revisions_b)
        # The risk answer imported raised the flag in practice B, as a portal entry would.
        flag = Flag.objects.get(client=world.client_b, kind=FlagKind.CRITICAL_ITEM)
        assert flag.field_id == "q9"

        # ...and the same reliable-deterioration alerts as the entries raised in practice A.
        def kinds(client):
            return sorted(Flag.objects.filter(client=client).values_list("kind", flat=True))

        assert kinds(world.client_b) == kinds(world.client_a)
        assert flag.practice_id == world.practice_b.pk

    again = _import(world.therapist_b, world.client_b, bundle, assignment=assignment_b.pk)
    assert again.status_code == 200
    assert again.json()["created"] == 0
    with scopes_disabled():
        assert Response.objects.filter(client=world.client_b).count() == 3


def test_import_finds_the_assignment_by_its_questionnaire(world, acts, assign, submit):
    (entry,) = _entries(assign, submit, acts.phq9, world.client_a, [phq9_answers()])
    resource = api(world.therapist_a).get(f"/api/v1/responses/{entry.pk}/fhir/").json()
    resource["id"] = str(uuid.uuid4())  # made elsewhere
    assign(acts.phq9)

    reply = _import(world.therapist_a, world.client_a, resource)

    assert reply.status_code == 201, reply.content
    with scopes_disabled():
        assert Response.objects.filter(client=world.client_a).count() == 2


def _qr(items, **extra):
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items} | extra


@pytest.mark.parametrize(
    ("items", "key"),
    [
        ([{"linkId": "q10", "answer": [{"valueInteger": 1}]}], "answers.q10"),
        ([{"linkId": "q1", "answer": [{"valueCoding": {"code": "9"}}]}], "answers.q1"),
        ([{"linkId": "q1", "answer": [{"valueDate": "2025-01-01"}]}], "answers.q1"),
    ],
)
def test_bad_answers_are_400_with_the_field_named_and_nothing_saved(
    world, acts, assign, items, key
):
    assignment = assign(acts.phq9)

    reply = _import(world.therapist_a, world.client_a, _qr(items), assignment=assignment.pk)

    assert reply.status_code == 400
    assert key in reply.json()
    with scopes_disabled():
        assert not Response.objects.filter(client=world.client_a).exists()


def test_a_bundle_is_all_or_nothing(world, acts, assign):
    assignment = assign(acts.phq9, schedule_kind="daily", repeat_days=2)
    good = _qr(
        [{"linkId": f"q{n}", "answer": [{"valueCoding": {"code": "1"}}]} for n in range(1, 10)]
    )
    bad = _qr([{"linkId": "q1", "answer": [{"valueString": "often"}]}], id="two")
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": good | {"id": "one"}}, {"resource": bad}],
    }

    reply = _import(world.therapist_a, world.client_a, bundle, assignment=assignment.pk)

    assert reply.status_code == 400
    assert "entry[1].answers.q1" in reply.json()
    with scopes_disabled():
        assert not Response.objects.filter(client=world.client_a).exists()


@pytest.mark.parametrize(
    ("resource", "key"),
    [
        ({"resourceType": "Patient"}, "resourceType"),
        ({"resourceType": "QuestionnaireResponse", "status": "in-progress"}, "status"),
        (
            {"resourceType": "QuestionnaireResponse", "status": "completed", "authored": "x"},
            "authored",
        ),
        ({"resourceType": "QuestionnaireResponse", "status": "completed"}, "questionnaire"),
        (
            {
                "resourceType": "QuestionnaireResponse",
                "status": "completed",
                "authored": "2999-01-01T10:00:00+00:00",
            },
            "authored",
        ),
        (
            {"resourceType": "QuestionnaireResponse", "status": "completed", "authored": "2024"},
            "authored",
        ),
        ({"resourceType": "Bundle", "type": "collection", "entry": []}, "entry"),
        ([1, 2], "resourceType"),
    ],
)
def test_what_is_not_an_importable_response_is_400(world, acts, resource, key):
    reply = _import(world.therapist_a, world.client_a, resource)
    assert reply.status_code == 400
    assert any(k.startswith(key) for k in reply.json()), reply.json()


def test_import_into_an_assignment_of_another_client_is_refused(world, acts, assign):
    other = assign(acts.thought_record_b, client=world.client_b)
    items = [{"linkId": "situation", "answer": [{"valueString": "x"}]}]
    reply = _import(world.therapist_a, world.client_a, _qr(items), assignment=other.pk)
    assert reply.status_code == 400
    assert "assignment" in reply.json()


def test_the_schema_documents_the_fhir_endpoints(world):
    body = api(world.therapist_a).get("/api/schema/?format=json").json()
    paths = body["paths"]
    bundle = paths["/api/v1/clients/{client_id}/fhir/"]["get"]
    assert FHIR in bundle["responses"]["200"]["content"]
    assert "/api/v1/clients/{client_id}/fhir/observations/" in paths
    assert "/api/v1/responses/{response_id}/fhir/" in paths
    import_op = paths["/api/v1/clients/{client_id}/fhir/import/"]["post"]
    assert FHIR in import_op["requestBody"]["content"]


def test_an_imported_entry_says_so_to_staff(world, acts, assign, web):
    assignment = assign(acts.phq9)
    items = [{"linkId": f"q{n}", "answer": [{"valueCoding": {"code": "1"}}]} for n in range(1, 10)]
    reply = _import(
        world.therapist_a, world.client_a, _qr(items, id="elsewhere-1"), assignment=assignment.pk
    )
    assert reply.status_code == 201, reply.content
    (entry_id,) = reply.json()["imported"]

    entry = api(world.therapist_a).get(f"/api/v1/responses/{entry_id}/").json()
    assert entry["revisions"][0]["source"] == "fhir_import"
    assert entry["score"]["total"] == 9
    page = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/")
    assert b"imported (FHIR)" in page.content


def test_a_global_measure_is_the_same_questionnaire_in_every_practice(world, assign):
    """Practices that use the global PHQ-9 as it is share its Questionnaire's canonical, so an
    entry exported from one is imported into the other's assignment without naming it."""
    from library.models import CuratedActivity
    from library.seeding import sync_global_library
    from library.services import activity_adopt
    from tests.assignments.fixtures import membership_of

    if not CuratedActivity.objects.filter(slug="phq-9").exists():
        sync_global_library()
    curated = CuratedActivity.objects.get(slug="phq-9")
    versions = {}
    for practice, owner in ((world.practice_a, world.owner_a), (world.practice_b, world.owner_b)):
        with practice_scope(practice):
            adopted = activity_adopt(
                practice=practice, actor=membership_of(practice, owner), curated=curated
            )
            versions[practice.pk] = adopted.current_version
    assignment_a = assign(versions[world.practice_a.pk])
    with scopes_disabled():
        _send(assignment_a.occurrences.get(), phq9_answers(item9="1", others="2"))
        entry = Response.objects.get(client=world.client_a)
    resource = api(world.therapist_a).get(f"/api/v1/responses/{entry.pk}/fhir/").json()
    assert f"/library/global/{curated.pk}/fhir/|" in resource["questionnaire"]
    assign(versions[world.practice_b.pk], client=world.client_b)

    reply = _import(world.therapist_b, world.client_b, resource)

    assert reply.status_code == 201, reply.content
    with scopes_disabled():
        imported = Response.objects.select_related("current_revision").get(client=world.client_b)
        assert imported.current_revision.score_total == entry.current_revision.score_total == 17
        assert Flag.objects.filter(client=world.client_b, field_id="q9").exists()
