"""API token authentication for DRF: ``Authorization: Token bw_…``.

A token is one member's key in one practice. Which practice a request acts in is decided
later, by the tenant resolver (clients.tenancy), from ``request.auth``; whether the member
must first set up two-factor authentication is decided there too, the same way as for a
browser session.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from accounts.selectors import api_token_for_secret
from accounts.services import api_token_touch


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the header as: Authorization: Token <token>.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        token = api_token_for_secret(raw)
        if token is None:
            # One answer for unknown, wrong, expired and revoked: the caller learns nothing
            # about which tokens exist.
            raise AuthenticationFailed("Invalid, expired or revoked token.")
        api_token_touch(token=token)
        return token.membership.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token header in the OpenAPI schema (drf-spectacular finds it by import)."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=ApiTokenAuthentication.keyword
        )
