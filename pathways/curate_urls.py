"""The global pathway library for curators, under /curate/pathways/."""

from django.urls import path

from pathways import views
from pathways.urls import builder_patterns
from pathways.views import CURATE

app_name = "curate_pathways"
urlpatterns = [
    path("", views.curate_index, name="index"),
    *builder_patterns(CURATE),
]
