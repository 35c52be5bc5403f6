"""The global pathway library for curators, under /curate/pathways/."""

from django.urls import path

from pathways.urls import builder_patterns
from pathways.views import authoring
from pathways.views.authoring import CURATE

app_name = "curate_pathways"
urlpatterns = [
    path("", authoring.curate_index, name="index"),
    *builder_patterns(CURATE),
]
