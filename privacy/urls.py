"""The practice's consent documents, retention and erasure approvals, at /practice/privacy/."""

from django.urls import path

from privacy import views

urlpatterns = [
    path("", views.practice_privacy, name="practice_privacy"),
    path("documents/<uuid:document_id>/", views.document_detail, name="document"),
    path("retention/", views.retention_update, name="retention"),
    path("erasures/<uuid:erasure_id>/approve/", views.erasure_approve, name="erasure_approve"),
    path("erasures/<uuid:erasure_id>/decline/", views.erasure_decline, name="erasure_decline"),
]
