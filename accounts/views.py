from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.crisis import crisis_resources_for
from accounts.forms import (
    ApiTokenForm,
    InvitationAcceptForm,
    InvitationForm,
    PracticeSettingsForm,
    RoleForm,
)
from core.access import manager_required, staff_required
from core.forms import apply_validation_error


@manager_required
def practice_settings(request):
    # Read before validating: the form writes what was typed onto the practice it edits.
    crisis = crisis_resources_for(request.practice)
    form = PracticeSettingsForm(request.POST or None, instance=request.practice)
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_update(
                practice=request.practice, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Practice settings saved.")
            return redirect("accounts:practice_settings")
    return render(request, "accounts/practice_settings.html", {"form": form, "crisis": crisis})


@staff_required
def members(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not request.membership.is_manager:
            messages.error(request, "Only owners and admins can invite people.")
            return redirect("accounts:members")
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    practice=request.practice, actor=request.membership, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("accounts:members")
    context = {
        "members": selectors.practice_members(practice=request.practice),
        "invitations": selectors.open_invitations(practice=request.practice),
        "form": form,
        "role_form": RoleForm(),
    }
    return render(request, "accounts/members.html", context, status=400 if form.errors else 200)


@require_POST
@manager_required
def member_update(request, membership_id):
    membership = selectors.membership_get(practice=request.practice, membership_id=membership_id)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose a role.")
        services.membership_set_role(
            membership=membership, actor=request.membership, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    return redirect("accounts:members")


@require_POST
@manager_required
def member_remove(request, membership_id):
    membership = selectors.membership_get(practice=request.practice, membership_id=membership_id)
    try:
        services.membership_remove(membership=membership, actor=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{membership.user} was removed from the practice.")
    return redirect("accounts:members")


@require_POST
@manager_required
def invitation_revoke(request, invitation_id):
    invitation = selectors.invitation_get(practice=request.practice, invitation_id=invitation_id)
    services.invitation_revoke(invitation=invitation, actor=request.membership)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("accounts:members")


def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as exc:
        return render(request, "accounts/invitation_invalid.html", {"error": exc}, status=404)
    signed_in = request.user.is_authenticated
    form = None if signed_in else InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            membership = services.invitation_accept(
                token=token,
                user=request.user if signed_in else None,
                full_name="" if signed_in else form.cleaned_data["full_name"],
                password="" if signed_in else form.cleaned_data["password1"],
            )
        except services.InvitationError as exc:
            messages.error(request, str(exc))
        else:
            if not signed_in:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["practice_id"] = str(membership.practice_id)
            messages.success(request, f"Welcome to {membership.practice.name}.")
            return redirect("home")
    context = {"invitation": invitation, "form": form}
    return render(request, "accounts/invitation_accept.html", context)


@require_POST
@staff_required
def practice_switch(request):
    wanted = request.POST.get("practice_id", "")
    if any(str(m.practice_id) == wanted for m in selectors.memberships_for_user(request.user)):
        request.session["practice_id"] = wanted
    return redirect("home")


@manager_required
def audit_log(request):
    client_id = request.GET.get("client") or None
    actor = request.GET.get("actor", "").strip()
    try:
        events = selectors.audit_events(
            practice=request.practice, client_id=client_id, actor_email=actor or None
        )
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    except ValidationError:
        events, page = [], Paginator([], 50).get_page(1)
    return render(request, "accounts/audit_log.html", {"page": page, "actor": actor})


# --- API tokens ------------------------------------------------------------------------------


@staff_required
def api_token(request):
    """The signed-in member's own tokens in this practice."""
    tokens = selectors.api_tokens_of_member(membership=request.membership)
    return render(request, "accounts/api_token.html", {"tokens": tokens})


@staff_required
@reauthentication_required
def api_token_create(request):
    """Tokens are issued here, after a full sign-in (with two-factor when set up) and a fresh
    password (or code) check, never by trading a password over the API."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_create(
                membership=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            # Rendered, not redirected: the secret must not pass through the session (messages)
            # on its way to the one page that shows it.
            context = {"token": token, "secret": secret}
            return render(request, "accounts/api_token_created.html", context)
    status = 400 if form.errors else 200
    return render(request, "accounts/api_token_form.html", {"form": form}, status=status)


@require_POST
@staff_required
def api_token_revoke(request, token_id):
    token = selectors.api_token_get(actor=request.membership, token_id=token_id)
    services.api_token_revoke(token=token, actor=request.membership)
    messages.success(request, f"The token “{token.name}” was revoked; it no longer works.")
    if request.POST.get("from") == "practice":
        return redirect("accounts:api_token_practice")
    return redirect("accounts:api_token")


@staff_required
def api_token_practice(request):
    """Owners: every member's tokens, to spot and revoke the ones nobody should hold."""
    tokens = selectors.api_tokens_of_practice(actor=request.membership)
    return render(request, "accounts/api_token_practice.html", {"tokens": tokens})
