from django.core.exceptions import ValidationError
from rest_framework import mixins, viewsets

from accounts import selectors, services
from accounts.models import Membership
from accounts.serializers import MembershipSerializer
from core.api import TenantAPIMixin
from core.forms import api_validation_error
from core.permissions import IsPracticeManagerOrReadOnly


class MembershipViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the requesting practice. Owners and admins change roles and remove people."""

    audit_as = None  # the practice's staff, not its clients

    serializer_class = MembershipSerializer
    permission_classes = [IsPracticeManagerOrReadOnly]
    queryset = Membership.objects.none()  # for the schema only; get_queryset scopes requests
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.practice_members(practice=self.request.practice)

    def perform_update(self, serializer):
        try:
            services.membership_set_role(
                membership=serializer.instance,
                actor=self.request.membership,
                role=serializer.validated_data["role"],
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None

    def perform_destroy(self, instance):
        try:
            services.membership_remove(membership=instance, actor=self.request.membership)
        except ValidationError as exc:
            raise api_validation_error(exc) from None
