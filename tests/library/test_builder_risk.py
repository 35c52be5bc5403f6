"""Risk rules in the form builder and the library API: a custom activity's item can alert the
therapist; a bad rule is refused next to its input (builder) or with its path (API)."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from library.forms import FieldEditForm
from library.models import Activity
from tests.factories import library_content, library_definition, practice_activity_for
from tests.worksheets.examples import field_of

pytestmark = pytest.mark.django_db

URGE = {
    "id": "urge",
    "type": "rating",
    "label": "Urge to hurt yourself",
    "min": 0,
    "max": 5,
}


def _edit(field, **typed):
    data = {"label": field["label"], "min": "0", "max": "5", **typed}
    form = FieldEditForm(data, field=field, earlier=[])
    assert form.is_valid(), form.errors
    return form.to_field()


def test_the_editor_writes_and_shows_a_rule():
    edited = _edit(URGE, risk_kind="at_least", risk_value="4", risk_label="Strong urge")
    assert edited["risk"] == {"at_least": 4, "label": "Strong urge"}
    shown = FieldEditForm(field=edited, earlier=[])
    assert [b.name for b in shown.risk_inputs()] == ["risk_kind", "risk_value", "risk_label"]
    assert shown.initial["risk_kind"] == "at_least" and shown.initial["risk_value"] == "4"
    assert "risk" not in _edit(edited, risk_kind="", risk_value="4")


def test_a_choice_rule_takes_the_option_label_or_value_and_a_score_level():
    choice = field_of("single_choice", id="acted")
    form = FieldEditForm(
        {"label": "Did you?", "options": "Yes\nNo", "risk_kind": "equals", "risk_value": "Yes"},
        field=choice,
        earlier=[],
    )
    assert form.is_valid(), form.errors
    assert form.to_field()["risk"] == {"equals": "yes"}
    scored = field_of(
        "single_choice",
        options=[
            {"value": "0", "label": "Not at all", "score": 0},
            {"value": "1", "label": "Several days", "score": 1},
        ],
    )
    form = FieldEditForm(
        {
            "label": "Item 9",
            "options": "Not at all | 0\nSeveral days | 1",
            "risk_kind": "at_least",
            "risk_value": "1",
        },
        field=scored,
        earlier=[],
    )
    assert form.is_valid(), form.errors
    assert form.to_field()["risk"] == {"at_least": 1}


def test_types_without_a_level_or_option_offer_no_rule():
    assert FieldEditForm(field=field_of("long_text"), earlier=[]).risk_inputs() == []


def _save_urge_rule(world, web, risk_value: str):
    """Save the urge rating from the builder with the rule "at least ``risk_value``"."""
    activity = practice_activity_for(
        world.practice_a, world.therapist_a, definition=library_definition(URGE)
    )
    response = web(world.therapist_a).post(
        reverse("library:activity_field_save", args=[activity.pk]),
        {
            "field": "urge",
            "label": "Urge to hurt yourself",
            "min": "0",
            "max": "5",
            "risk_kind": "at_least",
            "risk_value": risk_value,
        },
        HTTP_HX_REQUEST="true",
    )
    return activity, response


def test_a_bad_rule_in_the_builder_is_shown_next_to_its_input(world, web):
    _, response = _save_urge_rule(world, web, "9")
    assert response.status_code == 400
    form = next(
        row["form"]
        for block in response.context["builder_sections"]
        for row in block["fields"]
        if row["field"]["id"] == "urge"
    )
    assert form.errors["risk_value"] == ["'9' is outside the range of 'urge'."]
    body = response.content.decode()
    assert "Alert the therapist when…" in body


def test_a_good_rule_in_the_builder_is_saved(world, web):
    activity, response = _save_urge_rule(world, web, "4")
    assert response.status_code == 200
    with scopes_disabled():
        activity = Activity.objects.get(pk=activity.pk)
        version = activity.draft_version or activity.current_version
        [saved] = version.definition["sections"][0]["fields"]
    assert saved["risk"] == {"at_least": 4}


def test_the_api_refuses_a_bad_rule_with_its_path(world):
    client = APIClient()
    client.force_authenticate(world.therapist_a)
    broken = library_definition(
        URGE | {"risk": {"at_least": 6}},
        field_of("single_choice", id="acted", risk={"equals": "maybe"}),
        {"id": "notes", "type": "long_text", "label": "Notes", "risk": {"equals": "x"}},
    )
    response = client.post(
        "/api/v1/library/activities/", library_content(definition=broken), format="json"
    )
    assert response.status_code == 400
    paths = {error["path"] for error in response.json()["definition"]}
    assert paths == {
        "definition.sections[0].fields[0].risk.at_least",
        "definition.sections[0].fields[1].risk.equals",
        "definition.sections[0].fields[2].risk.equals",
    }
