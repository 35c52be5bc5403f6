"""Documents and branding at /reports/, and the client's documents at /reports/portal/ (the
namespace is declared in homework_platform/urls.py)."""

from django.urls import path

from reports import export_views, views

urlpatterns = [
    path("library/<uuid:activity_id>/blank/", views.activity_blank, name="activity_blank"),
    path("library/global/<uuid:curated_id>/blank/", views.curated_blank, name="curated_blank"),
    path("responses/<uuid:response_id>/", views.response_pdf, name="response"),
    path("documents/<uuid:document_id>/", views.document_page, name="document"),
    path("documents/<uuid:document_id>/status/", views.document_status, name="document_status"),
    path(
        "documents/<uuid:document_id>/download/",
        views.document_download,
        name="document_download",
    ),
    path("branding/", views.branding, name="branding"),
    path("branding/logo/", views.branding_logo, name="branding_logo"),
    path(
        "portal/assignments/<uuid:assignment_id>/blank/",
        views.portal_assignment_blank,
        name="portal_assignment_blank",
    ),
    path("portal/responses/<uuid:response_id>/", views.portal_response_pdf, name="portal_response"),
    path(
        "portal/conversations/<uuid:conversation_id>/",
        views.portal_conversation_pdf,
        name="portal_conversation",
    ),
    path(
        "portal/documents/<uuid:document_id>/", views.portal_document_page, name="portal_document"
    ),
    path(
        "portal/documents/<uuid:document_id>/status/",
        views.portal_document_status,
        name="portal_document_status",
    ),
    path("exports/<uuid:export_id>/", export_views.export_page, name="export"),
    path(
        "exports/<uuid:export_id>/download/",
        export_views.export_download,
        name="export_download",
    ),
    path("portal/your-data/", export_views.portal_exports, name="portal_exports"),
    path(
        "portal/your-data/<uuid:export_id>/",
        export_views.portal_export_page,
        name="portal_export",
    ),
    path(
        "portal/your-data/<uuid:export_id>/download/",
        export_views.portal_export_download,
        name="portal_export_download",
    ),
    path(
        "portal/documents/<uuid:document_id>/download/",
        views.portal_document_download,
        name="portal_document_download",
    ),
]
