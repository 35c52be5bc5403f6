from django.shortcuts import redirect
from django.urls import reverse


class MfaRequiredMiddleware:
    """When a practice requires two-factor authentication, members without an authenticator
    app can only reach the pages that set one up (and sign out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = getattr(request, "membership", None)
        if (
            membership is not None
            and membership.practice.require_mfa
            and not request.path.startswith(("/accounts/", "/static/"))
            and not _has_totp(request.user)
        ):
            return redirect(reverse("mfa_activate_totp") + "?required=1")
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
