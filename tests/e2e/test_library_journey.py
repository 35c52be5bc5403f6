"""A therapist new to Bridgework finds "thought record" in the library by searching, previews
it on a phone-width screen, copies it, adds a question and saves it as a new version."""

import json

import pytest
from playwright.sync_api import expect

from library.models import CuratedActivity
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_up(page, email: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Start your practice").click()
    page.get_by_label("Your name").fill("Noor Haddad")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Practice name").fill("Haddad Psychology")
    page.get_by_label("Password", exact=True).fill("a-long-calm-passphrase")
    page.get_by_label("Password (again)").fill("a-long-calm-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/clients/")


def _search(page, words: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_role("heading", name="Library", level=1).wait_for()
    page.get_by_label("Search", exact=True).fill(words)
    # Results follow the typing (htmx); the practice has nothing of its own yet.
    results = page.locator("#library-results")
    expect(results.get_by_role("link", name="Thought record (7 columns)")).to_be_visible()
    expect(results.get_by_role("link", name="Sleep diary")).to_have_count(0)


def _top(page) -> None:
    """Full-page screenshots of a scrolled page catch sticky parts mid-page."""
    page.evaluate("window.scrollTo(0, 0)")


def test_find_preview_copy_add_a_question_and_publish(new_page, global_library):
    email = "noor@haddad.test"
    desk = new_page(DESKTOP)
    _sign_up(desk, email)
    _search(desk, "thought record")
    screenshot(desk, "library-search")

    phone = new_page(PHONE)
    sign_in(phone, email, "a-long-calm-passphrase")
    _search(phone, "thought record")
    screenshot(phone, "library-search")
    phone.get_by_role("link", name="Thought record (7 columns)").click()
    preview = phone.get_by_role("region", name="Preview: what the client sees on a phone")
    expect(preview.get_by_role("heading", name="Thought record (7 columns)")).to_be_visible()
    expect(preview.get_by_text("What was happening?")).to_be_visible()
    assert preview.bounding_box()["width"] <= 390
    screenshot(phone, "library-preview")

    desk.get_by_role("link", name="Thought record (7 columns)").click()
    preview = desk.get_by_role("region", name="Preview: what the client sees on a phone")
    expect(preview.get_by_role("heading", name="Why this helps")).to_be_visible()
    # The preview is inert: the client's inputs are there but cannot be typed into.
    expect(preview.get_by_label("What was happening?")).to_be_disabled()
    preview.get_by_text("What was happening?").scroll_into_view_if_needed()
    _top(desk)
    screenshot(desk, "library-preview")

    desk.get_by_role("button", name="Copy and customise").click()
    desk.get_by_role("heading", name="Edit “Thought record (7 columns)”").wait_for()
    expect(desk.get_by_text("Your copy is in the practice library")).to_be_visible()

    # Add a question at the end of the last section, by keyboard-usable controls only.
    outcome = desk.locator("#section-outcome")
    outcome.get_by_label("Add a question to").select_option("short_text")
    outcome.get_by_role("button", name="Add question").click()
    label = desk.locator("#ed-answer_1-label")
    expect(label).to_be_focused()
    label.fill("What will you try next time?")
    desk.locator("#answer_1").get_by_label("The client must answer this").check()
    _top(desk)
    screenshot(desk, "library-field-editor")
    desk.locator("#answer_1").get_by_role("button", name="Save question").click()
    preview = desk.get_by_role("region", name="Preview: what the client sees on a phone")
    expect(preview.get_by_text("What will you try next time?")).to_be_visible()

    # Move it up one place with the button (no dragging); the focus stays on the button.
    desk.locator("#answer_1").get_by_role("button", name="Up").click()
    expect(desk.locator("#field-up-answer_1")).to_be_focused()
    fields = desk.locator("#section-outcome .builder-field__label")
    expect(fields).to_have_text(["What will you try next time?", "Rate your feelings again"])
    preview.get_by_text("What will you try next time?").scroll_into_view_if_needed()
    _top(desk)
    screenshot(desk, "library-builder")

    desk.get_by_role("button", name="Publish version 2").click()
    desk.get_by_text("Published. New assignments use this version").wait_for()
    versions = desk.get_by_role("table")
    expect(versions.get_by_role("row", name="v2 Current")).to_be_visible()
    expect(versions.get_by_role("link", name="v1")).to_be_visible()
    preview = desk.get_by_role("region", name="Preview: what the client sees on a phone")
    expect(preview.get_by_text("What will you try next time?")).to_be_visible()
    screenshot(desk, "library-published")

    phone.goto(desk.url)
    expect(phone.get_by_role("heading", name="Thought record (7 columns)", level=1)).to_be_visible()
    screenshot(phone, "library-published")


def _open_before_htmx(page, url: str):
    """Open ``url`` with htmx's script held back; return what lets it load. A person on a slow
    phone can type in the meantime."""
    held = []
    page.route("**/htmx-*.js", lambda route: held.append(route))
    page.goto(url, wait_until="commit")

    def release() -> None:
        assert len(held) == 1
        held[0].continue_()

    return release


def test_what_is_typed_before_the_scripts_load_still_filters(new_page, world, global_library):
    """Typed into the search box before htmx has loaded: the results follow it once it has."""
    page = new_page(PHONE)
    sign_in(page, world.therapist_a.email)
    release = _open_before_htmx(page, "/library/")
    page.get_by_label("Search", exact=True).fill("thought record")
    results = page.locator("#library-results")
    expect(results.get_by_role("link", name="Sleep diary")).to_be_visible()  # not filtered yet
    release()
    expect(results.get_by_role("link", name="Sleep diary")).to_have_count(0)
    expect(results.get_by_role("link", name="Thought record (7 columns)")).to_be_visible()


def test_what_is_typed_in_the_json_before_the_scripts_load_is_previewed(
    new_page, world, global_library
):
    """The same for the builder's JSON editor: its preview follows the early typing."""
    curated = CuratedActivity.objects.get(slug="gratitude-journal")
    page = new_page(DESKTOP)
    sign_in(page, world.curator.email, next_url="**/curate/")
    release = _open_before_htmx(page, f"/curate/{curated.pk}/edit/")
    page.get_by_text("Edit as JSON").click()
    editor = page.get_by_label("Worksheet definition (JSON)")
    text = editor.input_value()
    first_label = page.locator("#section-" + _first_section(text) + " .builder-field__label")
    editor.fill(text.replace(first_label.first.inner_text(), "What went well today?", 1))
    preview = page.get_by_role("region", name="Preview: what the client sees on a phone")
    expect(preview.get_by_text("What went well today?")).to_have_count(0)  # not followed yet
    release()
    expect(preview.get_by_text("What went well today?")).to_be_visible()


def test_a_curator_edits_the_json_and_sees_the_preview_follow(new_page, global_library):
    UserFactory(email="cora@bridgework.test", full_name="Cora Curator", is_curator=True)
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport)
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill("cora@bridgework.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.get_by_role("heading", name="Global library", level=1).wait_for()
        screenshot(page, "curate-list")
    page.get_by_label("Search", exact=True).fill("good things")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Three good things").click()
    expect(page.get_by_role("heading", name="Used by 0 practices")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    page.get_by_text("Edit as JSON").click()
    editor = page.get_by_label("Worksheet definition (JSON)")
    text = editor.input_value()
    preview = page.get_by_role("region", name="Preview: what the client sees on a phone")
    first_label = page.locator("#section-" + _first_section(text) + " .builder-field__label")
    old_label = first_label.first.inner_text()
    editor.fill(text.replace(old_label, "What went well today?", 1))
    expect(preview.get_by_text("What went well today?")).to_be_visible()
    editor.fill(text.replace('"type": "', '"type": "hologram', 1))
    expect(page.locator("#preview").get_by_role("alert")).to_contain_text("fields[0].type")
    _top(page)
    screenshot(page, "curate-json-preview")


def _first_section(definition_text: str) -> str:
    return json.loads(definition_text)["sections"][0]["id"]
