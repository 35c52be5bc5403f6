"""The client's journey through their pathways, in the portal (/portal/journey/)."""

from django.urls import path

from pathways import views

app_name = "pathways_portal"
urlpatterns = [path("", views.journey, name="journey")]
