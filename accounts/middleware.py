from django.shortcuts import redirect
from django.urls import reverse


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
