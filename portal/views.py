"""The client portal: phone-first pages for one client, and nothing else."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.crisis import crisis_resources_for
from clients.services import (
    ClientLoginError,
    ClientSignInPaused,
    client_login_code_redeem,
    client_login_link_redeem,
    client_login_request,
)
from core.tenancy import PORTAL_SESSION_KEY
from portal.forms import CodeForm, SignInForm
from portal.selectors import latest_safety_plan


def _sign_in_client(request, client):
    login(request, client.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[PORTAL_SESSION_KEY] = str(client.pk)


def _client_ip(request) -> str:
    # The peer that connected. X-Forwarded-For is written by whoever sends the request, and no
    # proxy is configured as trusted to overwrite it: reading it would let anyone pick a fresh
    # address for every try and walk past the per-address limits (allauth reads REMOTE_ADDR
    # too, for the same reason, while ALLAUTH_TRUSTED_PROXY_COUNT is unset).
    return request.META.get("REMOTE_ADDR", "")


def sign_in(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client_login_request(email=form.cleaned_data["email"], ip=_client_ip(request))
        except ClientSignInPaused as exc:
            form.add_error(None, str(exc))
            return render(request, "portal/sign_in.html", {"form": form}, status=429)
        request.session["portal_sign_in_email"] = form.cleaned_data["email"]
        return redirect("portal:sign_in_code")
    status = 400 if form.errors else 200
    return render(request, "portal/sign_in.html", {"form": form}, status=status)


def sign_in_code(request):
    form = CodeForm(
        request.POST or None, initial={"email": request.session.get("portal_sign_in_email", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            client = client_login_code_redeem(**form.cleaned_data, ip=_client_ip(request))
        except ClientSignInPaused as exc:
            form.add_error(None, str(exc))
            return render(request, "portal/sign_in_code.html", {"form": form}, status=429)
        except ClientLoginError as exc:
            form.add_error("code", str(exc))
        else:
            _sign_in_client(request, client)
            return redirect("portal:home")
    status = 400 if form.errors else 200
    return render(request, "portal/sign_in_code.html", {"form": form}, status=status)


def login_link(request, token):
    """GET only shows a button: mail scanners that open links must not use them up."""
    if request.method == "POST":
        try:
            client = client_login_link_redeem(token=token)
        except ClientLoginError as exc:
            return render(request, "portal/login_link.html", {"error": exc}, status=400)
        _sign_in_client(request, client)
        return redirect("portal:home")
    return render(request, "portal/login_link.html", {})


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("portal:sign_in")


def help_now(request):
    """Crisis lines, open to anyone: someone in crisis may be signed out or their session may
    have ended. A signed-in client sees their practice's lines and a way into their safety
    plan (the entry page records that read in the audit log; this page shows none of it)."""
    client = getattr(request, "client", None)
    context = {
        "crisis": crisis_resources_for(client.practice if client else None),
        "safety_plan": latest_safety_plan(client) if client else None,
    }
    with timezone.override(client.tz if client else None):
        return render(request, "portal/help.html", context)
