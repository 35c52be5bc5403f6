"""Risk flags on every save: an autosaved draft, a sent entry and an edit raise a flag for an
answer that meets a risk rule; one open flag per item per entry, never duplicated; a higher
level is recorded and alerts again. Through the services and through the REST API."""

import uuid

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from assignments.models import Flag
from assignments.services import completing
from assignments.signals import flag_raised
from core.tenancy import practice_scope
from tests.assignments.fixtures import phq9_answers
from tests.assignments.test_api import api
from tests.factories import activity_version_for
from worksheets import clean_response, load_measure, score_response

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"

DIARY = {
    "date": "2025-06-02",
    "sadness": 2,
    "fear": 1,
    "anger": 0,
    "shame": 1,
    "joy": 2,
    "suicidal_thoughts": 0,
    "urge_self_harm": 1,
    "acted_self_harm": "no",
    "urge_use": 0,
    "used": "no",
    "skills_use": "5",
}


def _only(assignment):
    with scopes_disabled():
        return assignment.occurrences.get()


def _client(occurrence):
    with scopes_disabled():
        return occurrence.client


def _draft(occurrence, answers, response=None):
    with practice_scope(occurrence.practice_id):
        return completing.draft_save(
            occurrence=occurrence, client=_client(occurrence), answers=answers, response=response
        )


def _revise(response, answers):
    with practice_scope(response.practice_id):
        return completing.response_revise(
            response=response,
            client=_client(response.occurrence),
            answers=answers,
            submission_key=uuid.uuid4(),
        )


def _flags(**filters):
    with scopes_disabled():
        return list(Flag.objects.filter(**filters).order_by("field_id"))


@pytest.fixture
def alerts():
    """The flag ids ``flag_raised`` was sent for, in order."""
    sent = []

    def receiver(sender, flag_id, **kwargs):
        sent.append(flag_id)

    flag_raised.connect(receiver, dispatch_uid="test-risk-alerts")
    yield sent
    flag_raised.disconnect(dispatch_uid="test-risk-alerts")


@time_machine.travel(MONDAY, tick=False)
def test_a_draft_with_item_9_raises_a_flag_with_its_level(
    world, acts, assign, alerts, django_capture_on_commit_callbacks
):
    occurrence = _only(assign(acts.phq9))
    with django_capture_on_commit_callbacks(execute=True):
        _draft(occurrence, {"q9": "1"})
    [flag] = _flags(occurrence=occurrence)
    assert (flag.field_id, flag.level, flag.answer_value, flag.response_id) == (
        "q9",
        1,
        "Several days",
        None,
    )
    assert flag.rule == {
        "field": "q9",
        "op": "gte",
        "value": 1,
        "label": "Thoughts of self-harm (item 9)",
    }
    assert flag.message == "Thoughts of self-harm (item 9): answered “Several days” (level 1)."
    assert alerts == [flag.pk]


@time_machine.travel(MONDAY, tick=False)
def test_later_saves_reuse_the_open_flag_and_a_higher_level_alerts_again(
    world, acts, assign, submit, alerts, django_capture_on_commit_callbacks
):
    occurrence = _only(assign(acts.phq9))
    with django_capture_on_commit_callbacks(execute=True):
        _draft(occurrence, {"q9": "1"})
        _draft(occurrence, {"q9": "1", "q1": "2"})
        _draft(occurrence, {"q9": "0"})
    [flag] = _flags(occurrence=occurrence)
    assert flag.level == 1 and alerts == [flag.pk]

    with django_capture_on_commit_callbacks(execute=True):
        _draft(occurrence, {"q9": "3"})
    [flag] = _flags(occurrence=occurrence)
    assert flag.level == 3 and "Nearly every day" in flag.message
    assert alerts == [flag.pk, flag.pk]

    # Sending the entry attaches the draft's flag to it rather than raising another.
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(occurrence, phq9_answers(item9="2"))
    [flag] = _flags(occurrence=occurrence)
    assert flag.response_id == response.pk and flag.level == 3
    assert alerts == [flag.pk, flag.pk]

    # An edit with the same or a lower level changes nothing; a higher one is recorded.
    with django_capture_on_commit_callbacks(execute=True):
        _revise(response, phq9_answers(item9="1"))
    assert [f.level for f in _flags(occurrence=occurrence)] == [3]
    assert len(alerts) == 2


@time_machine.travel(MONDAY, tick=False)
def test_a_sent_entry_and_an_edit_raise_flags(world, acts, assign, submit):
    occurrence = _only(assign(acts.phq9))
    response = submit(occurrence, phq9_answers(item9="0"))
    assert _flags(occurrence=occurrence) == []
    _revise(response, phq9_answers(item9="2"))
    [flag] = _flags(occurrence=occurrence)
    assert (flag.response_id, flag.level) == (response.pk, 2)


