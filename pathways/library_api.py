"""The global pathway library over REST (/api/v1/pathways/global/...), for practice staff:
published global pathways with their steps, as FHIR PlanDefinitions, and a copy into the
practice (the same service as the library page's "copy"), and enrolling a client straight
from one (``enrol``: the practice's published copy is used, or made)."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clients.selectors import client_get
from core.api import TenantAPIMixin
from core.forms import api_validation_error
from core.permissions import IsPracticeMember
from pathways import fhir, selectors
from pathways.models import CuratedPathway
from pathways.serializers import PathwaySerializer
from pathways.services import authoring, from_library


class GlobalStepSerializer(serializers.Serializer):
    """A step of a global pathway (it delivers a global library item)."""

    id = serializers.UUIDField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    curated_activity = serializers.UUIDField(source="curated_activity_id", read_only=True)
    delivery = serializers.CharField(read_only=True)
    delay_days = serializers.IntegerField(read_only=True)
    time_of_day = serializers.TimeField(read_only=True, allow_null=True)
    days_to_complete = serializers.IntegerField(read_only=True)
    completion = serializers.CharField(read_only=True)
    completion_entries = serializers.IntegerField(read_only=True)
    holds_for_review = serializers.BooleanField(read_only=True)
    required = serializers.BooleanField(read_only=True)
    therapist_notes = serializers.CharField(read_only=True)
    condition_step = serializers.UUIDField(
        source="condition_step_id", read_only=True, allow_null=True
    )
    # Blank when the step has no condition.
    condition_operator = serializers.CharField(read_only=True, allow_blank=True)
    condition_value = serializers.IntegerField(read_only=True, allow_null=True)


class GlobalPathwaySerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    client_title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    functions = serializers.ListField(child=serializers.CharField(), read_only=True)
    audiences = serializers.ListField(child=serializers.CharField(), read_only=True)
    phases = serializers.ListField(child=serializers.CharField(), read_only=True)
    response_visibility = serializers.CharField(read_only=True)
    step_count = serializers.IntegerField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class GlobalPathwayDetailSerializer(GlobalPathwaySerializer):
    step_count = None  # type: ignore[assignment]  # the steps themselves are listed
    steps = serializers.SerializerMethodField()

    def get_steps(self, pathway) -> list[dict]:
        return GlobalStepSerializer(self.context["steps"], many=True).data


class GlobalEnrolSerializer(serializers.Serializer):
    client = serializers.UUIDField()
    start_date = serializers.DateField()


class GlobalEnrolledSerializer(serializers.Serializer):
    enrolment = serializers.UUIDField(source="pk")
    pathway = serializers.UUIDField(source="pathway_id", help_text="The practice's copy.")


class GlobalPathwayViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The global pathway library (published pathways only; drafts are 404). ``copy`` makes
    a draft copy in the practice's pathways to adjust and publish."""

    audit_as = None  # templates, not anyone's enrolment

    permission_classes = [IsPracticeMember]
    queryset = CuratedPathway.objects.none()  # for the schema only; get_queryset serves

    def get_serializer_class(self):
        return GlobalPathwaySerializer if self.action == "list" else GlobalPathwayDetailSerializer

    def get_queryset(self):
        return selectors.global_pathways()

    def get_object(self):
        return selectors.global_pathway_get(self.kwargs["pk"])

    @extend_schema(responses=GlobalPathwayDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        """A published global pathway with its steps, in order."""
        pathway = self.get_object()
        context = {**self.get_serializer_context(), "steps": selectors.template_steps(pathway)}
        return Response(GlobalPathwayDetailSerializer(pathway, context=context).data)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def fhir(self, request, pk=None):
        """The global pathway as a FHIR R4 PlanDefinition."""
        pathway = self.get_object()
        return Response(fhir.plan_definition(pathway, selectors.template_steps(pathway)))

    @extend_schema(request=None, responses={201: PathwaySerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        """Copy it into the practice's pathways, as a draft to adjust and publish."""
        try:
            pathway = authoring.pathway_copy_from_global(
                practice=request.practice,
                actor=request.membership,
                curated_pathway=self.get_object(),
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        pathway = selectors.pathways_for_practice(request.membership).get(pk=pathway.pk)
        return Response(
            PathwaySerializer(pathway, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=GlobalEnrolSerializer, responses={201: GlobalEnrolledSerializer})
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        """Enrol a client of the practice in this global pathway in one call: it runs on the
        practice's published copy (made and published now if there is none). 404 for a
        client who is not yours; 400 with field errors for a bad start date."""
        curated = self.get_object()  # a draft or unknown pathway is 404 whatever the body
        body = GlobalEnrolSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        client = client_get(request.membership, body.validated_data["client"])
        try:
            enrolment = from_library.enrolment_create_from_global(
                curated_pathway=curated,
                client=client,
                actor=request.membership,
                start_date=body.validated_data["start_date"],
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(GlobalEnrolledSerializer(enrolment).data, status=status.HTTP_201_CREATED)
