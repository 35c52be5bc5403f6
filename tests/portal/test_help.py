"""Risk and safety in the portal: "Need help now?" on every page, the practice's crisis-line
setting, the safety plan, the notice before a measure that can pass an answer on, and the
page after an answer that did."""

import json
import uuid
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from accounts import services as account_services
from accounts.crisis import crisis_resources
from accounts.models import CrisisCountry
from assignments.models import Visibility
from assignments.risk import can_flag_risk, risk_fields
from library.models import CuratedActivity
from library.seeding import sync_global_library
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of, phq9_answers
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"
HELP = 'href="/portal/help/"'
SEED = Path(__file__).resolve().parents[2] / "library" / "seed" / "activities"


def _definition(slug):
    return json.loads((SEED / f"{slug}.json").read_text())["definition"]


def _only(assignment):
    with scopes_disabled():
        return assignment.occurrences.get()


def _set(practice, **fields):
    with scopes_disabled():
        for name, value in fields.items():
            setattr(practice, name, value)
        practice.save()


# --- The practice setting -------------------------------------------------------------------


def test_every_country_choice_has_an_emergency_number_and_a_line():
    for country in CrisisCountry.values:
        resources = crisis_resources(country)
        assert resources.lines, country
        assert resources.country == country
        assert bool(resources.emergency) == bool(country), country


def test_an_owner_sets_the_country_and_the_practice_own_lines(web, world):
    response = web(world.owner_a).post(
        "/practice/",
        {
            "name": "Alpha Practice",
            "default_timezone": "Europe/London",
            "show_scores_to_clients": "on",
            "crisis_country": "GB",
            "crisis_resources": "Duty phone, weekdays 9–5: 0161 496 0000\n\n"
            "Out of hours: www.alpha.example/urgent",
        },
    )
    assert response.status_code == 302
    world.practice_a.refresh_from_db()
    assert world.practice_a.crisis_country == "GB"
    page = web(world.owner_a).get("/practice/").content.decode()
    assert "Samaritans" in page and "0161 496 0000" in page  # what clients now see


@pytest.mark.parametrize(
    "lines, problem",
    [
        ("Ring the duty therapist", "Line 1 has no phone number or web address"),
        ("Call 0161 496 0000\n" + "x" * 201 + " 0161", "Line 2 is 206 characters long"),
        ("\n".join(f"Line {n}: 0161 496 000{n}" for n in range(7)), "Keep it to 6 lines"),
    ],
    ids=["no-contact", "too-long", "too-many"],
)
def test_practice_lines_are_checked_and_the_error_is_next_to_the_field(web, world, lines, problem):
    response = web(world.owner_a).post(
        "/practice/",
        {
            "name": "Alpha Practice",
            "default_timezone": "Europe/London",
            "crisis_country": "US",
            "crisis_resources": lines,
        },
    )
    html = response.content.decode()
    assert 'id="id_crisis_resources_error"' in html
    error = html.split('id="id_crisis_resources_error">', 1)[1]
    assert error.startswith(problem)
    assert lines.splitlines()[0] in html  # what was typed is kept
    world.practice_a.refresh_from_db()
    assert world.practice_a.crisis_country == "" and world.practice_a.crisis_resources == ""


def test_the_service_refuses_bad_lines_and_an_unknown_country(world):
    actor = membership_of(world.practice_a, world.owner_a)
    with pytest.raises(ValidationError) as caught:
        account_services.practice_update(
            practice=world.practice_a,
            actor=actor,
            crisis_country="XX",
            crisis_resources="Ring us",
        )
    assert set(caught.value.message_dict) == {"crisis_country", "crisis_resources"}


def test_only_managers_change_crisis_resources(web, world):
    response = web(world.therapist_a).post("/practice/", {"crisis_country": "US"})
    assert response.status_code == 403


# --- The help page and the link to it -------------------------------------------------------