@time_machine.travel(MONDAY, tick=False)
def test_an_acknowledged_answer_is_not_raised_again_but_a_higher_level_is(world, acts, assign):
    occurrence = _only(assign(acts.phq9))
    _draft(occurrence, {"q9": "1"})
    with scopes_disabled():
        Flag.objects.update(acknowledged_at="2025-06-02T09:00:00Z")
    _draft(occurrence, {"q9": "1", "q2": "1"})
    assert len(_flags(occurrence=occurrence)) == 1
    _draft(occurrence, {"q9": "2"})
    levels = [(f.level, f.is_open) for f in _flags(occurrence=occurrence)]
    assert sorted(levels) == [(1, False), (2, True)]


@time_machine.travel(MONDAY, tick=False)
def test_the_database_refuses_a_second_open_flag_on_an_item(world, acts, assign):
    occurrence = _only(assign(acts.phq9))
    _draft(occurrence, {"q9": "1"})
    [flag] = _flags(occurrence=occurrence)
    flag.pk = None
    flag._state.adding = True
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        flag.save()


@time_machine.travel(MONDAY, tick=False)
def test_the_dbt_diary_card_alerts_on_self_harm_strong_urges_and_suicidal_thoughts(
    world, assign, submit
):
    occurrence = _only(assign(activity_version_for(world.practice_a, "dbt-diary-card")))
    submit(occurrence, DIARY | {"urge_self_harm": 3})
    assert _flags(occurrence=occurrence) == []
    submit(occurrence, DIARY | {"urge_self_harm": 4, "acted_self_harm": "yes"})
    submit(occurrence, DIARY | {"suicidal_thoughts": 1})
    flags = _flags(occurrence=occurrence)
    assert sorted((f.field_id, f.level, f.answer_value) for f in flags) == [
        ("acted_self_harm", None, "Yes"),
        ("suicidal_thoughts", 1, "1 (0–5)"),
        ("urge_self_harm", 4, "4 (0–5)"),
    ]
    assert "Self-harm today (diary card): answered “Yes”." in [f.message for f in flags]


# --- REST ------------------------------------------------------------------------------------


def _open_flags(world):
    rows = api(world.therapist_a).get("/api/v1/analytics/dashboard/").json()["results"]
    return next(row["open_flags"] for row in rows if row["client_id"] == str(world.client_a.pk))


@time_machine.travel(MONDAY, tick=False)
def test_an_autosaved_draft_through_the_api_shows_on_the_dashboard_once(world, acts, assign):
    occurrence = _only(assign(acts.phq9))
    before = _open_flags(world)
    client = api(client_record=world.client_a)
    url = f"/api/v1/portal/occurrences/{occurrence.pk}/draft/"
    first = client.put(url, {"answers": {"q1": "1", "q9": "2"}}, format="json")
    assert first.status_code == 200, first.content
    assert _open_flags(world) == before + 1
    again = client.put(url, {"answers": {"q1": "2", "q9": "2"}}, format="json")
    assert again.status_code == 200
    assert _open_flags(world) == before + 1


def _answers_for_total(items: int, total: int) -> dict[str, str]:
    answers, remaining = {}, total
    for number in range(1, items + 1):
        score = min(3, remaining)
        answers[f"q{number}"] = str(score)
        remaining -= score
    return answers


@pytest.mark.parametrize(
    ("measure", "total", "band"),
    [
        ("phq9", 0, "Minimal"),
        ("phq9", 4, "Minimal"),
        ("phq9", 5, "Mild"),
        ("phq9", 9, "Mild"),
        ("phq9", 10, "Moderate"),
        ("phq9", 14, "Moderate"),
        ("phq9", 15, "Moderately severe"),
        ("phq9", 19, "Moderately severe"),
        ("phq9", 20, "Severe"),
        ("phq9", 27, "Severe"),
        ("gad7", 0, "Minimal"),
        ("gad7", 4, "Minimal"),
        ("gad7", 5, "Mild"),
        ("gad7", 9, "Mild"),
        ("gad7", 10, "Moderate"),
        ("gad7", 14, "Moderate"),
        ("gad7", 15, "Severe"),
        ("gad7", 21, "Severe"),
    ],
)
@time_machine.travel(MONDAY, tick=False)
def test_measure_totals_on_every_band_boundary_through_the_api(
    world, acts, assign, measure, total, band
):
    version = acts.phq9 if measure == "phq9" else activity_version_for(world.practice_a, "gad-7")
    occurrence = _only(assign(version))
    answers = _answers_for_total(9 if measure == "phq9" else 7, total)
    sent = api(client_record=world.client_a).post(
        f"/api/v1/portal/occurrences/{occurrence.pk}/responses/",
        {"answers": answers, "submission_key": str(uuid.uuid4())},
        format="json",
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["score"] == {"total": total, "band": band}
    result = score_response(load_measure(measure), clean_response(load_measure(measure), answers))
    assert (result.total, result.band.label) == (total, band)
    # Item 9 is answered (> 0) from a total of 25 up: only then does it raise a flag.
    assert bool(_flags(occurrence=occurrence)) is (measure == "phq9" and total >= 25)
