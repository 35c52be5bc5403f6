"""The library pages for staff: browse and search, preview, use or copy global items, build,
publish, share; who sees and changes what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from library.models import Activity, CuratedActivity
from tests.factories import curated_activity_for, library_definition, practice_activity_for

YES_NO = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]

pytestmark = pytest.mark.django_db


def _thought_record():
    return CuratedActivity.objects.get(slug="thought-record")


def _copy(browser, curated) -> Activity:
    response = browser.post(reverse("library:curated_customise", args=[curated.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        return Activity.objects.select_related("current_version").get(
            pk=response["Location"].split("/")[2]
        )


# -- browsing ---------------------------------------------------------------------------------


def test_search_finds_the_thought_record_by_title_words(world, web):
    response = web(world.therapist_a).get(reverse("library:index"), {"q": "Thought  RECORD"})
    assert response.status_code == 200
    titles = [c.current_version.title for c in response.context["curated"]]
    assert titles == ["Thought record (7 columns)"]


def test_search_covers_rationale_and_tags_and_filters_narrow_it(world, web):
    browser = web(world.therapist_a)
    by_rationale = browser.get(reverse("library:index"), {"q": "flashed"})
    assert [c.slug for c in by_rationale.context["curated"]] == ["thought-record"]
    by_tag = browser.get(reverse("library:index"), {"q": "ACT"})
    assert {"values", "cognitive-defusion"} <= {c.slug for c in by_tag.context["curated"]}
    measures = browser.get(reverse("library:index"), {"kind": "measure"})
    assert {c.slug for c in measures.context["curated"]} == {
        "phq-9",
        "gad-7",
        "phq-2",
        "gad-2",
        "phq-15",
        "pcl-5",
        "dass-21",
        "k10",
    }
    sleep = browser.get(reverse("library:index"), {"problem": "sleep", "approach": "CBT"})
    assert "sleep-diary" in {c.slug for c in sleep.context["curated"]}
    assert all("sleep" in c.current_version.problems for c in sleep.context["curated"])


def test_typing_in_the_search_box_swaps_only_the_results(world, web):
    response = web(world.therapist_a).get(
        reverse("library:index"),
        {"q": "sleep"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="library-results",
    )
    assert response.status_code == 200
    assert b"<html" not in response.content and b"Sleep diary" in response.content


def _add_rows(world, start, stop):
    for number in range(start, stop):
        practice_activity_for(world.practice_a, world.therapist_a, title=f"Worksheet {number}")
        curated_activity_for(curator=world.curator, title=f"Global {number}")


def test_the_library_runs_a_constant_number_of_queries(world, web, django_assert_num_queries):
    browser = web(world.therapist_a)
    _add_rows(world, 0, 3)
    browser.get(reverse("library:index"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        response = browser.get(reverse("library:index"))
    assert len(response.context["activities"]) == 3
    # The library's own reads: practice activities; global activities (with "in use").
    # The rest is the signed-in page (session, user, membership, the layout).
    assert len([q for q in few.captured_queries if "library_" in q["sql"]]) == 2
    _add_rows(world, 3, 30)
    with django_assert_num_queries(len(few.captured_queries)):
        response = browser.get(reverse("library:index"))
    assert len(response.context["activities"]) == 30
    assert len(response.context["curated"]) >= 30


def test_unshared_activities_are_their_authors_alone(world, web):
    private = practice_activity_for(world.practice_a, world.therapist_a, shared=False, title="Mine")
    shared = practice_activity_for(world.practice_a, world.therapist_a, title="Ours")
    colleague = web(world.colleague_a)
    listed = [a.pk for a in colleague.get(reverse("library:index")).context["activities"]]
    assert shared.pk in listed and private.pk not in listed
    assert colleague.get(reverse("library:activity_detail", args=[private.pk])).status_code == 404
    assert (
        web(world.owner_a).get(reverse("library:activity_detail", args=[private.pk])).status_code
        == 404
    )
    author = web(world.therapist_a)
    assert author.get(reverse("library:activity_detail", args=[private.pk])).status_code == 200


def test_colleagues_see_a_shared_activity_but_only_author_and_managers_change_it(world, web):
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    edit = reverse("library:activity_edit", args=[activity.pk])
    assert (
        web(world.colleague_a)
        .get(reverse("library:activity_detail", args=[activity.pk]))
        .status_code
        == 200
    )
    assert web(world.colleague_a).get(edit).status_code == 403
    assert web(world.owner_a).get(edit).status_code == 200
    assert web(world.therapist_a).get(edit).status_code == 200


# -- previews ---------------------------------------------------------------------------------


def test_a_global_item_previews_what_the_client_sees(world, web):
    response = web(world.therapist_a).get(
        reverse("library:curated_detail", args=[_thought_record().pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        'class="phone-frame"' in html and '<fieldset class="client-preview__form" disabled>' in html
    )
    assert "Why this helps" in html and "What was happening?" in html


def test_client_text_is_escaped_and_markdown_sanitised(world, web):
    script = "<script>alert('x')</script>"
    definition = {
        "schema_version": 1,
        "entry_mode": "single",
        "sections": [
            {
                "id": "main",
                "title": script,
                "fields": [
                    {
                        "id": "read",
                        "type": "instructions",
                        "label": script,
                        "body": f"Hi {script} [x](javascript:alert(1))",
                    },
                    {"id": "answer", "type": "short_text", "label": "Q", "help": script},
                ],
            }
        ],
        "scoring": None,
    }
    activity = practice_activity_for(
        world.practice_a,
        world.therapist_a,
        title=script,
        rationale=script,
        instructions=[script],
        definition=definition,
    )
    browser = web(world.therapist_a)
    for url in (
        reverse("library:activity_detail", args=[activity.pk]),
        reverse("library:activity_edit", args=[activity.pk]),
        reverse("library:index"),
    ):
        html = browser.get(url).content.decode()
        assert "<script>alert" not in html and 'href="javascript:' not in html, url
        assert "&lt;script&gt;" in html


# -- using, copying, building -----------------------------------------------------------------


def test_use_as_it_is_then_copy_and_customise(world, web):
    browser = web(world.therapist_a)
    curated = _thought_record()
    response = browser.post(reverse("library:curated_adopt", args=[curated.pk]), follow=True)
    assert "is in your practice library" in response.content.decode()
    assert response.context["curated"].in_practice
    copy = _copy(browser, curated)
    assert copy.is_customised and copy.created_by == world.therapist_a
    page = browser.get(reverse("library:activity_edit", args=[copy.pk]))
    assert page.status_code == 200 and "Publish version" not in page.content.decode()


def test_builder_add_save_move_remove_and_publish(world, web):
    browser = web(world.therapist_a)
    activity = _copy(browser, _thought_record())
    urls = {
        op: reverse(f"library:activity_{op}", args=[activity.pk])
        for op in ("field_add", "field_save", "field_move", "field_remove", "publish")
    }
    htmx = {"HTTP_HX_REQUEST": "true"}
    added = browser.post(urls["field_add"], {"section": "outcome", "type": "rating"}, **htmx)
    assert added.status_code == 200
    assert (
        'id="ed-rating_1-label"' in added.content.decode() and "autofocus" in added.content.decode()
    )
    saved = browser.post(
        urls["field_save"],
        {
            "field": "rating_1",
            "label": "How useful was this?",
            "min": "0",
            "max": "10",
            "anchors": "0 = Not at all\n10 = Very",
        },
        **htmx,
    )
    assert saved.status_code == 200, saved.content.decode()[:2000]
    moved = browser.post(urls["field_move"], {"target": "rating_1", "direction": "up"})
    assert moved.status_code == 302, "without htmx: back to the page"
    with scopes_disabled():
        activity.refresh_from_db()
        fields = activity.draft_version.definition["sections"][-1]["fields"]
    assert [f["id"] for f in fields] == ["rating_1", "emotions_after"]
    assert fields[0]["anchors"] == {"0": "Not at all", "10": "Very"}
    browser.post(urls["field_remove"], {"target": "rating_1"}, **htmx)
    browser.post(urls["field_add"], {"section": "outcome", "type": "short_text"}, **htmx)
    published = browser.post(urls["publish"], follow=True)
    assert "Published." in published.content.decode()
    with scopes_disabled():
        activity.refresh_from_db()
        assert activity.current_version.number == 2
        assert "answer_1" in [
            f["id"] for f in activity.current_version.definition["sections"][-1]["fields"]
        ]
        assert "rating_1" not in str(activity.current_version.definition)
        assert (
            activity.versions.get(number=1).definition
            == _thought_record().current_version.definition
        )


def test_a_bad_field_edit_answers_400_with_the_error_next_to_the_input(world, web):
    browser = web(world.therapist_a)
    activity = _copy(browser, _thought_record())
    url = reverse("library:activity_field_save", args=[activity.pk])
    response = browser.post(
        url,
        {"field": "situation", "label": "What happened?", "max_length": "99999"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    form = next(
        row["form"]
        for block in response.context["builder_sections"]
        for row in block["fields"]
        if row["field"]["id"] == "situation"
    )
    assert "max_length" in form.errors
    assert 'value="What happened?"' in response.content.decode(), "what was typed is kept"


def test_breaking_a_condition_elsewhere_is_refused_with_its_path(world, web):
    activity = practice_activity_for(
        world.practice_a,
        world.therapist_a,
        definition=library_definition(
            {"id": "went", "type": "single_choice", "label": "Did you go?", "options": YES_NO},
            {
                "id": "why",
                "type": "long_text",
                "label": "What stopped you?",
                "show_if": {"field": "went", "op": "equals", "value": "no"},
            },
        ),
    )
    response = web(world.therapist_a).post(
        reverse("library:activity_field_remove", args=[activity.pk]),
        {"target": "went"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "definition.sections[0].fields[0].show_if.field" in response.content.decode()
    moved = web(world.therapist_a).post(
        reverse("library:activity_field_move", args=[activity.pk]),
        {"target": "why", "direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    assert moved.status_code == 400, "a condition must look at an earlier question"


def test_json_editing_lists_every_problem_by_path(world, web):
    browser = web(world.therapist_a)
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    broken = (
        '{"schema_version": 1, "sections": [{"id": "main", "title": "M", "fields": ['
        '{"id": "a", "type": "hologram", "label": "A"},'
        '{"id": "a", "type": "checklist", "label": "B", "options": []}]}]}'
    )
    response = browser.post(
        reverse("library:activity_json", args=[activity.pk]), {"definition": broken}
    )
    html = response.content.decode()
    assert response.status_code == 400
    for path in (
        "definition.sections[0].fields[0].type",
        "definition.sections[0].fields[1].id",
        "definition.sections[0].fields[1].options",
    ):
        assert path in html
    preview = browser.post(
        reverse("library:activity_preview", args=[activity.pk]), {"definition": broken}
    )
    assert preview.status_code == 200 and "sections[0].fields[0].type" in preview.content.decode()
    good = (
        broken.replace("hologram", "short_text")
        .replace('"id": "a", "type": "checklist"', '"id": "b", "type": "checklist"')
        .replace('"options": []', '"options": [{"value": "x", "label": "X"}]')
    )
    preview = browser.post(
        reverse("library:activity_preview", args=[activity.pk]), {"definition": good}
    )
    assert 'class="phone-frame"' in preview.content.decode()


def test_details_form_and_sharing(world, web):
    browser = web(world.therapist_a)
    activity = _copy(browser, _thought_record())
    response = browser.post(
        reverse("library:activity_details", args=[activity.pk]),
        {"title": "", "estimated_minutes": "0", "kind": "worksheet"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert set(response.context["details_form"].errors) >= {"title", "estimated_minutes"}
    browser.post(reverse("library:activity_share", args=[activity.pk]), {"shared": "1"})
    with scopes_disabled():
        activity.refresh_from_db()
    assert activity.shared


def test_new_activity_from_scratch(world, web):
    browser = web(world.therapist_a)
    response = browser.post(
        reverse("library:activity_create"),
        {
            "title": "Evening check-in",
            "estimated_minutes": "5",
            "kind": "practice log",
            "approaches": ["BA"],
        },
    )
    assert response.status_code == 302
    empty = browser.post(
        reverse("library:activity_create"),
        {"title": "", "estimated_minutes": "5", "kind": "worksheet"},
    )
    assert empty.status_code == 400


def test_exports_and_import_page(world, web):
    browser = web(world.therapist_a)
    activity = practice_activity_for(world.practice_a, world.therapist_a)
    exported = browser.get(reverse("library:activity_export_json", args=[activity.pk]))
    assert exported["Content-Disposition"] == 'attachment; filename="noticing-worksheet.json"'
    fhir = browser.get(reverse("library:curated_export_fhir", args=[_thought_record().pk]))
    assert fhir.json()["resourceType"] == "Questionnaire"
    imported = browser.post(reverse("library:import"), {"text": exported.content.decode()})
    assert imported.status_code == 302
    bad = browser.post(reverse("library:import"), {"text": '{"title": "x", "definition": {}}'})
    assert bad.status_code == 400 and "definition" in bad.content.decode()
    with scopes_disabled():
        assert Activity.objects.filter(practice=world.practice_a).count() == 2


def test_uploaded_media_is_served_to_its_practice_only(world, web):
    from django.core.files.base import ContentFile

    from library.models import ActivityMedia

    with scopes_disabled():
        media = ActivityMedia.objects.create(
            practice=world.practice_a,
            file=ContentFile(b"\x89PNG\r\n\x1a\n", name="a.png"),
            kind="image",
            content_type="image/png",
            original_name="a.png",
            size=8,
        )
    url = reverse("library:media", args=[media.pk])
    response = web(world.therapist_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert web(world.therapist_b).get(url).status_code == 404


# -- curators ---------------------------------------------------------------------------------


def test_staff_never_reach_the_curator_area(world, web):
    curated = _thought_record()
    for user in (world.therapist_a, world.owner_a):
        browser = web(user)
        assert browser.get(reverse("library:curate_list")).status_code == 404
        assert browser.get(reverse("library:curate_detail", args=[curated.pk])).status_code == 404
        assert browser.post(reverse("library:curate_publish", args=[curated.pk])).status_code == 404


def test_curators_draft_publish_retire_and_see_which_practices_use_an_item(world, web, portal):
    curator = web(world.curator)
    response = curator.post(
        reverse("library:curate_create"),
        {
            "title": "Savouring",
            "rationale": "Good moments last longer.",
            "instructions": "Notice one good thing.",
            "estimated_minutes": "5",
            "kind": "worksheet",
            "approaches": ["CBT"],
            "problems": ["depression"],
        },
    )
    assert response.status_code == 302
    curated = CuratedActivity.objects.get(slug="savouring")
    therapist = web(world.therapist_a)
    assert therapist.get(reverse("library:curated_detail", args=[curated.pk])).status_code == 404
    curator.post(reverse("library:curate_publish", args=[curated.pk]))
    assert therapist.get(reverse("library:curated_detail", args=[curated.pk])).status_code == 200
    therapist.post(reverse("library:curated_adopt", args=[curated.pk]))
    web(world.therapist_b).post(reverse("library:curated_customise", args=[curated.pk]))
    detail = curator.get(reverse("library:curate_detail", args=[curated.pk]))
    usage = detail.context["usage"]
    assert [(u["name"], u["as_is"], u["customised"]) for u in usage] == [
        ("Alpha Practice", True, False),
        ("Beta Practice", False, True),
    ]
    assert "Alpha Client" not in detail.content.decode()
    listing = curator.get(reverse("library:curate_list"), {"q": "savouring"})
    assert [c.practice_count for c in listing.context["curated"]] == [2]
    curator.post(reverse("library:curate_retire", args=[curated.pk]), {"retired": "1"})
    assert therapist.get(reverse("library:curated_detail", args=[curated.pk])).status_code == 404
    edit = curator.post(
        reverse("library:curate_field_add", args=[curated.pk]),
        {"section": "main", "type": "checklist"},
    )
    assert edit.status_code == 302
    curated.refresh_from_db()
    assert curated.draft_version.number == 2


def test_the_curator_list_runs_a_constant_number_of_queries(world, web, django_assert_num_queries):
    curator = web(world.curator)
    curator.get(reverse("library:curate_list"))
    with CaptureQueriesContext(connection) as few:
        curator.get(reverse("library:curate_list"))
    _add_rows(world, 0, 10)
    with django_assert_num_queries(len(few.captured_queries)):
        response = curator.get(reverse("library:curate_list"))
    assert any(item.practice_count == 0 for item in response.context["curated"])


def test_a_field_needed_to_publish_is_not_also_marked_optional(world, web):
    """Issue 23: "Why this helps (optional)" above "Needed before publishing" said both."""
    page = web(world.therapist_a).get("/library/new/").content.decode()
    label = page.split('for="id_rationale"', 1)[1].split("</label>", 1)[0]
    assert "(needed before publishing)" in label and "(optional)" not in label
    assert "Needed before publishing." not in page
