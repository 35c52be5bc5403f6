"""Shared REST plumbing: pagination and the base that enters the practice scope."""

import uuid
from contextlib import ExitStack
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework import parsers
from rest_framework.exceptions import APIException, ParseError, PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination

from core.tenancy import practice_scope, resolve_request_tenant


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


MFA_SETUP_REQUIRED = (
    "Your practice requires two-factor authentication. Sign in on the web and set up an "
    "authenticator app (Your account → Two-factor authentication); until then the API is "
    "closed to you, with any token."
)


if TYPE_CHECKING:
    from rest_framework.views import APIView as _MixinBase
else:
    # A mixin for APIView subclasses: the type checker sees the methods it extends.
    _MixinBase = object


def set_read_auditor(auditor) -> None:
    """Name the function that writes the audit row of an API read. The accounts app, which
    owns the audit trail, registers it when Django starts (``AccountsConfig.ready``)."""
    global _read_auditor
    _read_auditor = auditor


def _unregistered_auditor(request, **kwargs):
    # Fail closed: client data is never served unaudited because the audit was not wired up.
    raise ImproperlyConfigured("No read auditor is registered (accounts app missing?)")


_read_auditor = _unregistered_auditor


# A view that has not said whether it shows client data (see TenantAPIMixin.audit_as).
UNDECLARED = object()


class TenantAPIMixin(_MixinBase):
    """Enter the practice scope once DRF has authenticated the request (token or session).

    The HTML middleware cannot know about token authentication, so API views re-resolve the
    tenant here and scope the whole handler to it.

    Every view declares ``audit_as``: the model name of the client data it shows (after each
    successful GET, one audit row names it: accounts.audit.read_audited), or None when it
    shows none. A view that declares nothing is refused, so a new endpoint cannot forget.
    """

    audit_as = UNDECLARED

    # Object ids in API paths are UUIDs (with routers built with use_regex_path=False): a
    # malformed one is not found by the URL resolver, before any query is made.
    lookup_value_converter = "uuid"

    def initial(self, request, *args, **kwargs):
        if self.audit_as is UNDECLARED:
            raise ImproperlyConfigured(
                f"{type(self).__name__} must declare audit_as: the model name of the client "
                "data it shows (each GET is audited), or None if it shows none."
            )
        self.perform_authentication(request)
        resolve_request_tenant(request)
        if getattr(request, "mfa_setup_required", False):
            # The resolver has already withheld the practice; this only says why, instead of
            # answering with empty lists and 404s.
            raise PermissionDenied({"detail": MFA_SETUP_REQUIRED, "code": "mfa_setup_required"})
        # DRF's Request proxies unknown attributes to the Django request, but the ones we set
        # must be visible from both.
        for name in ("practice", "membership", "client"):
            setattr(request._request, name, getattr(request, name))
        self._tenant_scope = ExitStack()
        self._tenant_scope.enter_context(practice_scope(request.practice))
        super().initial(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        # DRF calls finalize_response only for exceptions it handles: on any other (Django's
        # RequestDataTooBig, a bug) the scope would stay entered, and when the abandoned
        # ExitStack is garbage-collected, later, its exit would set this practice's scope in
        # whatever request that thread is serving then. Close it on every path.
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            stack = getattr(self, "_tenant_scope", None)
            if stack is not None:
                stack.close()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.audit_as and request.method == "GET" and response.status_code == 200:
            _read_auditor(
                request,
                object_type=self.audit_as,
                kwargs=self.kwargs,
                detail="api_view",
                listing="api_list",
            )
        stack = getattr(self, "_tenant_scope", None)
        if stack is not None:
            stack.close()
        response["Cache-Control"] = "no-store, private, max-age=0"
        return response


def id_filter(request, name: str) -> uuid.UUID | None:
    """The query parameter ``name`` as an object id; None when absent. A malformed id is the
    caller's mistake, so it answers 400 naming the parameter (not a 500, not an empty list)."""
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({name: ["Not a valid id."]}) from None


class RequestTooLarge(APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with two limits a client cannot push past: the body's size (Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE, which DRF's stream reading does not apply) and its depth
    (Python's parser raises RecursionError on deeply nested arrays, which would be a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise RequestTooLarge()
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
