from rest_framework.permissions import BasePermission


class IsPracticeMember(BasePermission):
    """Staff of a practice. Clients and curators have no staff API."""

    message = "This endpoint is for practice staff."

    def has_permission(self, request, view):
        return getattr(request, "membership", None) is not None


class IsPracticeManagerOrReadOnly(IsPracticeMember):
    message = "Only owners and admins can change this."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in ("GET", "HEAD", "OPTIONS") or request.membership.is_manager
