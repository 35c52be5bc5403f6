"""Every field type's validation, as the builder and the API show it: a mistake in a field's
settings is refused (nothing saved), next to the input in the builder and by path in the API.
(The worksheet engine's own tests cover the rules themselves.)"""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from library.forms import FieldEditForm
from tests.factories import library_content, library_definition, practice_activity_for
from tests.library.test_forms import _as_post
from tests.worksheets.examples import field_of
from worksheets import FIELD_TYPES

pytestmark = pytest.mark.django_db

# type: (what is typed into the builder's editor, the input the error shows at,
#        the broken field as JSON for the API, the key of the path the API reports)
MISTAKES = {
    "short_text": ({"max_length": "0"}, "max_length", {"max_length": 0}, "max_length"),
    "long_text": ({"max_length": "99999"}, "max_length", {"max_length": 99999}, "max_length"),
    "number": ({"min": "5", "max": "1"}, "min", {"min": 5, "max": 1}, "min"),
    "rating": ({"min": "10", "max": "0"}, "max", {"min": 10, "max": 0}, "max"),
    "single_choice": ({"options": ""}, "options", {"options": []}, "options"),
    "multiple_choice": (
        {"min_selected": "3", "max_selected": "1"},
        "min_selected",
        {"options": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}]},
        "options[1].value",
    ),
    "checklist": ({"options": ""}, "options", {"options": [{"value": "a"}]}, "options[0].label"),
    "date": (
        {"date_min": "2030-01-01", "date_max": "2020-01-01"},
        "date_min",
        {"min": "tomorrow"},
        "min",
    ),
    "time": ({"label": ""}, "label", {"label": ""}, "label"),
    "duration": ({"max_minutes": "0"}, "max_minutes", {"max_minutes": -5}, "max_minutes"),
    "table": ({"columns": "[]"}, "columns", {"columns": []}, "columns"),
    "emotions": ({"max_items": "999"}, "max_items", {"max_items": 0}, "max_items"),
    "audio": ({"label": ""}, "label", {"label": ""}, "label"),
    "photo": ({"label": ""}, "label", {"accept": "*/*"}, "accept"),
    "instructions": ({"body": ""}, "body", {"body": ""}, "body"),
    "media": ({"media_kind": "pdf"}, "media_kind", {"url": "https://x.example/a.mp3"}, "url"),
    "commitment": ({"statement": ""}, "statement", {"statement": ""}, "statement"),
}


def test_every_field_type_has_a_mistake_case():
    assert set(MISTAKES) == set(FIELD_TYPES)


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_the_builder_shows_the_mistake_next_to_its_input(world, web, field_type):
    typed, input_name, _, _ = MISTAKES[field_type]
    field = field_of(field_type, id="item")
    activity = practice_activity_for(
        world.practice_a, world.therapist_a, definition=library_definition(field)
    )
    data = _as_post(FieldEditForm(field=field, earlier=[])) | typed | {"field": "item"}
    response = web(world.therapist_a).post(
        reverse("library:activity_field_save", args=[activity.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    form = response.context["builder_sections"][0]["fields"][0]["form"]
    assert input_name in form.errors, form.errors
    with scopes_disabled():
        activity.refresh_from_db()
        assert activity.draft_version is None, "nothing was saved"


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_the_api_reports_the_mistake_by_path(world, field_type):
    _, _, broken, key = MISTAKES[field_type]
    definition = library_definition(field_of(field_type, id="item") | broken)
    client = APIClient()
    client.force_authenticate(world.therapist_a)
    response = client.post(
        "/api/v1/library/activities/", library_content(definition=definition), format="json"
    )
    assert response.status_code == 400
    paths = [error["path"] for error in response.json()["definition"]]
    assert f"definition.sections[0].fields[0].{key}" in paths


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_a_valid_field_of_every_type_saves_and_previews(world, web, field_type):
    activity = practice_activity_for(
        world.practice_a,
        world.therapist_a,
        definition=library_definition(field_of(field_type, id="item", label="The question")),
    )
    response = web(world.therapist_a).get(reverse("library:activity_detail", args=[activity.pk]))
    assert response.status_code == 200
    assert "The question" in response.content.decode()
