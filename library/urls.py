"""The library for staff, at /library/. The curator area (library/curate_urls.py, /curate/)
shares the ``library`` namespace, declared in homework_platform/urls.py: the builder names its
pages ``library:activity_…`` or ``library:curate_…``."""

from django.urls import path

from library.views import builder, practice, transfer

BUILDER_OPERATIONS = [
    ("details/", "details"),
    ("json/", "json"),
    ("preview/", "preview"),
    ("field/add/", "field_add"),
    ("field/save/", "field_save"),
    ("field/move/", "field_move"),
    ("field/remove/", "field_remove"),
    ("section/add/", "section_add"),
    ("section/save/", "section_save"),
    ("section/move/", "section_move"),
    ("section/remove/", "section_remove"),
]

urlpatterns = [
    path("", practice.index, name="index"),
    path("new/", practice.activity_create, name="activity_create"),
    path("import/", transfer.activity_import, name="import"),
    path("media/<uuid:media_id>/", transfer.media_file, name="media"),
    path("global/<uuid:curated_id>/", practice.curated_detail, name="curated_detail"),
    path("global/<uuid:curated_id>/adopt/", practice.curated_adopt, name="curated_adopt"),
    path(
        "global/<uuid:curated_id>/customise/",
        practice.curated_customise,
        name="curated_customise",
    ),
    path("library/global/<uuid:curated_id>/adapt/", practice.curated_adapt, name="curated_adapt"),
    path(
        "global/<uuid:curated_id>/export/json/",
        transfer.curated_export,
        {"fmt": "json"},
        name="curated_export_json",
    ),
    path(
        "global/<uuid:curated_id>/export/fhir/",
        transfer.curated_export,
        {"fmt": "fhir"},
        name="curated_export_fhir",
    ),
    path("<uuid:activity_id>/", practice.activity_detail, name="activity_detail"),
    path(
        "<uuid:activity_id>/versions/<int:number>/",
        practice.activity_version,
        name="activity_version",
    ),
    path("<uuid:activity_id>/edit/", builder.activity_builder, name="activity_edit"),
    path("<uuid:activity_id>/publish/", practice.activity_publish, name="activity_publish"),
    path("<uuid:activity_id>/discard/", practice.activity_discard, name="activity_discard"),
    path("<uuid:activity_id>/share/", practice.activity_share, name="activity_share"),
    path("<uuid:activity_id>/adapt/", practice.activity_adapt, name="activity_adapt"),
    path("<uuid:activity_id>/retire/", practice.activity_retire, name="activity_retire"),
    path(
        "<uuid:activity_id>/export/json/",
        transfer.activity_export,
        {"fmt": "json"},
        name="activity_export_json",
    ),
    path(
        "<uuid:activity_id>/export/fhir/",
        transfer.activity_export,
        {"fmt": "fhir"},
        name="activity_export_fhir",
    ),
]

urlpatterns += [
    path(
        f"<uuid:activity_id>/edit/{route}",
        builder.activity_builder_edit,
        {"op": op},
        name=f"activity_{op}",
    )
    for route, op in BUILDER_OPERATIONS
]
