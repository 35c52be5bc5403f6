"""Read-only REST views of the caseload dashboard and the practice insights."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.audit import audit_record
from analytics import selectors
from analytics.dashboard_views import dashboard_params
from analytics.serializers import DashboardRowSerializer, InsightsSerializer
from core.api import Pagination, TenantAPIMixin
from core.permissions import IsPracticeMember


class IsPracticeManager(IsPracticeMember):
    message = "Only owners and admins of the practice can see this."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.membership.is_manager


DASHBOARD_PARAMETERS = [
    OpenApiParameter("filter", OpenApiTypes.STR, enum=list(selectors.FILTERS)),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        description="name, completion, overdue, activity or score; a leading '-' reverses.",
    ),
    OpenApiParameter("mine", OpenApiTypes.STR, description="'1': only my own clients (managers)."),
]


class DashboardView(TenantAPIMixin, GenericAPIView):
    """The caseload dashboard's figures, one row per client, paginated."""

    audit_as = "client"

    permission_classes = [IsPracticeMember]
    serializer_class = DashboardRowSerializer
    pagination_class = Pagination

    @extend_schema(parameters=DASHBOARD_PARAMETERS, responses=DashboardRowSerializer(many=True))
    def get(self, request):
        params = dashboard_params(request.query_params)
        if not request.membership.is_manager:
            params["mine_only"] = False
        board = selectors.caseload_dashboard(request.membership, **params)
        audit_record(
            actor=request.user,
            practice=request.practice,
            action="api_dashboard",
            obj=request.practice,
        )
        page = self.paginate_queryset(board.rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class InsightsView(TenantAPIMixin, GenericAPIView):
    """Practice insights (owners and admins): activities, check-ins, completion by month and,
    for owners, by therapist."""

    audit_as = "practice"

    permission_classes = [IsPracticeManager]
    serializer_class = InsightsSerializer

    @extend_schema(
        parameters=[OpenApiParameter("months", OpenApiTypes.INT, enum=selectors.INSIGHT_MONTHS)]
    )
    def get(self, request):
        try:
            months = int(request.query_params.get("months", selectors.DEFAULT_INSIGHT_MONTHS))
        except ValueError:
            months = selectors.DEFAULT_INSIGHT_MONTHS
        data = selectors.practice_insights(request.membership, months=months)
        audit_record(
            actor=request.user,
            practice=request.practice,
            action="api_insights",
            obj=request.practice,
        )
        return Response(self.get_serializer(data).data)
