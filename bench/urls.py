"""The project's URLs plus the bare peer views benchmarks compare against."""

from django.http import JsonResponse
from django.urls import include, path

from core.tenancy import practice_scope


def bare_clients(request, practice_id):
    """One indexed query (client_practice_status leads with practice) and a JSON dump: the
    floor any list page of the same data stands on."""
    from clients.models import Client

    with practice_scope(practice_id):
        rows = list(
            Client.objects.filter(practice_id=practice_id)
            .order_by("full_name")
            .values("id", "full_name", "status")[:200]
        )
    return JsonResponse({"results": rows}, json_dumps_params={"default": str})


urlpatterns = [
    path("bench/bare/clients/<uuid:practice_id>/", bare_clients),
    path("", include("homework_platform.urls")),
]
