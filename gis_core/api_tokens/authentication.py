"""`Authorization: Token <key>` for DRF: the key's digest looked up, its expiry checked, its use recorded.

The OpenAPI document names the scheme `tokenAuth` (an `Authorization` header holding `Token <key>`), as DRF's own
token authentication did: clients generated from the schema keep working.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from gis_core.api_tokens.models import ApiToken
from gis_core.api_tokens.selectors import api_token_for_key

KEYWORD = "Token"


class ApiTokenAuthentication(BaseAuthentication):
    """A request with `Authorization: Token <key>` is the key's user's; a wrong, revoked or expired key is a 401."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None  # another scheme, or none: let the next authentication class try
        if len(words) != 2:
            raise AuthenticationFailed(_("Invalid token header: send `Token <key>`."))
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise AuthenticationFailed(_("Invalid token.")) from error
        token = api_token_for_key(key=key)
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if token.expired():
            raise AuthenticationFailed(_("Token expired: ask for a new one."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        # imported here: DRF loads this class while `gis_core.problems` (the base of the services' errors) loads
        from gis_core.api_tokens.services import api_token_used

        api_token_used(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD  # a 401 (not a 403) to a request without credentials


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The security scheme drf-spectacular writes for `ApiTokenAuthentication`."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A key from POST /api/auth/token/, sent as "Token <key>"; it expires (expires_at).',
        }
