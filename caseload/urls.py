"""The caseload, at /clients/ (in the ``clients`` URL namespace: see homework_platform/urls.py)."""

from django.urls import path

from caseload import views

urlpatterns = [path("", views.caseload, name="caseload")]
