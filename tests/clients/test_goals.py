"""Goal attainment scaling: scaling a goal, rating it at reviews, the chart, the T-score."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from clients import gas, services
from clients.models import Goal, GoalRating
from core.tenancy import practice_scope
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db

LEVELS = {
    "level_minus_2": "Stays in the flat every day",
    "level_minus_1": "Goes out once a week with someone",
    "level_0": "Goes to the shop alone twice a week",
    "level_plus_1": "Goes to the shop and the café alone",
    "level_plus_2": "Takes the bus into town alone",
}


def _goal(world, title="Go out more", baseline=-1):
    with practice_scope(world.practice_a):
        return services.goal_create(
            client=world.client_a,
            actor=world.therapist_a,
            title=title,
            baseline_level=baseline,
            **LEVELS,
        )


def _rate(world, goal, level, on):
    with practice_scope(world.practice_a):
        return services.goal_rate(goal=goal, actor=world.therapist_a, level=level, rated_on=on)


def _today(world):
    return timezone.localdate(timezone=world.client_a.tz)


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


# The T-score (Kiresuk & Sherman 1968, rho = 0.3)


def test_t_score_is_50_when_every_goal_is_at_its_expected_outcome():
    assert gas.t_score([0, 0, 0]) == 50.0


def test_t_score_matches_the_published_formula():
    # Three unweighted goals at +1, 0, -1 sum to 0; at +1, +1, 0: 50 + 10*2/sqrt(0.7*3 + 0.3*9).
    assert gas.t_score([1, -1, 0]) == 50.0
    assert gas.t_score([1, 1, 0]) == round(50 + 20 / (0.7 * 3 + 0.3 * 9) ** 0.5, 1) == 59.1
    assert gas.t_score([-2, -2]) == round(50 - 40 / (0.7 * 2 + 0.3 * 4) ** 0.5, 1) == 25.2
    assert gas.t_score([2], weights=[3]) == round(50 + 60 / (0.7 * 9 + 0.3 * 9) ** 0.5, 1)
    assert gas.t_score([]) is None


# Scaling and rating


def test_goal_is_scaled_and_rated_and_its_level_is_the_latest_rating(world):
    goal = _goal(world)
    with practice_scope(world.practice_a):
        assert gas.current_level(goal) == -1  # the baseline before any rating
    _rate(world, goal, 0, _today(world))
    with practice_scope(world.practice_a):
        goal = Goal.objects.prefetch_related("ratings").get(pk=goal.pk)
        assert gas.current_level(goal) == 0
        assert goal.description(0) == LEVELS["level_0"]


def test_goal_create_names_every_missing_field_and_saves_nothing(world):
    with practice_scope(world.practice_a), pytest.raises(ValidationError) as exc:
        services.goal_create(
            client=world.client_a,
            actor=world.therapist_a,
            title=" ",
            baseline_level=0,
            level_minus_2="x",
        )
    assert {"title", "baseline_level", "level_0", "level_plus_2"} <= set(exc.value.message_dict)
    with scopes_disabled():
        assert not Goal.objects.exists()


@time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False)
def test_rating_cannot_be_in_the_future_or_before_the_goal(world):
    goal = _goal(world)
    for day, field in ((dt.date(2026, 3, 11), "rated_on"), (dt.date(2026, 3, 9), "rated_on")):
        with practice_scope(world.practice_a), pytest.raises(ValidationError) as exc:
            services.goal_rate(goal=goal, actor=world.therapist_a, level=1, rated_on=day)
        assert field in exc.value.message_dict
    with practice_scope(world.practice_a), pytest.raises(ValidationError) as exc:
        services.goal_rate(
            goal=goal, actor=world.therapist_a, level=3, rated_on=dt.date(2026, 3, 10)
        )
    assert "level" in exc.value.message_dict
    with scopes_disabled():
        assert not GoalRating.objects.exists()


def test_chart_is_a_step_from_the_baseline_through_each_rating(world):
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        goal = _goal(world, baseline=-2)
    with time_machine.travel(dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC), tick=False):
        _rate(world, goal, 0, dt.date(2026, 3, 15))
        _rate(world, goal, 1, dt.date(2026, 3, 31))
    with scopes_disabled():
        goal = Goal.objects.prefetch_related("ratings").get(pk=goal.pk)
        chart = gas.chart_points(goal)
    assert [d["level"] for d in chart["dots"]] == [-2, 0, 1]
    # Horizontal then vertical moves only: a level holds until the next review.
    assert chart["path"].startswith("M 10.0 135.0 H ")
    assert " V 75.0 " in chart["path"] and chart["path"].endswith("V 45.0 H 310.0")


# Pages


def test_goals_pages_create_rate_and_show_the_chart_and_t_score(world, web):
    browser = web(world.therapist_a)
    base = f"/clients/{world.client_a.pk}/goals/"
    response = browser.post(base + "new/", {"title": "Go out more", "baseline_level": -1, **LEVELS})
    assert response.status_code == 302
    with scopes_disabled():
        goal = Goal.objects.get()
    today = _today(world).isoformat()
    response = browser.post(f"{base}{goal.pk}/", {"level": 1, "rated_on": today, "note": "Café!"})
    assert response.status_code == 302
    _goal(world, title="Sleep")
    page = browser.get(base).content.decode()
    assert "Go out more" in page and "Sleep" in page
    assert LEVELS["level_plus_2"] in page  # the level descriptions are the chart's axis
    # One goal at +1 and one at its baseline -1: T = 50 + 10*0/... = 50.
    assert "GAS T-score <strong>50.0</strong>" in page
    detail = browser.get(f"{base}{goal.pk}/").content.decode()
    assert "Café!" in detail


def test_bad_goal_form_shows_errors_next_to_fields_and_saves_nothing(world, web):
    browser = web(world.therapist_a)
    response = browser.post(f"/clients/{world.client_a.pk}/goals/new/", {"title": ""})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"title", "level_0"}
    goal = _goal(world)
    response = browser.post(
        f"/clients/{world.client_a.pk}/goals/{goal.pk}/", {"level": 1, "rated_on": "2999-01-01"}
    )
    assert response.status_code == 400
    assert "rated_on" in response.context["form"].errors
    with scopes_disabled():
        assert not GoalRating.objects.exists()


def test_outsiders_and_other_clients_goals_are_404(world, web):
    goal = _goal(world)
    assert web(world.therapist_b).get(f"/clients/{world.client_a.pk}/goals/").status_code == 404
    assert web(world.colleague_a).get(f"/clients/{world.client_a.pk}/goals/").status_code == 404
    # A goal reached through another client's tree is 404 too.
    url = f"/clients/{world.client_b.pk}/goals/{goal.pk}/"
    assert web(world.therapist_b).get(url).status_code == 404
    assert api(world.therapist_b).get(f"/api/v1/goals/{goal.pk}/").status_code == 404
    assert (
        api(world.therapist_b)
        .post(f"/api/v1/goals/{goal.pk}/ratings/", {"level": 1, "rated_on": "2026-01-01"})
        .status_code
        == 404
    )


@pytest.mark.parametrize("count", [1, 6])
def test_goals_list_takes_a_constant_number_of_queries(
    world, web, count, django_assert_max_num_queries
):
    for i in range(count):
        goal = _goal(world, title=f"Goal {i}")
        _rate(world, goal, 0, _today(world))
    browser = web(world.therapist_a)
    browser.get(f"/clients/{world.client_a.pk}/goals/")  # warm the session and caches
    with django_assert_max_num_queries(14):
        assert browser.get(f"/clients/{world.client_a.pk}/goals/").status_code == 200
    with django_assert_max_num_queries(14):
        assert (
            api(world.therapist_a).get(f"/api/v1/clients/{world.client_a.pk}/goals/").status_code
            == 200
        )


# API


def test_api_creates_rates_and_lists_goals_with_the_t_score(world):
    client = api(world.therapist_a)
    url = f"/api/v1/clients/{world.client_a.pk}/goals/"
    response = client.post(url, {"title": "Go out more", **LEVELS}, format="json")
    assert response.status_code == 201, response.json()
    goal_id = response.json()["id"]
    assert response.json()["current_level"] == -1
    response = client.post(
        f"/api/v1/goals/{goal_id}/ratings/",
        {"level": 2, "rated_on": _today(world).isoformat(), "note": "Bus!"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["current_level"] == 2
    client.post(url, {"title": "Sleep", **LEVELS, "baseline_level": -2}, format="json")
    body = client.get(url).json()
    assert [g["title"] for g in body["goals"]] == ["Go out more", "Sleep"]
    assert body["t_score"] == gas.t_score([2, -2]) == 50.0


def test_api_bad_input_is_400_with_field_errors_and_saves_nothing(world):
    client = api(world.therapist_a)
    url = f"/api/v1/clients/{world.client_a.pk}/goals/"
    response = client.post(url, {"title": "", "baseline_level": 1}, format="json")
    assert response.status_code == 400
    assert {"title", "baseline_level", "level_0"} <= set(response.json())
    goal = _goal(world)
    response = client.post(
        f"/api/v1/goals/{goal.pk}/ratings/", {"level": 0, "rated_on": "2999-01-01"}, format="json"
    )
    assert response.status_code == 400 and "rated_on" in response.json()
    with scopes_disabled():
        assert Goal.objects.count() == 1 and not GoalRating.objects.exists()


# Portal


def test_client_sees_their_own_goals_read_only_in_the_portal(world, portal):
    goal = _goal(world)
    _rate(world, goal, 1, _today(world))
    page = portal(world.client_a).get("/portal/goals/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Go out more" in text and LEVELS["level_plus_1"] in text
    assert "Rate at this review" not in text and 'name="level"' not in text
    # Practice B's client sees none of practice A's goals.
    assert "Go out more" not in portal(world.client_b).get("/portal/goals/").content.decode()
    assert portal(world.client_a).post("/portal/goals/").status_code == 405


def test_progress_page_charts_each_goal_with_its_levels_and_the_t_score(world, web):
    first = _goal(world, title="Go out more")
    _goal(world, title="Sleep", baseline=-2)
    _rate(world, first, 2, _today(world))
    page = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/progress/").content.decode()
    assert 'id="goals-title"' in page and "Go out more" in page and "Sleep" in page
    assert LEVELS["level_minus_2"] in page and "gas-chart__line" in page
    # +2 and -2: the T-score is 50.
    assert "GAS T-score <strong>50.0</strong>" in page
