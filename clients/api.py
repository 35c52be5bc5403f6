from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.audit import audit_record
from clients import selectors, services
from clients.models import CareTeamMember, Client, Goal
from clients.serializers import (
    CareEpisodeSerializer,
    ClientSerializer,
    ClientStatusSerializer,
    GoalListSerializer,
    GoalRatingSerializer,
    GoalSerializer,
)
from core.api import TenantAPIMixin
from core.forms import api_validation_error
from core.permissions import IsPracticeMember


class ClientViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Clients the requesting therapist may see (owners and admins: the whole practice)."""

    audit_as = "client"

    serializer_class = ClientSerializer
    permission_classes = [IsPracticeMember]
    queryset = Client.objects.none()  # for the schema only; get_queryset scopes real requests

    def get_queryset(self):
        return (
            selectors.caseload(
                self.request.membership,
                search=self.request.query_params.get("search", ""),
                status=self.request.query_params.get("status", "all"),
            )
            .select_related("primary_therapist")
            .prefetch_related(
                Prefetch("care_team", queryset=CareTeamMember.objects.select_related("user"))
            )
        )

    def retrieve(self, request, *args, **kwargs):
        client = self.get_object()
        audit_record(actor=request.user, practice=request.practice, action="api_view", obj=client)
        return Response(self.get_serializer(client).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.client_create(
                practice=self.request.practice,
                actor=self.request.membership,
                timezone_name=data.pop("timezone", None),
                shared_with=data.pop("shared_with", []),
                **data,
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        shared_with = data.pop("shared_with", None)
        try:
            serializer.instance = services.client_update(
                client=serializer.instance,
                actor=self.request.membership,
                shared_with=shared_with,
                **data,
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None

    @extend_schema(request=ClientStatusSerializer, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Set the client's status: active, paused or discharged."""
        client = self.get_object()
        body = ClientStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.client_set_status(
                client=client, actor=request.membership, status=body.validated_data["status"]
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(self.get_serializer(client).data)

    @extend_schema(request=None, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """Email the client a sign-in link and code for the portal."""
        client = self.get_object()
        try:
            services.client_portal_invite(client=client, actor=request.membership)
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(self.get_serializer(client).data)

    @extend_schema(methods=["GET"], request=None, responses=CareEpisodeSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=CareEpisodeSerializer, responses={201: CareEpisodeSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=CareEpisodeSerializer,
        pagination_class=None,  # a few rows; the schema must not promise a page
    )
    def episodes(self, request, pk=None):
        """The client's episodes of care after the first (oldest first), or start a new one:
        change on every measure is then counted from the first score of the new episode."""
        client = self.get_object()
        if request.method == "GET":
            return Response(
                CareEpisodeSerializer(selectors.client_episodes(client), many=True).data
            )
        body = CareEpisodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            episode = services.care_episode_start(
                client=client, actor=request.user, **body.validated_data
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(CareEpisodeSerializer(episode).data, status=201)

    @extend_schema(methods=["GET"], request=None, responses=GoalListSerializer)
    @extend_schema(methods=["POST"], request=GoalSerializer, responses={201: GoalSerializer})
    @action(
        detail=True, methods=["get", "post"], serializer_class=GoalSerializer, pagination_class=None
    )
    def goals(self, request, pk=None):
        """The client's goals (goal attainment scaling) with their ratings and, with two or
        more, the GAS T-score; or scale a new goal."""
        client = self.get_object()
        if request.method == "GET":
            goals = list(selectors.client_goals(client))
            summary = selectors.goal_summary(goals)
            return Response(
                GoalListSerializer({"t_score": summary["t_score"], "goals": goals}).data
            )
        body = GoalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            goal = services.goal_create(client=client, actor=request.user, **body.validated_data)
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(GoalSerializer(selectors.client_goal_get(client, goal.pk)).data, status=201)


class GoalViewSet(TenantAPIMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One goal of a client the requester may see; POST .../ratings/ records a review's level."""

    audit_as = "client"
    serializer_class = GoalSerializer
    permission_classes = [IsPracticeMember]
    queryset = Goal.objects.none()  # for the schema only

    def get_object(self):
        return selectors.goal_for_staff(self.request.membership, self.kwargs["pk"])

    @extend_schema(request=GoalRatingSerializer, responses={201: GoalSerializer})
    @action(detail=True, methods=["post"], serializer_class=GoalRatingSerializer)
    def ratings(self, request, pk=None):
        """Record the level the goal reached at a review, with the date and a note."""
        goal = self.get_object()
        body = GoalRatingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.goal_rate(goal=goal, actor=request.user, **body.validated_data)
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        fresh = selectors.goal_for_staff(request.membership, goal.pk)
        return Response(GoalSerializer(fresh).data, status=201)
