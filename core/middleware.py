from django.conf import settings
from django.utils.cache import patch_cache_control

from accounts.audit import read_audited, request_audit


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in person may carry client data: never let a cache keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or getattr(request, "client_data", False):
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response


class PermissionsPolicyMiddleware:
    """Send ``settings.PERMISSIONS_POLICY`` on every response (Django has no setting for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ReadAuditMiddleware:
    """Audit every successful GET of a page declared with ``@audit_read(...)`` (accounts.audit):
    one row per request naming what it showed, unless the view wrote its own. API views are
    audited by TenantAPIMixin, which knows the token's user; rows they write count here too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_audit():
            response = self.get_response(request)
            declared = getattr(request, "audit_as", None)
            if declared and request.method == "GET" and response.status_code == 200:
                read_audited(
                    request,
                    object_type=declared,
                    kwargs=request.resolver_match.kwargs,
                    detail="view",
                    listing="view_list",
                )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.audit_as = getattr(view_func, "audit_as", None)
