"""Measurement-based care scheduling: a measure once, every week, every two weeks or before
each session, made through the ordinary assigning service, in the client's time zone across
daylight-saving changes; and the upcoming sessions it is scheduled around."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from assignments.models import Assignment, Occurrence, OccurrenceStatus, PlannedSession
from assignments.selectors import todo_for
from assignments.services import assigning, sessions
from core.tenancy import practice_scope
from library.models import CuratedActivity
from tests.assignments.fixtures import membership_of
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def curated(slug):
    with scopes_disabled():
        return CuratedActivity.objects.get(slug=slug)


def schedule_url(client):
    return f"/clients/{client.pk}/progress/schedule/"


def sessions_url(client):
    return f"/clients/{client.pk}/progress/sessions/"


def form(measure: str, cadence: str, **extra) -> dict:
    today = timezone.localdate(timezone.now(), LONDON)
    return {
        "measure": measure,
        "cadence": cadence,
        "starts_on": today.isoformat(),
        "due_time": "21:00",
        "weeks": "8",
    } | extra


def occurrences_of(assignment):
    with scopes_disabled():
        return list(Occurrence.objects.filter(assignment=assignment).order_by("due_at"))


def only_assignment(client):
    with scopes_disabled():
        return Assignment.objects.select_related("activity_version").get(client=client)


# --- The service, across daylight-saving changes --------------------------------------------


def test_weekly_measure_stays_at_the_same_local_time_across_the_october_change(world, assign):
    gad7 = activity_version_for(world.practice_a, "gad-7")
    with time_machine.travel(datetime(2025, 10, 13, 8, 0, tzinfo=UTC), tick=False):
        assignment = assign(
            gad7,
            schedule_kind="every_n_weeks",
            interval_weeks=1,
            weeks=4,
            due_time=time(19, 0),
        )
    rows = occurrences_of(assignment)
    assert [o.local_date.isoformat() for o in rows] == [
        "2025-10-13",
        "2025-10-20",
        "2025-10-27",  # the day after clocks went back
        "2025-11-03",
    ]
    assert [o.due_at.astimezone(UTC).hour for o in rows] == [18, 18, 19, 19]
    assert {o.due_at.astimezone(LONDON).time() for o in rows} == {time(19, 0)}
    with scopes_disabled():
        assert only_assignment(world.client_a).interval_weeks == 1


def test_every_two_weeks_across_the_march_change(world, assign):
    gad7 = activity_version_for(world.practice_a, "gad-7")
    with time_machine.travel(datetime(2025, 3, 17, 8, 0, tzinfo=UTC), tick=False):
        assignment = assign(
            gad7, schedule_kind="every_n_weeks", interval_weeks=2, weeks=6, due_time=time(9, 30)
        )
    rows = occurrences_of(assignment)
    assert [o.local_date.isoformat() for o in rows] == ["2025-03-17", "2025-03-31", "2025-04-14"]
    assert [o.due_at.astimezone(UTC).hour for o in rows] == [9, 8, 8]  # GMT, then BST
    assert {o.due_at.astimezone(LONDON).time() for o in rows} == {time(9, 30)}


def test_before_each_session_follows_sessions_added_and_removed_later(world, acts, assign):
    actor = membership_of(world.practice_a, world.therapist_a)
    with time_machine.travel(datetime(2025, 10, 20, 8, 0, tzinfo=UTC), tick=False):
        with practice_scope(world.practice_a):
            with pytest.raises(ValidationError) as error:
                assigning.assignment_create(
                    client=world.client_a,
                    actor=actor,
                    activity_version=acts.phq9,
                    schedule_kind="before_sessions",
                )
            assert "next session" in str(error.value)
            sessions.planned_session_add(
                client=world.client_a, actor=actor, session_on=date(2025, 10, 23)
            )
        assignment = assign(acts.phq9, schedule_kind="before_sessions", due_time=time(20, 0))
    assert [o.local_date for o in occurrences_of(assignment)] == [date(2025, 10, 22)]

    # A week later (after the clocks went back) the next session is entered: one more.
    with (
        time_machine.travel(datetime(2025, 10, 28, 8, 0, tzinfo=UTC), tick=False),
        practice_scope(world.practice_a),
    ):
        session = sessions.planned_session_add(
            client=world.client_a, actor=actor, session_on=date(2025, 11, 6)
        )
        with pytest.raises(ValidationError):  # the same day twice
            sessions.planned_session_add(
                client=world.client_a, actor=actor, session_on=date(2025, 11, 6)
            )
        with pytest.raises(ValidationError):  # not in the past
            sessions.planned_session_add(
                client=world.client_a, actor=actor, session_on=date(2025, 10, 27)
            )
    rows = occurrences_of(assignment)
    assert [o.local_date for o in rows] == [date(2025, 10, 22), date(2025, 11, 5)]
    assert rows[1].sequence == 2
    assert [o.due_at.astimezone(LONDON).time() for o in rows] == [time(20, 0)] * 2
    assert [o.due_at.astimezone(UTC).hour for o in rows] == [19, 20]  # BST, then GMT

    # The session is cancelled: the untouched occurrence before it goes too.
    with (
        time_machine.travel(datetime(2025, 10, 29, 8, 0, tzinfo=UTC), tick=False),
        practice_scope(world.practice_a),
    ):
        sessions.planned_session_remove(session=session, actor=actor)
    assert [o.local_date for o in occurrences_of(assignment)] == [date(2025, 10, 22)]
    with scopes_disabled():
        assert not PlannedSession.objects.filter(pk=session.pk).exists()


def test_a_session_does_not_add_to_cancelled_or_other_assignments(world, acts, assign):
    actor = membership_of(world.practice_a, world.therapist_a)
    with practice_scope(world.practice_a):
        sessions.planned_session_add(
            client=world.client_a,
            actor=actor,
            session_on=timezone.localdate(timezone.now(), LONDON) + timedelta(days=3),
        )
    before = assign(acts.phq9, schedule_kind="before_sessions")
    tomorrow = timezone.localdate(timezone.now(), LONDON) + timedelta(days=1)
    weekly = assign(acts.mood_log, schedule_kind="every_n_weeks", weeks=2, starts_on=tomorrow)
    with practice_scope(world.practice_a):
        assigning.assignment_cancel(assignment=before, actor=actor)
        sessions.planned_session_add(
            client=world.client_a,
            actor=actor,
            session_on=timezone.localdate(timezone.now(), LONDON) + timedelta(days=10),
        )
    assert len(occurrences_of(weekly)) == 2
    statuses = [o.status for o in occurrences_of(before)]
    assert statuses == [OccurrenceStatus.CANCELLED]


# --- The form on the progress page ------------------------------------------------------------


def test_scheduling_a_weekly_gad7_from_the_progress_page_reaches_the_portal_todo(
    world, web, portal
):
    gad7 = curated("gad-7")
    browser = web(world.therapist_a)
    page = browser.get(f"/clients/{world.client_a.pk}/progress/").content.decode()
    assert f"curated:{gad7.pk}" in page  # offered from the global library
    response = browser.post(schedule_url(world.client_a), form(f"curated:{gad7.pk}", "weekly"))
    assert response.status_code == 302
    assignment = only_assignment(world.client_a)
    assert (assignment.schedule_kind, assignment.interval_weeks, assignment.weeks) == (
        "every_n_weeks",
        1,
        8,
    )
    assert assignment.rationale  # the measure's own rationale
    assert len(occurrences_of(assignment)) in (7, 8)  # today's may already have passed
    with practice_scope(world.practice_a):
        todo = todo_for(world.client_a)
    assert {o.assignment_id for o in [*todo.today, *todo.upcoming]} == {assignment.pk}
    home = portal(world.client_a).get("/portal/").content.decode()
    assert assignment.activity_version.title in home
    # And the progress page lists it as scheduled.
    page = browser.get(f"/clients/{world.client_a.pk}/progress/").content.decode()
    assert "Every week for 8 weeks" in page


def test_a_practice_measure_every_two_weeks(world, web):
    phq9 = activity_version_for(world.practice_a, "phq-9")
    response = web(world.therapist_a).post(
        schedule_url(world.client_a),
        form(f"activity:{phq9.activity_id}", "every_2_weeks", weeks="6"),
    )
    assert response.status_code == 302
    assignment = only_assignment(world.client_a)
    assert assignment.activity_version_id == phq9.pk
    assert assignment.interval_weeks == 2
    dates = [o.local_date for o in occurrences_of(assignment)]
    assert all((b - a).days == 14 for a, b in itertools.pairwise(dates))


def test_before_each_session_without_a_session_explains_what_to_do(world, web):
    gad7 = curated("gad-7")
    response = web(world.therapist_a).post(
        schedule_url(world.client_a), form(f"curated:{gad7.pk}", "before_sessions")
    )
    assert response.status_code == 400
    assert "Add the date of the next session first" in response.content.decode()
    with scopes_disabled():
        assert not Assignment.objects.filter(client=world.client_a).exists()


def test_before_each_session_with_sessions_entered_on_the_page(world, web):
    gad7 = curated("gad-7")
    browser = web(world.therapist_a)
    today = timezone.localdate(timezone.now(), LONDON)
    for days in (5, 12):
        session_on = (today + timedelta(days=days)).isoformat()
        assert (
            browser.post(sessions_url(world.client_a), {"session_on": session_on}).status_code
            == 302
        )
    page = browser.get(f"/clients/{world.client_a.pk}/progress/").content.decode()
    assert (today + timedelta(days=5)).strftime("%-d %B") in page
    response = browser.post(
        schedule_url(world.client_a), form(f"curated:{gad7.pk}", "before_sessions")
    )
    assert response.status_code == 302
    assignment = only_assignment(world.client_a)
    assert [o.local_date for o in occurrences_of(assignment)] == [
        today + timedelta(days=4),
        today + timedelta(days=11),
    ]
    with scopes_disabled():
        first = PlannedSession.objects.filter(client=world.client_a).order_by("session_on")[0]
    assert browser.post(sessions_url(world.client_a), {"remove": first.pk}).status_code == 302
    assert [o.local_date for o in occurrences_of(assignment)] == [today + timedelta(days=11)]


def test_bad_input_is_shown_next_to_the_field(world, web):
    browser = web(world.therapist_a)
    gad7 = curated("gad-7")
    missing_weeks = browser.post(
        schedule_url(world.client_a), form(f"curated:{gad7.pk}", "weekly", weeks="")
    )
    assert missing_weeks.status_code == 400
    assert "Say for how many weeks." in missing_weeks.content.decode()
    unknown = browser.post(schedule_url(world.client_a), form("activity:not-a-measure", "once"))
    assert unknown.status_code == 400
    past = browser.post(sessions_url(world.client_a), {"session_on": "2020-01-01"})
    assert past.status_code == 400
    assert "Choose a date after today." in past.content.decode()
    assert browser.post(sessions_url(world.client_a), {"remove": "nonsense"}).status_code == 404


def test_another_practices_measure_cannot_be_scheduled(world, web):
    phq9_b = activity_version_for(world.practice_b, "phq-9")
    response = web(world.therapist_a).post(
        schedule_url(world.client_a), form(f"activity:{phq9_b.activity_id}", "once")
    )
    assert response.status_code == 400  # not one of the choices
    with scopes_disabled():
        assert not Assignment.objects.filter(client=world.client_a).exists()


def test_another_practices_session_cannot_be_removed(world, web):
    actor_b = membership_of(world.practice_b, world.therapist_b)
    with practice_scope(world.practice_b):
        session_b = sessions.planned_session_add(
            client=world.client_b,
            actor=actor_b,
            session_on=timezone.localdate(timezone.now(), LONDON) + timedelta(days=3),
        )
    response = web(world.therapist_a).post(sessions_url(world.client_a), {"remove": session_b.pk})
    assert response.status_code == 404
    with scopes_disabled():
        assert PlannedSession.objects.filter(pk=session_b.pk).exists()


def test_the_assign_page_offers_the_new_kinds(world, acts, web):
    from tests.assignments.test_views import _plan

    browser = web(world.therapist_a)
    url = f"/assignments/new/?client={world.client_a.pk}&activity={acts.phq9.activity_id}"
    page = browser.get(url).content.decode()
    assert 'value="every_n_weeks"' in page and 'value="before_sessions"' in page
    today = timezone.localdate(timezone.now(), LONDON).isoformat()
    data = _plan("a0", schedule_kind="every_n_weeks", starts_on=today, due_time="23:59")
    data |= {"a0-interval_weeks": "2", "a0-weeks": "4"}
    assert browser.post(url, data).status_code == 302
    assignment = only_assignment(world.client_a)
    assert (assignment.schedule_kind, assignment.interval_weeks, assignment.weeks) == (
        "every_n_weeks",
        2,
        4,
    )


def test_changing_weekly_to_every_two_weeks_reschedules_what_is_still_to_come(world, assign):
    gad7 = activity_version_for(world.practice_a, "gad-7")
    actor = membership_of(world.practice_a, world.therapist_a)
    with time_machine.travel(datetime(2025, 10, 13, 8, 0, tzinfo=UTC), tick=False):
        assignment = assign(gad7, schedule_kind="every_n_weeks", interval_weeks=1, weeks=4)
        with practice_scope(world.practice_a):
            assigning.assignment_update(assignment=assignment, actor=actor, interval_weeks=2)
    assert [o.local_date.isoformat() for o in occurrences_of(assignment)] == [
        "2025-10-13",
        "2025-10-27",
    ]
    with scopes_disabled():
        assert Assignment.objects.get(pk=assignment.pk).schedule.describe() == (
            "Every 2 weeks for 4 weeks, by 21:00"
        )
