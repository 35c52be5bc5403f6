from django.shortcuts import redirect
from django.urls import reverse

from accounts.audit import read_audited, request_audit


class MfaRequiredMiddleware:
    """Send a member who must set up two-factor authentication (see accounts.mfa; the tenant
    resolver has already withheld their practice) to the set-up page. The account pages stay
    open so they can, and the API answers for itself with a 403 (core.api)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "mfa_setup_required", False) and not request.path.startswith(
            ("/accounts/", "/static/", "/api/")
        ):
            return redirect(reverse("mfa_activate_totp") + "?required=1")
        return self.get_response(request)


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
