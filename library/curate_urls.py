"""The curator area for global activities, at /curate/ (the ``library`` namespace: see
library/urls.py)."""

from django.urls import path

from library.urls import BUILDER_OPERATIONS
from library.views import builder, curate, transfer

urlpatterns = [
    path("", curate.curate_list, name="curate_list"),
    path("new/", curate.curate_create, name="curate_create"),
    path("<uuid:curated_id>/", curate.curate_detail, name="curate_detail"),
    path("<uuid:curated_id>/edit/", builder.curated_builder, name="curate_edit"),
    path("<uuid:curated_id>/publish/", curate.curate_publish, name="curate_publish"),
    path("<uuid:curated_id>/discard/", curate.curate_discard, name="curate_discard"),
    path("<uuid:curated_id>/retire/", curate.curate_retire, name="curate_retire"),
    path(
        "<uuid:curated_id>/export/json/",
        transfer.curate_export,
        {"fmt": "json"},
        name="curate_export_json",
    ),
    path(
        "<uuid:curated_id>/export/fhir/",
        transfer.curate_export,
        {"fmt": "fhir"},
        name="curate_export_fhir",
    ),
]
urlpatterns += [
    path(
        f"<uuid:curated_id>/edit/{route}",
        builder.curated_builder_edit,
        {"op": op},
        name=f"curate_{op}",
    )
    for route, op in BUILDER_OPERATIONS
]
