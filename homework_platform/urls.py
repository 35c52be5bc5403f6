"""Every URL prefix of the site and the app whose URL module it mounts. The ``clients``
namespace spans the clients app (the record's forms) and the caseload app (the caseload and
the client page).
"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from homework_platform import views

CLIENT = "clients/<uuid:client_id>/"


def app(namespace, *mounts):
    """``(prefix, URL module)`` pairs under one namespace. The modules declare no app_name."""
    patterns = [path(prefix, include(module)) for prefix, module in mounts]
    return path("", include((patterns, namespace)))

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("practice/", include("accounts.urls")),
    app(
        "clients",
        ("clients/", "caseload.urls"),
        ("clients/", "clients.urls"),
        (CLIENT, "caseload.client_urls"),
        (CLIENT, "clients.client_urls"),
    ),
    path("portal/", include("portal.urls")),
    path("assignments/", include("assignments.urls")),
    path("reports/", include("reports.urls")),
    path("pathways/", include("pathways.urls")),
    path("curate/pathways/", include("pathways.curate_urls")),
    path("portal/journey/", include("pathways.portal_urls")),
    path("", include("library.urls")),  # /library/ (staff) and /curate/ (curators)
    path("", include("reminders.urls")),  # portal/notifications/, notifications/, r/… (links)
    path("", include("analytics.urls")),  # dashboard/, insights/, clients/<id>/progress/
    path("api/v1/", include("homework_platform.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]
