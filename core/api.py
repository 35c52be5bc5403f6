"""Shared REST plumbing: pagination and the base that enters the practice scope."""

from contextlib import ExitStack
from typing import TYPE_CHECKING

from rest_framework.pagination import PageNumberPagination

from core.tenancy import practice_scope, resolve_request_tenant


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


if TYPE_CHECKING:
    from rest_framework.views import APIView as _MixinBase
else:
    # A mixin for APIView subclasses: the type checker sees the methods it extends.
    _MixinBase = object


class TenantAPIMixin(_MixinBase):
    """Enter the practice scope once DRF has authenticated the request (token or session).

    The HTML middleware cannot know about token authentication, so API views re-resolve the
    tenant here and scope the whole handler to it.
    """

    def initial(self, request, *args, **kwargs):
        self.perform_authentication(request)
        resolve_request_tenant(request)
        # DRF's Request proxies unknown attributes to the Django request, but the ones we set
        # must be visible from both.
        for name in ("practice", "membership", "client"):
            setattr(request._request, name, getattr(request, name))
        self._tenant_scope = ExitStack()
        self._tenant_scope.enter_context(practice_scope(request.practice))
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        stack = getattr(self, "_tenant_scope", None)
        if stack is not None:
            stack.close()
        response["Cache-Control"] = "no-store, private, max-age=0"
        return response
