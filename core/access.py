"""View decorators: who may open a page. Object-level access lives in the selectors."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404


def staff_required(view):
    """A member of a practice (owner, admin or therapist). Clients get 404: no staff pages
    exist for them."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    """Owners and admins only."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_manager:
            raise PermissionDenied("Only owners and admins of the practice can do that.")
        return view(request, *args, **kwargs)

    return wrapper


def client_required(view):
    """A client signed in to their portal."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or getattr(request, "client", None) is None:
            from django.shortcuts import redirect

            if request.user.is_authenticated:
                raise Http404
            return redirect("portal:sign_in")
        return view(request, *args, **kwargs)

    return wrapper


def curator_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_curator:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
