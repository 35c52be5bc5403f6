"""Client groups over REST: CRUD, members (add, remove, with adherence) and assigning one
activity to every member."""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from accounts.models import Membership, User
from assignments.adherence import NOTHING, adherence_by_client
from assignments.api import resolve_activity
from assignments.serializers import ActivityChoiceMixin, AssignmentSerializer
from assignments.services import groups as group_assigning
from clients import selectors, services
from clients.models import ClientGroup
from core.api import TenantAPIMixin
from core.forms import api_validation_error
from core.permissions import IsPracticeMember


class ClientGroupSerializer(serializers.ModelSerializer):
    therapists = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=User.objects.all(),
        required=False,
        help_text="Staff who run the group (default: you). Must belong to the practice.",
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ClientGroup
        fields = ["id", "name", "description", "therapists", "member_count", "created_at"]
        read_only_fields = ["id", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["therapists"] = [lead.user_id for lead in instance.leads.all()]
        return data

    def validate_therapists(self, users):
        practice = self.context["request"].practice
        members = set(Membership.objects.filter(practice=practice).values_list("user", flat=True))
        if any(user.pk not in members for user in users):
            raise serializers.ValidationError("Choose therapists from this practice.")
        return users


class GroupMemberSerializer(serializers.Serializer):
    client = serializers.UUIDField(help_text="A client you may see.")


class GroupMemberRowSerializer(serializers.Serializer):
    client = serializers.UUIDField(source="client.pk")
    full_name = serializers.CharField(source="client.full_name")
    status = serializers.CharField(source="client.status")
    due = serializers.IntegerField(source="adherence.due")
    done = serializers.IntegerField(source="adherence.done")
    completion = serializers.IntegerField(source="adherence.completion", allow_null=True)
    overdue = serializers.IntegerField(source="adherence.overdue")
    slipping = serializers.BooleanField(source="adherence.slipping")


class GroupAssignSerializer(ActivityChoiceMixin):
    """One activity and one plan, for every member of the group."""


def _error(exc: ValidationError):
    return api_validation_error(exc)


class ClientGroupViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Groups you run (owners and admins: every group of the practice)."""

    audit_as = "group"  # its members are client data: each GET leaves one row naming the group
    serializer_class = ClientGroupSerializer
    permission_classes = [IsPracticeMember]
    queryset = ClientGroup.objects.none()  # for the schema only

    def get_queryset(self):
        return (
            selectors.groups_visible_to(self.request.membership)
            .annotate(member_count=Count("memberships", distinct=True))
            .prefetch_related("leads")
            .order_by("name", "pk")  # annotated (GROUP BY): Meta.ordering no longer applies
        )

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (ClientGroup.DoesNotExist, ValueError, ValidationError):
            raise Http404 from None

    def _fields(self, serializer):
        data = dict(serializer.validated_data)
        return {
            "name": data.get("name", getattr(serializer.instance, "name", "")),
            "description": data.get("description", getattr(serializer.instance, "description", "")),
            "therapists": data.get("therapists"),
        }

    def perform_create(self, serializer):
        try:
            group = services.group_create(
                practice=self.request.practice,
                actor=self.request.membership,
                **self._fields(serializer),
            )
        except ValidationError as exc:
            raise _error(exc) from None
        serializer.instance = self.get_queryset().get(pk=group.pk)

    def perform_update(self, serializer):
        try:
            group = services.group_update(
                group=serializer.instance,
                actor=self.request.membership,
                **self._fields(serializer),
            )
        except ValidationError as exc:
            raise _error(exc) from None
        serializer.instance = self.get_queryset().get(pk=group.pk)

    def perform_destroy(self, instance):
        services.group_delete(group=instance, actor=self.request.membership)

    def _rows(self, group):
        members = list(selectors.group_members(group))
        figures = adherence_by_client(
            selectors.group_members(group), practice_id=group.practice_id, now=timezone.now()
        )
        return [{"client": c, "adherence": figures.get(c.pk, NOTHING)} for c in members]

    @extend_schema(methods=["GET"], request=None, responses=GroupMemberRowSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=GroupMemberSerializer,
        responses={201: GroupMemberRowSerializer(many=True)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def members(self, request, pk=None):
        """The members with their adherence (GET), or add a client from your caseload (POST)."""
        group = self.get_object()
        code = status.HTTP_200_OK
        if request.method == "POST":
            body = GroupMemberSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                client = selectors.client_get(request.membership, body.validated_data["client"])
            except Http404:
                raise DRFValidationError({"client": ["No client with this id."]}) from None
            try:
                services.group_member_add(group=group, actor=request.membership, client=client)
            except ValidationError as exc:
                raise _error(exc) from None
            code = status.HTTP_201_CREATED
        rows = self._rows(group)
        return Response(GroupMemberRowSerializer(rows, many=True).data, status=code)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path="members/<uuid:client_id>")
    def remove_member(self, request, pk=None, client_id=None):
        """Take a client out of the group (their homework stays theirs)."""
        group = self.get_object()
        client = selectors.client_get(request.membership, client_id)
        get_object_or_404(group.memberships.all(), client=client)
        services.group_member_remove(group=group, actor=request.membership, client=client)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=GroupAssignSerializer, responses={201: AssignmentSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign one activity with one plan to every member: each gets their own copy; all
        or none (a member who cannot take it refuses the whole, named in the error)."""
        group = self.get_object()
        body = GroupAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        membership = request.membership
        resolve_activity(membership, data)
        try:
            created = group_assigning.group_assign(group=group, actor=membership, **data)
        except ValidationError as exc:
            raise _error(exc) from None
        return Response(
            AssignmentSerializer(created, many=True).data, status=status.HTTP_201_CREATED
        )
