"""Personalised activity text: {client_name} and {therapist_name}, filled by plain replacement."""

import pytest
from django.template import Context, Template
from django_scopes import scopes_disabled

from library.preview import client_preview
from worksheets.personalise import fill, personalise_definition

pytestmark = pytest.mark.django_db

NAMES = {"client_name": "Sam", "therapist_name": "Tess"}


def test_tokens_are_replaced_and_nothing_else_is_evaluated():
    assert fill("Well done, {client_name}! {therapist_name}", NAMES) == "Well done, Sam! Tess"
    for untouched in ("{{ client_name }}", "{client_name.__class__}", "{other}", "{%s}", "{}"):
        assert fill(untouched, NAMES) == untouched.replace("{{ client_name }}", "{{ client_name }}")
    assert fill("{{client_name}}", NAMES) == "{Sam}"  # the token inside, nothing evaluated
    assert fill("Hi {client_name}", {"client_name": ""}) == "Hi {client_name}"


def test_filled_names_are_escaped_when_shown():
    names = {"client_name": "<b>Sam</b>", "therapist_name": "Tess"}
    html = Template("{% load personal %}{{ text|personal:names|linebreaksbr }}").render(
        Context({"text": "Hi {client_name}", "names": names})
    )
    assert html == "Hi &lt;b&gt;Sam&lt;/b&gt;"


def test_definition_texts_are_filled_on_a_copy_and_ids_are_left_alone():
    definition = {
        "sections": [
            {
                "title": "For {client_name}",
                "fields": [
                    {
                        "id": "client_name",
                        "type": "text",
                        "label": "What did {therapist_name} and you agree, {client_name}?",
                        "help": "Take your time, {client_name}.",
                    }
                ],
            }
        ]
    }
    filled = personalise_definition(definition, NAMES)
    field = filled["sections"][0]["fields"][0]
    assert filled["sections"][0]["title"] == "For Sam"
    assert field["label"] == "What did Tess and you agree, Sam?"
    assert field["help"] == "Take your time, Sam." and field["id"] == "client_name"
    assert definition["sections"][0]["title"] == "For {client_name}"  # the stored one unchanged


def test_portal_worksheet_fills_the_clients_and_therapists_names(world, acts, assign, portal):
    with scopes_disabled():
        world.client_a.preferred_name = "Sammy"
        world.client_a.save(update_fields=["preferred_name"])
        therapist = world.client_a.primary_therapist
    assignment = assign(
        acts.thought_record,
        rationale="This helps you, {client_name}, notice thoughts.",
        personal_message="{client_name}, try it after work. <3 {therapist_name}",
    )
    with scopes_disabled():
        occurrence = assignment.occurrences.order_by("due_at").first()
    page = portal(world.client_a).get(f"/portal/do/{occurrence.pk}/").content.decode()
    assert "This helps you, Sammy, notice thoughts." in page
    assert f"Sammy, try it after work. &lt;3 {therapist.get_short_name()}" in page
    assert "{client_name}" not in page and "{therapist_name}" not in page
    assignment_page = portal(world.client_a).get(f"/portal/homework/{assignment.pk}/")
    assert "Sammy, try it after work." in assignment_page.content.decode()


def test_without_a_preferred_name_the_first_name_is_used(world, acts, assign, portal):
    with scopes_disabled():
        world.client_a.preferred_name = ""
        world.client_a.full_name = "Robin Example"
        world.client_a.save(update_fields=["preferred_name", "full_name"])
    assignment = assign(acts.thought_record, rationale="Over to you, {client_name}.")
    page = portal(world.client_a).get(f"/portal/homework/{assignment.pk}/").content.decode()
    assert "Over to you, Robin." in page


def test_staff_preview_shows_placeholders_without_a_client():
    html = client_preview(
        {
            "title": "Contract",
            "estimated_minutes": 5,
            "rationale": "For {client_name}",
            "instructions": ["Sign it with {therapist_name}"],
            "definition": {
                "sections": [
                    {"fields": [{"id": "a", "type": "short_text", "label": "I, {client_name}"}]}
                ]
            },
        }
    )
    assert "For [client&#x27;s name]" in html
    assert "Sign it with [therapist&#x27;s name]" in html
    assert "I, [client&#x27;s name]" in html


def test_todo_fills_the_rationale_without_a_query_per_item(
    world, acts, assign, portal, django_assert_max_num_queries
):
    for _ in range(3):
        assign(acts.thought_record, rationale="Your turn, {client_name}.")
    browser = portal(world.client_a)
    browser.get("/portal/")
    with django_assert_max_num_queries(30) as queries:
        page = browser.get("/portal/").content.decode()
    assert "Your turn, " in page and "{client_name}" not in page
    few = len(queries)
    for _ in range(3):
        assign(acts.thought_record, rationale="Your turn, {client_name}.")
    with django_assert_max_num_queries(few):
        browser.get("/portal/")
