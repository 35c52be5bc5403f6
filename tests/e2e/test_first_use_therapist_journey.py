"""First use, the therapist's side (issue 23), at a laptop. A new client is added and
invited; three activities found by three searches all reach the plan step (a search keeps
what was ticked); the client is enrolled in a global pathway in at most three page loads
(counted, so the count cannot grow); the session review shows the client's answers without a
click. Then the pages touched are looked at on a phone too."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from assignments.models import Assignment
from clients.models import Client
from pathways.models import CuratedPathway, Enrolment
from pathways.seeding import sync_global_pathways
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.django_db(transaction=True)

PATHWAY = "behavioural-activation-low-mood"


def _top(page) -> None:
    page.evaluate("window.scrollTo(0, 0)")


def _tick(page, search: str, title: str) -> None:
    page.get_by_label("Search the library").fill(search)
    page.get_by_role("button", name="Search").click()
    page.locator(".pick").filter(has_text=title).get_by_role("checkbox").check()


def test_a_new_therapist_adds_invites_assigns_enrols_and_reviews(
    new_page, world, global_library, submit
):
    sync_global_pathways()
    desk = new_page()
    sign_in(desk, world.therapist_a.email)

    # --- Add a client and invite them ------------------------------------------------------
    desk.get_by_role("link", name="Add a client").first.click()
    desk.get_by_label("Full name").fill("Nadia Osei")
    desk.get_by_label("Email").fill("nadia@example.test")
    desk.get_by_label("Time zone").select_option("Europe/London")
    desk.get_by_role("button", name="Add client").click()
    desk.get_by_role("heading", name="Nadia Osei").wait_for()
    desk.get_by_role("button", name="Invite to the portal").click()
    desk.get_by_text("We emailed nadia@example.test").wait_for()
    client_url = desk.url
    with scopes_disabled():
        client = Client.objects.get(email="nadia@example.test")

    # --- Three searches, three ticks: all three reach the plan step --------------------------
    desk.get_by_role("link", name="Assign homework").first.click()
    _tick(desk, "thought", "Thought record (7 columns)")
    _tick(desk, "PHQ", "PHQ-9 (mood questionnaire)")
    _tick(desk, "sleep", "Sleep diary")
    chosen = desk.locator(".picked__item")
    expect(chosen).to_have_count(2)  # the two ticked before this search, kept
    _top(desk)
    screenshot(desk, "firstuse-assign-selected")
    assert violations(desk) == []
    desk.get_by_role("button", name="Continue: plan it").click()
    plans = desk.locator(".plan__head h2")
    expect(plans).to_have_count(3)
    for title in ("Thought record (7 columns)", "PHQ-9 (mood questionnaire)", "Sleep diary"):
        expect(desk.locator(".plan__head").filter(has_text=title)).to_have_count(1)
    desk.get_by_role("button", name="Assign 3 activities").click()
    desk.get_by_text(re.compile("^Assigned to Nadia")).wait_for()
    with scopes_disabled():
        assert Assignment.objects.filter(client=client).count() == 3

    # --- Enrol in a global pathway: at most three page loads ---------------------------------
    source = CuratedPathway.objects.get(slug=PATHWAY)
    loads = []
    desk.on(
        "framenavigated",
        lambda frame: loads.append(frame.url) if frame is desk.main_frame else None,
    )
    desk.goto(f"/pathways/library/{source.pk}/")  # 1: the global pathway's page
    desk.get_by_role("link", name="Enrol a client").click()  # 2: the enrol page
    desk.get_by_label("Client").select_option(label="Nadia Osei")
    _top(desk)
    screenshot(desk, "firstuse-enrol")
    assert violations(desk) == []
    desk.get_by_role("button", name="Enrol").click()  # 3: the enrolment
    desk.get_by_text(re.compile(r"^Nadia Osei is enrolled in")).wait_for()
    assert len(loads) <= 3, loads
    with scopes_disabled():
        assert Enrolment.objects.filter(client=client, pathway__origin=source).exists()

    # The client's page shows the pathway.
    desk.goto(client_url)
    pathway_card = desk.locator("section").filter(
        has=desk.get_by_role("heading", name="Pathway", exact=True)
    )
    expect(pathway_card).to_contain_text(source.name)
    _top(desk)
    screenshot(desk, "firstuse-client-page")
    assert violations(desk) == []

    # --- The client sends a thought record; the session review shows the answers ------------
    with scopes_disabled():
        record = Assignment.objects.get(
            client=client, activity_version__title="Thought record (7 columns)"
        )
        occurrence = record.occurrences.order_by("sequence").first()
    submit(occurrence, THOUGHT_RECORD_ANSWERS)
    desk.get_by_role("link", name="Session review").first.click()
    entry = desk.locator(".entry").filter(has_text="Thought record (7 columns)")
    expect(entry.get_by_text("She praised my report on Monday.")).to_be_visible()
    _top(desk)
    screenshot(desk, "firstuse-session-review")
    assert violations(desk) == []

    # --- The same pages on a phone ----------------------------------------------------------
    desk.set_viewport_size(PHONE)
    for url, name in (
        (f"/assignments/new/?client={client.pk}&curated={source.pk}&step=choose", "assign"),
        (f"/pathways/enrol/?client={client.pk}", "enrol"),
        (client_url, "client-page"),
        (desk.url, "session-review"),
    ):
        desk.goto(url)
        _top(desk)
        screenshot(desk, f"firstuse-{name}")