def test_signed_out_the_help_page_gives_general_advice(web):
    response = web().get("/portal/help/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Need help now?" in body
    assert "your local emergency number" in body
    assert "https://findahelpline.com" in body
    assert "Open your safety plan" not in body


def test_signed_in_the_help_page_gives_the_practice_lines(world, portal):
    _set(world.practice_a, crisis_country="GB", crisis_resources="Duty phone: 0161 496 0000")
    _set(world.practice_b, crisis_country="US", crisis_resources="Beta line: 555 0100")
    body = portal(world.client_a).get("/portal/help/").content.decode()
    assert 'href="tel:999"' in body and 'href="tel:116123"' in body  # one tap to call
    assert "From Alpha Practice" in body
    assert 'Duty phone: <a class="tel-link" href="tel:01614960000">0161 496 0000</a>' in body
    assert "988" not in body and "Beta line" not in body
    other = portal(world.client_b).get("/portal/help/").content.decode()
    assert 'href="tel:988"' in other and 'href="sms:988"' in other and 'href="tel:911"' in other
    assert "Duty phone" not in other and "Samaritans" not in other


@time_machine.travel(MONDAY, tick=False)
def test_every_portal_page_links_to_help(web, world, acts, assign, submit, portal):
    signed_out = web()
    for url in ["/portal/sign-in/", "/portal/sign-in/code/", "/portal/sign-in/link/abc/"]:
        assert HELP in signed_out.get(url).content.decode(), url
    occurrence = _only(assign(acts.thought_record))
    response = submit(occurrence, THOUGHT_RECORD_ANSWERS)
    browser = portal(world.client_a)
    for url in [
        "/portal/",
        f"/portal/do/{occurrence.pk}/",
        f"/portal/entries/{response.pk}/",
        f"/portal/entries/{response.pk}/?sent=1",
        f"/portal/entries/{response.pk}/edit/",
        f"/portal/homework/{occurrence.assignment_id}/",
        "/portal/history/",
        "/portal/help/",
    ]:
        page = browser.get(url)
        assert page.status_code == 200, url
        assert HELP in page.content.decode(), url


# --- The safety plan ------------------------------------------------------------------------

SAFETY_PLAN_ANSWERS = {
    "warning_signs": "I stop answering messages.",
    "on_my_own": "Walk round the block.",
    "reasons": "My sister and my dog.",
}


@pytest.fixture
def safety_plan(world):
    """safety_plan(practice) → the practice's copy of the global safety plan, as adopting it
    from the library makes (its origin is the global activity)."""
    sync_global_library()

    def make(practice):
        version = activity_version_for(practice, "safety-plan")
        with scopes_disabled():
            activity = version.activity
            activity.origin = CuratedActivity.objects.get(slug="safety-plan")
            activity.save(update_fields=["origin"])
        return version

    return make


def test_the_safety_plan_is_in_the_global_library(web, world, safety_plan):
    safety_plan(world.practice_a)
    curated = CuratedActivity.objects.get(slug="safety-plan")
    assert curated.status == "published"
    assert "Stanley & Brown" in json.dumps(curated.current_version.definition)
    library = web(world.therapist_a).get("/library/?q=safety+plan").content.decode()
    assert "Safety plan" in library


def test_the_help_page_opens_the_latest_safety_plan_of_this_client_only(
    world, assign, submit, portal, safety_plan
):
    version = safety_plan(world.practice_a)
    with time_machine.travel("2025-06-02 08:00:00+00:00", tick=False):
        first = submit(_only(assign(version)), SAFETY_PLAN_ANSWERS)
    with time_machine.travel("2025-06-09 08:00:00+00:00", tick=False):
        latest = submit(_only(assign(version)), SAFETY_PLAN_ANSWERS | {"reasons": "Spring."})
    body = portal(world.client_a).get("/portal/help/").content.decode()
    assert f'href="/portal/entries/{latest.pk}/"' in body
    assert str(first.pk) not in body
    opened = portal(world.client_a).get(f"/portal/entries/{latest.pk}/")
    assert opened.status_code == 200 and "Spring." in opened.content.decode()

    other = portal(world.client_b)
    assert "Open your safety plan" not in other.get("/portal/help/").content.decode()
    assert other.get(f"/portal/entries/{latest.pk}/").status_code == 404


def test_another_practice_own_safety_plan_stays_its_own(world, assign, submit, portal, safety_plan):
    version = safety_plan(world.practice_b)
    theirs = submit(_only(assign(version, client=world.client_b)), SAFETY_PLAN_ANSWERS)
    mine = portal(world.client_a).get("/portal/help/").content.decode()
    assert "Open your safety plan" not in mine
    body = portal(world.client_b).get("/portal/help/").content.decode()
    assert f'href="/portal/entries/{theirs.pk}/"' in body


# --- Before starting: the notice ------------------------------------------------------------


def test_only_items_with_a_critical_rule_can_flag():
    assert can_flag_risk(_definition("phq-9"))
    assert [field["id"] for field in risk_fields(_definition("phq-9"))] == ["q9"]
    for slug in ["thought-record", "gad-7", "safety-plan"]:
        assert not can_flag_risk(_definition(slug)), slug


def test_the_dbt_diary_card_names_its_risk_items():
    card = _definition("dbt-diary-card")
    assert can_flag_risk(card)
    assert [field["id"] for field in risk_fields(card)] == [
        "suicidal_thoughts",
        "urge_self_harm",
        "acted_self_harm",
    ]


def test_a_legacy_critical_rule_still_counts():
    """A PHQ-9 version pinned before rules moved onto items keeps its ``scoring.critical``."""
    legacy = _definition("phq-9")
    del legacy["sections"][0]["fields"][8]["risk"]
    legacy["scoring"]["critical"] = [
        {"field": "q9", "op": "gte", "value": 1, "message": "Thoughts of self-harm reported."}
    ]
    assert [field["id"] for field in risk_fields(legacy)] == ["q9"]


@time_machine.travel(MONDAY, tick=False)
def test_the_phq9_says_before_starting_that_item_9_is_passed_on(world, acts, assign, portal):
    measure = _only(assign(acts.phq9, visibility=Visibility.CLIENT_ONLY))
    body = portal(world.client_a).get(f"/portal/do/{measure.pk}/").content.decode()
    assert "one answer is always passed on" in body
    assert "Thoughts that you would be better off dead" in body
    assert "even if you keep this entry private" in body
    assert body.index("one answer is always passed on") < body.index('id="worksheet-form"')
    assert "Only you can read your answers. Your therapist" not in body
    assert "Only you can read your answers, except an answer that suggests" in body


@time_machine.travel(MONDAY, tick=False)
def test_the_dbt_diary_card_says_before_starting_what_is_passed_on(world, assign, portal):
    version = activity_version_for(world.practice_a, "dbt-diary-card")
    card = _only(assign(version, visibility=Visibility.CLIENT_ONLY))
    body = portal(world.client_a).get(f"/portal/do/{card.pk}/").content.decode()
    assert "one answer is always passed on" in body
    assert "Did you hurt yourself today?" in body
    assert "even if you keep this entry private" in body


@time_machine.travel(MONDAY, tick=False)
def test_a_plain_worksheet_has_no_notice(world, acts, assign, portal):
    sheet = _only(assign(acts.thought_record, visibility=Visibility.CLIENT_ONLY))
    body = portal(world.client_a).get(f"/portal/do/{sheet.pk}/").content.decode()
    assert "always passed on" not in body
    assert "Only you can read your answers. Your therapist sees that you did it." in body


@time_machine.travel(MONDAY, tick=False)
def test_a_client_who_decides_is_told_before_choosing(world, acts, assign, portal):
    measure = _only(assign(acts.phq9, visibility=Visibility.CLIENT_DECIDES))
    body = portal(world.client_a).get(f"/portal/do/{measure.pk}/").content.decode()
    assert "keep it to myself (they'll see that I did it, and an answer that suggests risk)" in body


# --- After a flagged answer -----------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_after_item_9_the_page_leads_with_support(world, acts, assign, submit, portal):
    _set(world.practice_a, crisis_country="IE")
    response = submit(_only(assign(acts.phq9)), phq9_answers(item9="2"))
    body = portal(world.client_a).get(f"/portal/entries/{response.pk}/?sent=1").content.decode()
    assert body.index("Thank you for telling us") < body.index('class="card entry-view"')
    assert "Your therapist will see this answer" in body
    assert 'href="tel:116123"' in body and 'href="tel:112"' in body
    assert "Well done" not in body
    assert "Your score" not in body and "score__band" not in body
    assert "Moderate" not in body and "Mild" not in body
    assert "How did it go?" not in body


@time_machine.travel(MONDAY, tick=False)
def test_after_item_9_on_a_private_entry_the_client_is_told_it_is_passed_on(
    world, acts, assign, submit, portal
):
    measure = _only(assign(acts.phq9, visibility=Visibility.CLIENT_DECIDES))
    browser = portal(world.client_a)
    form = {f"f.q{n}": "1" for n in range(1, 10)}
    sent = browser.post(
        f"/portal/do/{measure.pk}/",
        form | {"share_with_therapist": "no", "submission_key": str(uuid.uuid4())},
    )
    assert sent.status_code == 302
    body = browser.get(sent["Location"]).content.decode()
    assert "Your therapist will see this answer" in body
    assert "even though the rest of this entry stays private" in body
    assert "Well done" not in body


@time_machine.travel(MONDAY, tick=False)
def test_without_a_flag_the_sent_page_is_as_before(world, acts, assign, submit, portal):
    response = submit(_only(assign(acts.phq9)), phq9_answers(item9="0"))
    body = portal(world.client_a).get(f"/portal/entries/{response.pk}/?sent=1").content.decode()
    assert "Sent. Well done." in body and "Your score" in body
    assert "Thank you for telling us" not in body


@time_machine.travel(MONDAY, tick=False)
def test_the_support_links_the_client_safety_plan(world, acts, assign, submit, portal, safety_plan):
    plan = submit(_only(assign(safety_plan(world.practice_a))), SAFETY_PLAN_ANSWERS)
    response = submit(_only(assign(acts.phq9)), phq9_answers(item9="1"))
    body = portal(world.client_a).get(f"/portal/entries/{response.pk}/?sent=1").content.decode()
    assert f'href="/portal/entries/{plan.pk}/"' in body
