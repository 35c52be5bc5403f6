"""Every REST resource under /api/v1/. Apps register their viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api import MembershipViewSet
from analytics.api import DashboardView, InsightsView
from analytics.progress_api import ClientProgressView
from assignments.api import (
    AssignmentViewSet,
    FlagViewSet,
    OccurrenceViewSet,
    PortalAssignmentViewSet,
    PortalOccurrenceViewSet,
    PortalResponseViewSet,
    ResponseViewSet,
    ReviewViewSet,
)
from caseload.group_api import ClientGroupViewSet
from clients.api import ClientViewSet, GoalViewSet
from conversations.api import (
    ConversationViewSet,
    ItemReviewViewSet,
    MissedReasonViewSet,
    PlanAgreementViewSet,
    PortalMissedReasonViewSet,
    PortalPlanAgreementViewSet,
)
from library.api import ActivityViewSet, CuratedActivityViewSet, MediaViewSet
from pathways.api import EnrolmentStepViewSet, EnrolmentViewSet, PathwayStepViewSet, PathwayViewSet
from pathways.library_api import GlobalPathwayViewSet
from privacy.api import ClientConsentView, ConsentDocumentViewSet, ErasureRequestViewSet
from reminders.api import NotificationViewSet
from reports.fhir_api import (
    ClientBundleView,
    ClientFhirImportView,
    ClientObservationsView,
    ResponseFhirView,
)

# Path converters: ids are <uuid:pk>. No ".json" suffix routes: ``?format=`` chooses the
# renderer, and a suffix passed ``format`` to every @action, which does not take it (a 500).
router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False
router.register("clients", ClientViewSet, basename="client")
router.register("client-groups", ClientGroupViewSet, basename="client-group")
router.register("goals", GoalViewSet, basename="goal")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("library/activities", ActivityViewSet, basename="library-activity")
router.register("library/global", CuratedActivityViewSet, basename="library-global")
router.register("library/media", MediaViewSet, basename="library-media")
# Before "pathways": its ids are UUIDs, so "global" would not match one anyway.
router.register("pathways/global", GlobalPathwayViewSet, basename="pathway-global")
router.register("pathways", PathwayViewSet, basename="pathway")
router.register("pathway-steps", PathwayStepViewSet, basename="pathway-step")
router.register("pathway-enrolments", EnrolmentViewSet, basename="pathway-enrolment")
router.register("pathway-enrolment-steps", EnrolmentStepViewSet, basename="pathway-enrolment-step")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("occurrences", OccurrenceViewSet, basename="occurrence")
router.register("responses", ResponseViewSet, basename="response")
router.register("reviews", ReviewViewSet, basename="review")
router.register("flags", FlagViewSet, basename="flag")
router.register("portal/occurrences", PortalOccurrenceViewSet, basename="portal-occurrence")
router.register("portal/responses", PortalResponseViewSet, basename="portal-response")
router.register("portal/assignments", PortalAssignmentViewSet, basename="portal-assignment")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("consent-documents", ConsentDocumentViewSet, basename="consent-document")
router.register("erasure-requests", ErasureRequestViewSet, basename="erasure-request")
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("conversation-items", ItemReviewViewSet, basename="conversation-item")
router.register("plan-agreements", PlanAgreementViewSet, basename="plan-agreement")
router.register("missed-reasons", MissedReasonViewSet, basename="missed-reason")
router.register(
    "portal/plan-agreements", PortalPlanAgreementViewSet, basename="portal-plan-agreement"
)
router.register("portal/missed-reasons", PortalMissedReasonViewSet, basename="portal-missed-reason")

urlpatterns = router.urls
urlpatterns += [
    path(  # privacy: a client's answer to each consent document in force
        "clients/<uuid:client_id>/consent/",
        ClientConsentView.as_view(),
        name="client-consent",
    ),
]
urlpatterns += [
    path(  # analytics: a client's progress (measures, ratings, adherence by week)
        "analytics/clients/<uuid:client_id>/progress/",
        ClientProgressView.as_view(),
        name="analytics-client-progress",
    ),
]
urlpatterns += [  # analytics: the caseload dashboard and practice insights (read-only)
    path("analytics/dashboard/", DashboardView.as_view(), name="analytics-dashboard"),
    path("analytics/insights/", InsightsView.as_view(), name="analytics-insights"),
]
urlpatterns += [  # reports: a client's record as FHIR R4, and entries imported from FHIR
    path("clients/<uuid:client_id>/fhir/", ClientBundleView.as_view(), name="fhir-client-bundle"),
    path(
        "clients/<uuid:client_id>/fhir/observations/",
        ClientObservationsView.as_view(),
        name="fhir-client-observations",
    ),
    path(
        "clients/<uuid:client_id>/fhir/import/",
        ClientFhirImportView.as_view(),
        name="fhir-client-import",
    ),
    path("responses/<uuid:response_id>/fhir/", ResponseFhirView.as_view(), name="fhir-response"),
]
