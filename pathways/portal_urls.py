"""The client's journey through their pathways, in the portal (/portal/journey/)."""

from django.urls import path

from pathways.views import portal

app_name = "pathways_portal"
urlpatterns = [path("", portal.journey, name="journey")]
