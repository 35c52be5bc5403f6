"""Validated instruments (PHQ-9, GAD-7) are locked in a practice's copy; a variant is an
adapted copy without the instrument's name, LOINC codes and change thresholds; both carry the
instrument's credit."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from accounts.models import Membership
from assignments.measures import thresholds_for
from core.tenancy import practice_scope
from library import services
from library.models import Activity, CuratedActivity
from worksheets import load_measure, validate_definition
from worksheets.render import render_worksheet

pytestmark = pytest.mark.django_db

PFIZER = "with an educational grant from Pfizer Inc."


@pytest.fixture
def member_a(world):
    with scopes_disabled():
        membership = Membership.objects.get(practice=world.practice_a, user=world.therapist_a)
    with practice_scope(world.practice_a):
        yield membership


def _curated(slug="phq-9"):
    return CuratedActivity.objects.select_related("current_version").get(slug=slug)


@pytest.fixture
def phq9_copy(world, member_a):
    return services.activity_customise(
        practice=world.practice_a, actor=member_a, curated=_curated()
    )


def _item9_reworded(definition):
    changed = copy.deepcopy(definition)
    changed["sections"][0]["fields"][8]["label"] = "Do you sometimes feel low?"
    return changed


def _without_risk_rule(definition):
    changed = copy.deepcopy(definition)
    del changed["sections"][0]["fields"][8]["risk"]
    return changed


def _without_item(definition):
    changed = copy.deepcopy(definition)
    changed["sections"][0]["fields"].pop(3)
    changed["scoring"]["items"].remove("q4")
    return changed


def _options_changed(definition):
    changed = copy.deepcopy(definition)
    changed["sections"][0]["fields"][0]["options"][3]["score"] = 2
    return changed


def _loinc_dropped(definition):
    changed = copy.deepcopy(definition)
    del changed["scoring"]["loinc"]
    return changed


def _instrument_dropped(definition):
    changed = copy.deepcopy(definition)
    del changed["instrument"]
    return changed


# --- The measure files -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["phq9", "gad7"])
def test_the_standard_measures_are_validated_with_their_credit(name):
    definition = load_measure(name)
    instrument = definition["instrument"]
    assert instrument["validated"] is True
    assert instrument["name"] == {"phq9": "PHQ-9", "gad7": "GAD-7"}[name]
    assert instrument["attribution"] == (
        "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
        "with an educational grant from Pfizer Inc. No permission required to reproduce, "
        "translate, display or distribute."
    )
    assert instrument["citation"] and instrument["licence"]
    assert validate_definition(definition) == []


def test_a_validated_instrument_block_must_name_and_credit_it():
    definition = load_measure("phq9")
    definition["instrument"] = {"validated": True, "adapted_from": "PHQ-9", "extra": 1}
    paths = {issue.path for issue in validate_definition(definition)}
    assert {
        "instrument.extra",
        "instrument.name",
        "instrument.attribution",
        "instrument.adapted_from",
    } <= paths


# --- The service -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        _item9_reworded,
        _without_risk_rule,
        _without_item,
        _options_changed,
        _loinc_dropped,
        _instrument_dropped,
    ],
)
def test_a_locked_copy_refuses_changes_to_items_options_scoring_and_risk_rules(
    phq9_copy, member_a, change
):
    definition = phq9_copy.current_version.definition
    assert phq9_copy.current_version.is_locked_instrument
    with pytest.raises(ValidationError) as caught:
        services.activity_draft_save(
            activity=phq9_copy, actor=member_a, definition=change(definition)
        )
    message = " ".join(caught.value.message_dict["definition"])
    assert "The PHQ-9 is a validated instrument" in message
    assert "make an adapted copy" in message
    phq9_copy.refresh_from_db()
    assert phq9_copy.draft_version is None, "nothing half-saved"


def test_a_locked_copy_stays_a_measure(phq9_copy, member_a):
    with pytest.raises(ValidationError) as caught:
        services.activity_draft_save(activity=phq9_copy, actor=member_a, kind="worksheet")
    assert "stays a measure" in caught.value.message_dict["kind"][0]


def test_a_locked_copy_may_change_what_frames_it_for_the_client(phq9_copy, member_a):
    draft = services.activity_draft_save(
        activity=phq9_copy,
        actor=member_a,
        title="Mood check-in (PHQ-9)",
        rationale="We use these questions every few weeks to see how your mood is changing.",
        instructions=["Think about the last two weeks."],
        estimated_minutes=4,
    )
    activity = services.activity_publish(activity=phq9_copy, actor=member_a)
    assert activity.current_version == draft
    assert draft.definition == phq9_copy.current_version.definition
    assert draft.definition["scoring"]["loinc"]["panel"] == "44249-1"


@pytest.mark.parametrize("source", ["global", "practice copy"])
def test_an_adapted_copy_loses_the_name_codes_and_thresholds_and_credits_its_source(
    world, member_a, phq9_copy, source
):
    given = {"curated": _curated()} if source == "global" else {"activity": phq9_copy}
    adapted = services.activity_adapt(practice=world.practice_a, actor=member_a, **given)
    version = adapted.current_version
    assert version.title == "Adapted from PHQ-9"
    assert "loinc" not in version.definition["scoring"]
    assert thresholds_for(version.definition) is None
    assert version.definition["instrument"] == {
        "validated": False,
        "adapted_from": "PHQ-9",
        "attribution": load_measure("phq9")["instrument"]["attribution"],
    }
    assert not version.is_locked_instrument
    # Its risk alert comes along; what the practice does with it from here is its choice.
    assert version.definition["sections"][0]["fields"][8]["risk"]["at_least"] == 1
    assert (adapted.status, adapted.shared, adapted.is_customised) == ("draft", False, True)
    assert adapted.origin == _curated()
    # Unlocked: the practice may now reword item 9.
    services.activity_draft_save(
        activity=adapted, actor=member_a, definition=_item9_reworded(version.definition)
    )


def test_only_a_validated_instrument_has_an_adapted_copy(world, member_a):
    thought_record = CuratedActivity.objects.get(slug="thought-record")
    with pytest.raises(ValidationError, match="Only a validated instrument"):
        services.activity_adapt(practice=world.practice_a, actor=member_a, curated=thought_record)


def _create_measure(world, member, definition):
    return services.activity_create(
        practice=world.practice_a,
        actor=member,
        title="My PHQ-9",
        rationale="Why.",
        kind="measure",
        definition=definition,
    )


def test_practice_content_cannot_claim_to_be_a_validated_instrument(world, member_a):
    definition = load_measure("phq9")
    with pytest.raises(ValidationError, match="Only an instrument added from the global"):
        _create_measure(world, member_a, definition)
    del definition["instrument"]
    with pytest.raises(ValidationError, match="These LOINC codes belong to the PHQ-9"):
        _create_measure(world, member_a, definition)
    adapted = services.activity_adapt(
        practice=world.practice_a, actor=member_a, curated=_curated("gad-7")
    )
    with_codes = copy.deepcopy(adapted.current_version.definition)
    with_codes["scoring"]["loinc"] = {"panel": "69737-5"}
    with pytest.raises(ValidationError, match="belong to the GAD-7"):
        services.activity_draft_save(activity=adapted, actor=member_a, definition=with_codes)


# --- Builder and API -------------------------------------------------------------------------


def test_the_builder_shows_the_lock_and_refuses_a_locked_edit(world, web, phq9_copy):
    browser = web(world.therapist_a)
    page = browser.get(reverse("library:activity_edit", args=[phq9_copy.pk])).content.decode()
    assert "The PHQ-9’s questions are locked" in page
    assert reverse("library:activity_adapt", args=[phq9_copy.pk]) in page
    assert "Add a section" not in page and "Edit as JSON" not in page
    assert "Details the client reads" in page

    changed = _item9_reworded(phq9_copy.current_version.definition)
    response = browser.post(
        reverse("library:activity_json", args=[phq9_copy.pk]), {"definition": json.dumps(changed)}
    )
    assert response.status_code == 400
    assert "The PHQ-9 is a validated instrument" in response.content.decode()
    removed = browser.post(
        reverse("library:activity_field_remove", args=[phq9_copy.pk]), {"target": "q9"}
    )
    assert removed.status_code == 400
    with scopes_disabled():
        phq9_copy.refresh_from_db()
        assert phq9_copy.draft_version is None


def test_make_an_adapted_copy_from_the_library_pages(world, web, phq9_copy):
    browser = web(world.therapist_a)
    curated = _curated()
    page = browser.get(reverse("library:curated_detail", args=[curated.pk])).content.decode()
    assert "Make an adapted copy" in page and PFIZER in page
    response = browser.post(reverse("library:curated_adapt", args=[curated.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        adapted = Activity.objects.get(current_version__title="Adapted from PHQ-9")
    assert response["Location"] == reverse("library:activity_edit", args=[adapted.pk])
    builder = browser.get(response["Location"]).content.decode()
    assert "questions are locked" not in builder and "Edit as JSON" in builder
    assert "Adapted from the PHQ-9" in builder, "the preview credits the source"
    detail = browser.get(reverse("library:activity_detail", args=[phq9_copy.pk])).content
    assert reverse("library:activity_adapt", args=[phq9_copy.pk]) in detail.decode()
    again = browser.post(reverse("library:activity_adapt", args=[phq9_copy.pk]))
    assert again.status_code == 302


def test_outsiders_get_404_for_adapt(world, web, phq9_copy):
    browser = web(world.therapist_b)
    url = reverse("library:activity_adapt", args=[phq9_copy.pk])
    assert browser.post(url).status_code == 404
    with scopes_disabled():
        assert not Activity.objects.filter(practice=world.practice_b).exists()


def test_the_api_refuses_a_locked_edit_and_adapts(world, phq9_copy):
    client = APIClient()
    client.force_authenticate(world.therapist_a)
    changed = _without_risk_rule(phq9_copy.current_version.definition)
    response = client.post(
        f"/api/v1/library/activities/{phq9_copy.pk}/versions/",
        {"definition": changed},
        format="json",
    )
    assert response.status_code == 400
    assert "validated instrument" in json.dumps(response.json())
    adapted = client.post(f"/api/v1/library/global/{_curated().pk}/adapt/")
    assert adapted.status_code == 201
    assert adapted.json()["current_version"]["title"] == "Adapted from PHQ-9"
    refused = client.post(
        f"/api/v1/library/global/{CuratedActivity.objects.get(slug='thought-record').pk}/adapt/"
    )
    assert refused.status_code == 400


# --- The credit under the worksheet --------------------------------------------------------


def test_the_credit_is_shown_when_filling_in_and_printing_but_not_with_each_answer():
    definition = load_measure("gad7")
    assert PFIZER in render_worksheet(definition, mode="form")
    assert PFIZER in render_worksheet(definition, mode="print")
    assert PFIZER not in render_worksheet(definition, answers={}, mode="readonly")


# --- Copies made before instruments were locked --------------------------------------------


def test_the_migration_locks_unchanged_copies_and_uncodes_changed_ones(world):
    import importlib

    from django.apps import apps

    from tests.factories import activity_version_for

    migration = importlib.import_module("library.migrations.0005_validated_instruments")
    # A copy made then had PHQ-9 as it was then: without the later functional-difficulty item.
    unchanged_definition = migration._as_then(_instrument_dropped(load_measure("phq9")))
    changed_definition = _without_risk_rule(_item9_reworded(unchanged_definition))
    unchanged = activity_version_for(world.practice_a, "phq-9", definition=unchanged_definition)
    changed = activity_version_for(world.practice_a, "phq-9", definition=changed_definition)
    mine = activity_version_for(world.practice_a, "thought-record")
    with scopes_disabled():
        migration.forward(apps, None)
        for version in (unchanged, changed, mine):
            version.refresh_from_db()
    assert unchanged.is_locked_instrument
    assert unchanged.definition["scoring"]["loinc"]["panel"] == "44249-1"
    assert not changed.is_locked_instrument
    assert changed.instrument["adapted_from"] == "PHQ-9"
    assert "loinc" not in changed.definition["scoring"]
    assert "instrument" not in mine.definition
    assert _curated().current_version.is_locked_instrument
