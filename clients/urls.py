"""Adding a client, at /clients/new/ (the caseload itself is the caseload app's)."""

from django.urls import path

from clients import views

urlpatterns = [path("new/", views.client_create, name="create")]
