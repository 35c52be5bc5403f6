"""The homework conversation's pages, staff and portal, on a real database."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from assignments.models import AssignmentStatus
from conversations.models import ItemReview, MissedReason, PlanAgreement, SessionConversation
from tests.conversations.fixtures import NEXT_SESSION, week_of_homework
from tests.reports.conftest import pdf_from, pdf_text

pytestmark = pytest.mark.django_db


def _prefix(assignment) -> str:
    return f"i{assignment.pk.hex[:8]}"


def _item_data(assignment, update=False, **values) -> dict:
    prefix = _prefix(assignment)
    data = {"update": "1" if update else "0", f"{prefix}-decision": "keep"}
    data.update({f"{prefix}-{name}": value for name, value in values.items()})
    return data


def _start(browser, client):
    response = browser.post(reverse("conversations:start", args=[client.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        return SessionConversation.objects.get(client=client)


def _review_url(conversation, name="conversations:review"):
    return reverse(name, args=[conversation.client_id, conversation.pk])


def _item_url(conversation, assignment):
    return reverse(
        "conversations:item_save", args=[conversation.client_id, conversation.pk, assignment.pk]
    )


@time_machine.travel(NEXT_SESSION, tick=False)
def test_the_review_walks_each_item_with_the_clients_reason_prefilled(
    world, web, acts, assign, submit
):
    week = week_of_homework(world, acts, assign, submit)
    browser = web(world.therapist_a)
    conversation = _start(browser, world.client_a)
    page = browser.get(_review_url(conversation))
    assert page.status_code == 200
    body = page.content.decode()
    for assignment in (week.done, week.partly, week.missed):
        assert f'id="item-{assignment.pk}"' in body
    assert "It was too hard" in body
    form = {item["row"].assignment.pk: item["form"] for item in page.context["items"]}
    assert form[week.missed.pk].initial["reason"] == "too_hard"
    assert form[week.missed.pk].initial["outcome"] == "not_done"
    assert form[week.partly.pk].initial["outcome"] == "partly"


@time_machine.travel(NEXT_SESSION, tick=False)
def test_the_review_page_takes_the_same_queries_whatever_the_number_of_items(
    world, web, acts, assign, submit
):
    week_of_homework(world, acts, assign, submit)
    browser = web(world.therapist_a)
    conversation = _start(browser, world.client_a)
    url = _review_url(conversation)
    browser.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert browser.get(url).status_code == 200
    with time_machine.travel("2025-06-02 09:00:00+00:00", tick=False):
        for version in (acts.phq9, acts.thought_record, acts.mood_log):
            assign(version, starts_on=date(2025, 6, 5))
    with CaptureQueriesContext(connection) as more:
        page = browser.get(url)
    assert len(page.context["items"]) == 6
    assert len(more) == len(few)


@time_machine.travel(NEXT_SESSION, tick=False)
def test_saving_an_item_without_javascript_goes_on_to_the_next(world, web, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit)
    browser = web(world.therapist_a)
    conversation = _start(browser, world.client_a)
    response = browser.post(
        _item_url(conversation, week.done),
        _item_data(week.done, outcome="done", learned="Sunday evenings are the hardest."),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#after-{week.done.pk}")
    with scopes_disabled():
        item = ItemReview.objects.get()
    assert item.learned == "Sunday evenings are the hardest."


@time_machine.travel(NEXT_SESSION, tick=False)
def test_the_autosave_answers_json_and_a_double_submit_gets_a_clear_error(
    world, web, acts, assign, submit
):
    week = week_of_homework(world, acts, assign, submit)
    browser = web(world.therapist_a)
    conversation = _start(browser, world.client_a)
    url = _item_url(conversation, week.missed)
    data = _item_data(week.missed, outcome="not_done", reason="too_hard", quantity="0")
    saved = browser.post(url, data, HTTP_ACCEPT="application/json")
    assert saved.status_code == 200
    assert saved.json()["outcome"] == "Not done"
    again = browser.post(url, data, HTTP_ACCEPT="application/json")
    assert again.status_code == 400
    assert "already reviewed in this session" in again.json()["errors"]["__all__"][0]
    # The form says it is an update once saved: that changes the one review.
    updated = browser.post(
        url,
        _item_data(week.missed, update=True, outcome="not_done", obstacles="A long week"),
        HTTP_ACCEPT="application/json",
    )
    assert updated.status_code == 200
    with scopes_disabled():
        (item,) = ItemReview.objects.all()
    assert item.obstacles == "A long week"


@time_machine.travel(NEXT_SESSION, tick=False)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    world, web, acts, assign, submit
):
    week = week_of_homework(world, acts, assign, submit)
    browser = web(world.therapist_a)
    conversation = _start(browser, world.client_a)
    url = _item_url(conversation, week.done)
    page = browser.post(url, _item_data(week.done, outcome="done", reason="forgot"))
    assert page.status_code == 400
    assert "A reason is for homework that was not (fully) done." in page.content.decode()
    missing = browser.post(url, _item_data(week.done), HTTP_ACCEPT="application/json")
    assert missing.status_code == 400
    assert "outcome" in missing.json()["errors"]
    with scopes_disabled():
        assert not ItemReview.objects.exists()


@time_machine.travel(NEXT_SESSION, tick=False)
def test_change_opens_the_plan_and_stop_cancels(world, web, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit)
    browser = web(world.therapist_a)
    conversation = _start(browser, world.client_a)
    change = browser.post(
        _item_url(conversation, week.partly),
        _item_data(week.partly, outcome="partly", decision="change"),
    )
    assert change.status_code == 302
    assert change["Location"].startswith(reverse("assignments:edit", args=[week.partly.pk]))
    assert "next=" in change["Location"]
    browser.post(
        _item_url(conversation, week.missed),
        _item_data(week.missed, outcome="not_done", decision="stop"),
    )
    with scopes_disabled():
        week.missed.refresh_from_db()
    assert week.missed.status == AssignmentStatus.CANCELLED


@time_machine.travel(NEXT_SESSION, tick=False)
def test_finishing_leads_to_the_summary_the_client_reads_and_downloads(
    world, web, portal, acts, assign, submit, django_capture_on_commit_callbacks
):
    week = week_of_homework(world, acts, assign, submit)
    browser = web(world.therapist_a)
    conversation = _start(browser, world.client_a)
    browser.post(
        _item_url(conversation, week.done),
        _item_data(week.done, outcome="done", learned="Noticing the dip helps me plan."),
    )
    finish = browser.post(
        _review_url(conversation, "conversations:finish"),
        {
            "client_involved": "on",
            "praise_given": "on",
            "agreed_note": "Walk after lunch, 3 times.",
        },
    )
    assert finish.status_code == 302
    summary = browser.get(finish["Location"])
    assert summary.status_code == 200
    assign_url = summary.context["assign_url"]
    assert f"client={world.client_a.pk}" in assign_url and "next=" in assign_url

    client_browser = portal(world.client_a)
    home = client_browser.get(reverse("portal:home")).content.decode()
    assert "Your summary from the session on Monday 9 June" in home
    page = client_browser.get(reverse("conversations:portal_summary", args=[conversation.pk]))
    body = page.content.decode()
    assert "Noticing the dip helps me plan." in body and "Walk after lunch, 3 times." in body
    content = pdf_from(
        client_browser,
        reverse("reports:portal_conversation", args=[conversation.pk]),
        django_capture_on_commit_callbacks,
    )
    text = pdf_text(content)
    assert "YOUR SESSION SUMMARY" in text and "Session on Monday 9 June 2025" in text
    assert "Noticing the dip helps me plan." in text
    assert "Walk after lunch, 3 times." in text
    # Another client of the same practice cannot reach it.
    with scopes_disabled():
        from tests.factories import ClientFactory, portal_user_for

        other = ClientFactory(practice=world.practice_a, primary_therapist=world.therapist_a)
        portal_user_for(other)
    outsider = portal(other).get(reverse("conversations:portal_summary", args=[conversation.pk]))
    assert outsider.status_code == 404


@time_machine.travel(NEXT_SESSION, tick=False)
def test_an_unfinished_review_is_not_shown_to_the_client(world, web, portal, acts, assign, submit):
    week_of_homework(world, acts, assign, submit)
    conversation = _start(web(world.therapist_a), world.client_a)
    page = portal(world.client_a).get(
        reverse("conversations:portal_summary", args=[conversation.pk])
    )
    assert page.status_code == 404


# --- Agreed together ----------------------------------------------------------------------


@time_machine.travel(NEXT_SESSION, tick=False)
def test_a_client_confidence_of_5_prompts_the_therapist_until_the_plan_is_edited(
    world, web, portal, acts, assign
):
    assignment = assign(acts.thought_record, starts_on=date(2025, 6, 10), confidence=8)
    client_browser = portal(world.client_a)
    home = client_browser.get(reverse("portal:home")).content.decode()
    plan_url = reverse("conversations:portal_plan", args=[assignment.pk])
    assert plan_url in home
    bad = client_browser.post(plan_url, {"confirmed": "no", "confidence": "5"})
    assert bad.status_code == 400
    assert "Say what you would change" in bad.content.decode()
    with scopes_disabled():
        assert not PlanAgreement.objects.exists()
    done = client_browser.post(plan_url, {"confirmed": "yes", "confidence": "5"})
    assert done.status_code == 302

    browser = web(world.therapist_a)
    client_page = browser.get(reverse("clients:detail", args=[world.client_a.pk])).content.decode()
    assert "Confidence 5/10" in client_page
    assert "make the task smaller until it is 100 % doable" in client_page
    detail = browser.get(reverse("assignments:detail", args=[assignment.pk])).content.decode()
    assert "Confidence 5/10" in detail
    with time_machine.travel("2025-06-09 09:10:00+00:00", tick=False):
        edit = reverse("assignments:edit", args=[assignment.pk])
        form = browser.get(edit).context["form"]
        data = {
            name: value
            for name, value in form.initial.items()
            if value is not None and name != "weekdays"
        }
        data.update({"plan_when": "Five minutes after breakfast", "practised_in_session": "on"})
        data["starts_on"] = "2025-06-10"
        data["due_time"] = "21:00"
        saved = browser.post(
            edit + "?next=" + reverse("clients:detail", args=[world.client_a.pk]), data
        )
        assert saved.status_code == 302, saved.context["form"].errors
        assert saved["Location"] == reverse("clients:detail", args=[world.client_a.pk])
        client_page = browser.get(saved["Location"]).content.decode()
    assert "Confidence 5/10" not in client_page
    with scopes_disabled():
        assignment.refresh_from_db()
    assert assignment.practised_in_session


# --- Why not ------------------------------------------------------------------------------


@time_machine.travel(NEXT_SESSION, tick=False)
def test_felt_worse_is_shown_to_the_therapist_prominently(world, web, portal, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit, reason="")
    client_browser = portal(world.client_a)
    url = reverse("conversations:portal_missed", args=[week.missed_occurrence.pk])
    assert url in client_browser.get(reverse("portal:home")).content.decode()
    empty = client_browser.post(url, {})
    assert empty.status_code == 400
    response = client_browser.post(url, {"reason": "felt_worse", "text": "It stirred things up"})
    assert response.status_code == 302
    client_page = (
        web(world.therapist_a)
        .get(reverse("clients:detail", args=[world.client_a.pk]))
        .content.decode()
    )
    assert "“It made me feel worse”" in client_page
    assert "It stirred things up" in client_page


@time_machine.travel(NEXT_SESSION, tick=False)
def test_a_reason_for_an_item_that_was_done_is_refused(world, portal, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit, reason="")
    with scopes_disabled():
        done = week.done.occurrences.get()
    page = portal(world.client_a).post(
        reverse("conversations:portal_missed", args=[done.pk]), {"reason": "forgot"}
    )
    assert page.status_code == 400
    assert "Only homework that was missed" in page.content.decode()
    with scopes_disabled():
        assert not MissedReason.objects.exists()


@time_machine.travel(NEXT_SESSION, tick=False)
def test_insights_show_the_reviewed_in_session_rate_and_the_reasons(
    world, web, acts, assign, submit
):
    week = week_of_homework(world, acts, assign, submit)
    browser = web(world.owner_a)
    therapist = web(world.therapist_a)
    conversation = _start(therapist, world.client_a)
    therapist.post(_item_url(conversation, week.done), _item_data(week.done, outcome="done"))
    page = browser.get(reverse("analytics:insights"))
    body = page.content.decode()
    assert "Homework reviewed in session" in body
    rows = {row.name: row for row in page.context["conversation"].therapists}
    # Two sessions recorded (last week's and today's); one reviewed homework item by item.
    assert (rows["Alpha Therapist"].sessions, rows["Alpha Therapist"].reviewed) == (2, 1)
    (reasons,) = page.context["conversation"].reasons
    assert reasons.counts == {"too_hard": 1}


@time_machine.travel(NEXT_SESSION, tick=False)
def test_the_session_review_page_shows_the_review_held_in_session(world, web, acts, assign, submit):
    week = week_of_homework(world, acts, assign, submit, reason="felt_worse")
    browser = web(world.therapist_a)
    conversation = _start(browser, world.client_a)
    browser.post(
        _item_url(conversation, week.missed),
        _item_data(week.missed, outcome="not_done", reason="felt_worse", learned="Go gently"),
    )
    page = browser.get(reverse("assignments:session_review", args=[world.client_a.pk]))
    body = page.content.decode()
    assert "Reviewed in session" in body
    assert "Daily mood log</strong> — not done, keep as it is" in body
    assert "Learned: Go gently" in body
    assert "“It made me feel worse”" in body


@time_machine.travel(NEXT_SESSION, tick=False)
def test_the_portal_asks_and_the_client_panel_take_the_same_queries_for_more_plans(
    world, web, portal, acts, assign
):
    client_browser = portal(world.client_a)
    staff = web(world.therapist_a)
    client_page = reverse("clients:detail", args=[world.client_a.pk])

    def measure():
        client_browser.get("/portal/")
        staff.get(client_page)
        with CaptureQueriesContext(connection) as home:
            assert client_browser.get("/portal/").status_code == 200
        with CaptureQueriesContext(connection) as panel:
            assert staff.get(client_page).status_code == 200
        return len(home), len(panel)

    assign(acts.thought_record, starts_on=date(2025, 6, 10), confidence=4)
    few = measure()
    for version in (acts.phq9, acts.mood_log, acts.thought_record):
        assign(version, starts_on=date(2025, 6, 11), confidence=3)
    more = measure()
    body = client_browser.get("/portal/").content.decode()
    assert body.count("Does the plan for") == 3  # the PHQ-9 is a measure: not asked
    assert "Does the plan for “PHQ-9" not in body
    assert more == few
