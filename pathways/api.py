"""REST endpoints: pathways (with FHIR PlanDefinition), their steps, enrolments (with FHIR
CarePlan) and per-client changes to enrolment steps."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.audit import audit_record
from core.api import TenantAPIMixin, id_filter
from core.forms import api_validation_error
from core.permissions import IsPracticeMember
from pathways import fhir, selectors
from pathways.models import Enrolment, EnrolmentStep, Pathway, PathwayStep
from pathways.serializers import (
    EnrolmentDetailSerializer,
    EnrolmentSerializer,
    EnrolmentStepSerializer,
    EnrolmentStepUpdateSerializer,
    MoveSerializer,
    PathwayDetailSerializer,
    PathwaySerializer,
    PathwayStatusSerializer,
    StepSerializer,
    StepUpdateSerializer,
)
from pathways.services import authoring, enrolments


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except ValidationError as exc:
        raise api_validation_error(exc) from None


class PathwayViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The practice's pathways. Editing one never changes running enrolments."""

    audit_as = None  # templates, not anyone's enrolment

    serializer_class = PathwaySerializer
    permission_classes = [IsPracticeMember]
    queryset = Pathway.objects.none()  # for the schema only; get_queryset scopes real requests

    def get_queryset(self):
        return selectors.pathways_for_practice(
            self.request.membership, status=self.request.query_params.get("status", "")
        )

    def retrieve(self, request, *args, **kwargs):
        pathway = self.get_object()
        context = {**self.get_serializer_context(), "steps": selectors.template_steps(pathway)}
        return Response(PathwayDetailSerializer(pathway, context=context).data)

    def perform_create(self, serializer):
        pathway = _call(
            authoring.pathway_create,
            practice=self.request.practice,
            actor=self.request.membership,
            **serializer.validated_data,
        )
        serializer.instance = self.get_queryset().get(pk=pathway.pk)

    def perform_update(self, serializer):
        _call(
            authoring.pathway_update,
            pathway=serializer.instance,
            actor=self.request.membership,
            **serializer.validated_data,
        )

    @extend_schema(request=PathwayStatusSerializer, responses=PathwaySerializer)
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, pk=None):
        """Publish (checks every step rule), put back to draft, or archive."""
        pathway = self.get_object()
        body = PathwayStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _call(
            authoring.pathway_set_status,
            pathway=pathway,
            actor=request.membership,
            status=body.validated_data["status"],
        )
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def fhir(self, request, pk=None):
        """The pathway as a FHIR R4 PlanDefinition."""
        pathway = self.get_object()
        return Response(fhir.plan_definition(pathway, selectors.template_steps(pathway)))


class PathwayStepViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Steps of the practice's pathways (``?pathway=<id>`` to list one pathway's). New steps
    go last; ``move`` reorders."""

    audit_as = None  # templates, not anyone's enrolment

    serializer_class = StepSerializer
    permission_classes = [IsPracticeMember]
    queryset = PathwayStep.objects.none()  # for the schema only

    def get_queryset(self):
        steps = PathwayStep.objects.filter(practice=self.request.practice).select_related(
            "pathway", "activity__current_version", "curated_activity__current_version"
        )
        pathway_id = id_filter(self.request, "pathway")
        if pathway_id:
            steps = steps.filter(pathway=selectors.pathway_get(self.request.membership, pathway_id))
        return steps.order_by("pathway__name", "pathway_id", "position")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return StepUpdateSerializer
        return StepSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _call(
            authoring.pathway_step_add,
            pathway=data.pop("pathway"),
            actor=self.request.membership,
            **data,
        )

    def perform_update(self, serializer):
        serializer.instance = _call(
            authoring.pathway_step_update,
            step=serializer.instance,
            actor=self.request.membership,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        _call(authoring.pathway_step_remove, step=instance, actor=self.request.membership)

    @extend_schema(request=MoveSerializer, responses=StepSerializer(many=True))
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move a step one place up or down; returns the pathway's steps in their new order."""
        step = self.get_object()
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ordered = _call(
            authoring.pathway_step_move,
            step=step,
            actor=request.membership,
            offset=-1 if body.validated_data["direction"] == "up" else 1,
        )
        return Response(StepSerializer(ordered, many=True, context={"request": request}).data)


class EnrolmentViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Clients on pathways (those the therapist may see). ``?pathway=``, ``?client=``,
    ``?all=1`` (include ended ones)."""

    audit_as = "enrolment"

    serializer_class = EnrolmentSerializer
    permission_classes = [IsPracticeMember]
    queryset = Enrolment.objects.none()  # for the schema only

    def get_queryset(self):
        params = self.request.query_params
        membership = self.request.membership
        queryset = selectors.enrolment_progress(membership, running_only=params.get("all") != "1")
        if pathway_id := id_filter(self.request, "pathway"):
            queryset = queryset.filter(pathway_id=pathway_id)
        if client_id := id_filter(self.request, "client"):
            queryset = queryset.filter(client_id=client_id)
        return queryset

    def get_object(self):
        queryset = selectors.enrolment_progress(self.request.membership, running_only=False)
        try:
            return queryset.get(pk=self.kwargs["pk"])
        except (Enrolment.DoesNotExist, ValueError, ValidationError):
            raise Http404 from None

    def retrieve(self, request, *args, **kwargs):
        enrolment = self.get_object()
        audit_record(
            actor=request.user,
            practice=request.practice,
            action="api_view",
            obj=enrolment,
            client=enrolment.client,
        )
        return Response(self._detail(enrolment))

    def _detail(self, enrolment):
        context = {
            **self.get_serializer_context(),
            "steps": selectors.enrolment_steps(enrolment),
        }
        return EnrolmentDetailSerializer(enrolment, context=context).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = _call(
            enrolments.enrolment_create, actor=request.membership, **serializer.validated_data
        )
        self.kwargs["pk"] = enrolment.pk
        return Response(self._detail(self.get_object()), status=status.HTTP_201_CREATED)

    def _act(self, request, service):
        enrolment = self.get_object()
        _call(service, enrolment=enrolment, actor=request.membership)
        return Response(self._detail(self.get_object()))

    @extend_schema(request=None, responses=EnrolmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        """Nothing is released while paused."""
        return self._act(request, enrolments.enrolment_pause)

    @extend_schema(request=None, responses=EnrolmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Steps still to come move later by the whole days of the pause."""
        return self._act(request, enrolments.enrolment_resume)

    @extend_schema(request=None, responses=EnrolmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(request, enrolments.enrolment_cancel)

    @extend_schema(request=None, responses=EnrolmentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="apply-template", url_name="apply_template")
    def apply_template(self, request, pk=None):
        """Make the steps not released yet follow the pathway as it is now."""
        return self._act(request, enrolments.enrolment_apply_template)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def fhir(self, request, pk=None):
        """The enrolment as a FHIR R4 CarePlan."""
        enrolment = self.get_object()
        audit_record(
            actor=request.user,
            practice=request.practice,
            action="api_export",
            obj=enrolment,
            client=enrolment.client,
        )
        return Response(fhir.care_plan(enrolment, selectors.enrolment_steps(enrolment)))


class EnrolmentStepViewSet(TenantAPIMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One client's copy of a step: change it (rule, delay, time, activity), skip it, or
    unlock it early. The pathway template is not touched."""

    audit_as = "enrolmentstep"

    serializer_class = EnrolmentStepSerializer
    permission_classes = [IsPracticeMember]
    queryset = EnrolmentStep.objects.none()  # for the schema only

    def get_object(self):
        try:
            step = EnrolmentStep.objects.select_related("enrolment").get(pk=self.kwargs["pk"])
        except (EnrolmentStep.DoesNotExist, ValueError, ValidationError):
            raise Http404 from None
        enrolment = selectors.enrolment_get(self.request.membership, step.enrolment_id)
        return selectors.enrolment_step_get(enrolment, step.pk)

    def retrieve(self, request, *args, **kwargs):
        step = self.get_object()
        audit_record(
            actor=request.user,
            practice=request.practice,
            action="api_view",
            obj=step,
            client=step.enrolment.client,
        )
        return Response(EnrolmentStepSerializer(step).data)

    @extend_schema(request=EnrolmentStepUpdateSerializer, responses=EnrolmentStepSerializer)
    def partial_update(self, request, *args, **kwargs):
        step = self.get_object()
        body = EnrolmentStepUpdateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        _call(
            enrolments.enrolment_step_update,
            step=step,
            actor=request.membership,
            **body.validated_data,
        )
        return Response(EnrolmentStepSerializer(self.get_object()).data)

    def _act(self, request, service):
        _call(service, step=self.get_object(), actor=request.membership)
        return Response(EnrolmentStepSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=EnrolmentStepSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        return self._act(request, enrolments.enrolment_step_skip)

    @extend_schema(request=None, responses=EnrolmentStepSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        """Release the step now, whatever it was waiting for."""
        return self._act(request, enrolments.enrolment_step_unlock)
