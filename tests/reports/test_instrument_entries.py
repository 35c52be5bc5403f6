"""Where a measure's answers show — the therapist's assignment page and session review, the
client's entry page, the response PDF — a DASS-21 shows its three subscale scores and a PHQ-9
shows the functional-difficulty answer, which its total does not count."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from core.tenancy import PORTAL_SESSION_KEY
from tests.factories import activity_version_for
from tests.reports.conftest import pdf_from, pdf_text, phq9_answers

pytestmark = pytest.mark.django_db

# Depression items at 2 (×2 = 28, extremely severe), anxiety at 1 (14, moderate), stress at 0.
DEPRESSION = (3, 5, 10, 13, 16, 17, 21)
ANXIETY = (2, 4, 7, 9, 15, 19, 20)


def dass_answers() -> dict:
    return {f"q{n}": "2" if n in DEPRESSION else "1" if n in ANXIETY else "0" for n in range(1, 22)}


@pytest.fixture
def dass_response(world, assign, submit):
    return submit(assign(activity_version_for(world.practice_a, "dass-21")), dass_answers())


def test_the_stored_score_has_the_subscales(dass_response):
    score = dass_response.current_revision.score
    assert score["total"] == 14 + 7
    assert [(s["id"], s["total"], s["band"]["label"]) for s in score["subscales"]] == [
        ("depression", 28, "Extremely severe"),
        ("anxiety", 14, "Moderate"),
        ("stress", 0, "Normal"),
    ]


def test_the_therapist_sees_the_subscales_with_the_answers(world, web, dass_response):
    page = web(world.therapist_a).get(
        reverse("assignments:detail", args=[dass_response.occurrence.assignment_id])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'aria-label="Subscale scores"' in html
    for label, total, band in (
        ("Depression", 28, "Extremely severe"),
        ("Anxiety", 14, "Moderate"),
        ("Stress", 0, "Normal"),
    ):
        label_html = f'<span class="subscales__label">{label}</span>'
        assert f'{label_html} <strong class="subscales__total">{total}</strong>' in html
        assert band in html


def test_the_client_sees_the_subscales_after_sending(world, portal, dass_response):
    page = portal(world.client_a).get(reverse("portal:entry", args=[dass_response.pk]) + "?sent=1")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Your score" in html
    assert '<span class="subscales__label">Depression</span>' in html
    assert "Extremely severe" in html


def test_the_pdf_shows_the_subscales(world, web, dass_response, django_capture_on_commit_callbacks):
    url = reverse("reports:response", args=[dass_response.pk])
    text = pdf_text(pdf_from(web(world.therapist_a), url, django_capture_on_commit_callbacks))
    assert "Total score 21 of 63" in text
    assert "Depression 28 Extremely severe" in text
    assert "Anxiety 14 Moderate" in text
    assert "Stress 0 Normal" in text


def test_the_difficulty_answer_shows_but_is_not_counted(
    world, web, assign, submit, django_capture_on_commit_callbacks
):
    phq9 = activity_version_for(world.practice_a, "phq-9")
    response = submit(assign(phq9), {**phq9_answers(1), "difficulty": "very"})
    assert response.current_revision.score_total == 9
    assert "difficulty" not in response.current_revision.score["items"]
    browser = web(world.therapist_a)
    html = browser.get(
        reverse("assignments:detail", args=[response.occurrence.assignment_id])
    ).content.decode()
    assert "how difficult have these problems made it for you" in html
    assert "Very difficult" in html
    url = reverse("reports:response", args=[response.pk])
    text = pdf_text(pdf_from(browser, url, django_capture_on_commit_callbacks))
    assert "Total score 9 of 27 · Mild" in text
    assert "how difficult have these problems made it for you to do your work" in text
    assert "Very difficult" in text


def test_an_entry_sent_on_the_earlier_phq9_version_still_shows_and_scores(
    world, web, assign, submit
):
    """A version pinned before the difficulty question keeps its own questions."""
    phq9 = activity_version_for(world.practice_a, "phq-9")
    earlier = phq9.definition
    earlier["sections"][0]["fields"] = [
        f for f in earlier["sections"][0]["fields"] if f["id"] != "difficulty"
    ]
    old = activity_version_for(world.practice_a, "phq-9", definition=earlier)
    response = submit(assign(old), phq9_answers(2))
    assert response.current_revision.score_total == 18
    html = (
        web(world.therapist_a)
        .get(reverse("assignments:detail", args=[response.occurrence.assignment_id]))
        .content.decode()
    )
    assert "how difficult have these problems" not in html


def _api(user=None, client_record=None) -> APIClient:
    browser = APIClient()
    if client_record is not None:
        # Clients reach their API with a portal session.
        with scopes_disabled():
            user = client_record.user
        browser.force_login(user)
        session = browser.session
        session[PORTAL_SESSION_KEY] = str(client_record.pk)
        session.save()
    else:
        browser.force_authenticate(user)
    return browser


def test_the_apis_give_the_subscales(world, dass_response):
    api = _api
    staff = api(world.therapist_a).get(f"/api/v1/responses/{dass_response.pk}/")
    assert staff.status_code == 200
    assert [(s["id"], s["total"]) for s in staff.json()["score"]["subscales"]] == [
        ("depression", 28),
        ("anxiety", 14),
        ("stress", 0),
    ]
    mine = api(client_record=world.client_a).get(f"/api/v1/portal/responses/{dass_response.pk}/")
    assert mine.status_code == 200
    assert mine.json()["score"] == {
        "total": 21,
        "band": "",
        "subscales": [
            {"id": "depression", "label": "Depression", "total": 28, "band": "Extremely severe"},
            {"id": "anxiety", "label": "Anxiety", "total": 14, "band": "Moderate"},
            {"id": "stress", "label": "Stress", "total": 0, "band": "Normal"},
        ],
    }


def test_the_subscales_are_in_the_openapi_schema(world):
    schema = _api(world.therapist_a).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    score = schema["components"]["schemas"]["PortalScore"]
    assert "subscales" in score["properties"]
    assert "subscales" not in score.get("required", [])
