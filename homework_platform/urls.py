"""Every URL prefix of the site and the app whose URL module it mounts.

An app may own more than one prefix (its staff pages, the curator area, the portal, the links
in emails): ``app()`` mounts each of its modules at its prefix and keeps them all in one URL
namespace, so a page's name (``reminders:client_preferences``) stays the same wherever the
page lives. One client's staff pages form one tree, ``CLIENT``: each app with pages about a
client adds them there through its ``client_urls`` module. The ``clients`` namespace spans the
clients app (the record's forms) and the caseload app (the caseload and the client page).
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
    app(
        "library",
        ("library/", "library.urls"),
        ("curate/", "library.curate_urls"),
    ),
    app(
        "assignments",
        ("assignments/", "assignments.urls"),
        (CLIENT, "assignments.client_urls"),
    ),
    path("pathways/", include("pathways.urls")),
    path("curate/pathways/", include("pathways.curate_urls")),
    path("portal/journey/", include("pathways.portal_urls")),
    app(
        "reminders",
        ("reminders/", "reminders.urls"),
        ("notifications/", "reminders.notification_urls"),
        ("practice/reminders/", "reminders.practice_urls"),
        ("portal/reminders/", "reminders.portal_urls"),
        ("portal/notifications/", "reminders.portal_notification_urls"),
        ("r/", "reminders.link_urls"),
    ),
    app(
        "analytics",
        ("dashboard/", "analytics.dashboard_urls"),
        ("insights/", "analytics.insights_urls"),
        (CLIENT, "analytics.client_urls"),
    ),
    app(
        "conversations",
        (CLIENT, "conversations.client_urls"),
        ("portal/conversation/", "conversations.portal_urls"),
    ),
    app(
        "reports",
        ("reports/", "reports.urls"),
        (CLIENT, "reports.client_urls"),
    ),
    app(
        "privacy",
        ("practice/privacy/", "privacy.urls"),
        (CLIENT, "privacy.client_urls"),
        ("portal/privacy/", "privacy.portal_urls"),
    ),
    path("api/v1/", include("homework_platform.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]
