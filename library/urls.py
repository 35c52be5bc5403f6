"""The library for staff under /library/ and the curator area under /curate/ (one namespace:
the curator pages share the builder)."""

from django.urls import path

from library.views import builder, curate, practice, transfer

app_name = "library"

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
    path("library/", practice.index, name="index"),
    path("library/new/", practice.activity_create, name="activity_create"),
    path("library/import/", transfer.activity_import, name="import"),
    path("library/media/<uuid:media_id>/", transfer.media_file, name="media"),
    path("library/global/<uuid:curated_id>/", practice.curated_detail, name="curated_detail"),
    path("library/global/<uuid:curated_id>/adopt/", practice.curated_adopt, name="curated_adopt"),
    path(
        "library/global/<uuid:curated_id>/customise/",
        practice.curated_customise,
        name="curated_customise",
    ),
    path("library/global/<uuid:curated_id>/adapt/", practice.curated_adapt, name="curated_adapt"),
    path(
        "library/global/<uuid:curated_id>/export/json/",
        transfer.curated_export,
        {"fmt": "json"},
        name="curated_export_json",
    ),
    path(
        "library/global/<uuid:curated_id>/export/fhir/",
        transfer.curated_export,
        {"fmt": "fhir"},
        name="curated_export_fhir",
    ),
    path("library/<uuid:activity_id>/", practice.activity_detail, name="activity_detail"),
    path(
        "library/<uuid:activity_id>/versions/<int:number>/",
        practice.activity_version,
        name="activity_version",
    ),
    path("library/<uuid:activity_id>/edit/", builder.activity_builder, name="activity_edit"),
    path("library/<uuid:activity_id>/publish/", practice.activity_publish, name="activity_publish"),
    path("library/<uuid:activity_id>/discard/", practice.activity_discard, name="activity_discard"),
    path("library/<uuid:activity_id>/share/", practice.activity_share, name="activity_share"),
    path("library/<uuid:activity_id>/adapt/", practice.activity_adapt, name="activity_adapt"),
    path("library/<uuid:activity_id>/retire/", practice.activity_retire, name="activity_retire"),
    path(
        "library/<uuid:activity_id>/export/json/",
        transfer.activity_export,
        {"fmt": "json"},
        name="activity_export_json",
    ),
    path(
        "library/<uuid:activity_id>/export/fhir/",
        transfer.activity_export,
        {"fmt": "fhir"},
        name="activity_export_fhir",
    ),
    path("curate/", curate.curate_list, name="curate_list"),
    path("curate/new/", curate.curate_create, name="curate_create"),
    path("curate/<uuid:curated_id>/", curate.curate_detail, name="curate_detail"),
    path("curate/<uuid:curated_id>/edit/", builder.curated_builder, name="curate_edit"),
    path("curate/<uuid:curated_id>/publish/", curate.curate_publish, name="curate_publish"),
    path("curate/<uuid:curated_id>/discard/", curate.curate_discard, name="curate_discard"),
    path("curate/<uuid:curated_id>/retire/", curate.curate_retire, name="curate_retire"),
    path(
        "curate/<uuid:curated_id>/export/json/",
        transfer.curate_export,
        {"fmt": "json"},
        name="curate_export_json",
    ),
    path(
        "curate/<uuid:curated_id>/export/fhir/",
        transfer.curate_export,
        {"fmt": "fhir"},
        name="curate_export_fhir",
    ),
]

urlpatterns += [
    path(
        f"library/<uuid:activity_id>/edit/{route}",
        builder.activity_builder_edit,
        {"op": op},
        name=f"activity_{op}",
    )
    for route, op in BUILDER_OPERATIONS
]
urlpatterns += [
    path(
        f"curate/<uuid:curated_id>/edit/{route}",
        builder.curated_builder_edit,
        {"op": op},
        name=f"curate_{op}",
    )
    for route, op in BUILDER_OPERATIONS
]
