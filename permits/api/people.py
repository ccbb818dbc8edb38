"""Authentication helpers and my profile: tokens for API clients, the CSRF cookie for the web pages' JS, and
the user's own language, channels and roles.

A user gets a token with `POST /api/auth/token/` (username and password: a new key each time, shown once, expiring
after `API_TOKEN_TTL_DAYS`), or an operator runs `manage.py api_token_create <username>`. Clients then send
`Authorization: Token <key>`. `DELETE /api/auth/token/` revokes the key it is sent with; `GET /api/auth/tokens/`
lists one's tokens, `DELETE /api/auth/tokens/<id>/` revokes one, `DELETE /api/auth/tokens/` all (sign out
everywhere). The tokens themselves are `gis_core.api_tokens`'.
"""

from collections.abc import Sequence
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import authenticate
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from gis_core.api_tokens import selectors as token_selectors
from gis_core.api_tokens import services as token_services
from gis_core.api_tokens.authentication import ApiTokenAuthentication
from gis_core.api_tokens.models import ApiToken
from permits import access, services
from permits.api.common import PermitsApiView, ProblemSerializer, problems, validated
from permits.errors import BadInput, PermissionDenied
from permits.models import Language, Role
from permits.services.accounts import two_factor_required


class TokenApi(PermitsApiView):
    permission_classes = (AllowAny,)
    throttle_scope = "sign-in"  # with the web and admin logins (THROTTLE_RATES); failures also lock (django-axes)

    class CredentialsInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
        name = serializers.CharField(
            max_length=100, required=False, default="", allow_blank=True, help_text="What the token is for."
        )

    class TokenOutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`. Shown this once only.")
        id = serializers.IntegerField()
        name = serializers.CharField()
        expires_at = serializers.DateTimeField()

    def _exchange(self) -> bool:
        # POST exchanges a password: no session (hence no CSRF token to send), a stale token header ignored.
        # DELETE revokes the token it is sent with. (No request while the OpenAPI schema is built.)
        return getattr(self.request, "method", None) == "POST"

    def get_authenticators(self) -> list[BaseAuthentication]:
        return [] if self._exchange() else [ApiTokenAuthentication()]

    def get_permissions(self) -> Sequence[Any]:
        return super().get_permissions() if self._exchange() else [IsAuthenticated()]

    @extend_schema(
        operation_id="auth_token_obtain",
        summary="Exchange a username and password for a new API token.",
        description="Each call creates a token (one per client or device), shown in this response only: only its "
        "SHA-256 is stored. It expires at `expires_at`; revoke it with DELETE /api/auth/token/.",
        request=CredentialsInputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: problems(400)[400],
            403: OpenApiResponse(ProblemSerializer, description="The account signs in with a second factor."),
            429: OpenApiResponse(ProblemSerializer, description="Too many attempts (application/problem+json)."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = validated(self.CredentialsInputSerializer, request.data)
        user = authenticate(request=request._request, username=data["username"], password=data["password"])
        if user is None:
            raise BadInput("Unable to log in with these credentials.")
        if (settings.MFA_REQUIRED_FOR_BACK_OFFICE and two_factor_required(user)) or is_mfa_enabled(user):
            # a password alone is not enough for them: a token is created on the account page, whose session
            # passed the second factor (web.accounts)
            raise PermissionDenied(
                "This account signs in with a second factor: create a token on the account page (/accounts/tokens/)."
            )
        issued = token_services.api_token_create(user=user, name=data["name"])
        token = issued.token
        output = {"token": issued.key, "id": token.pk, "name": token.name, "expires_at": token.expires_at}
        return Response(self.TokenOutputSerializer(output).data)

    @extend_schema(
        operation_id="auth_token_revoke",
        summary="Revoke the token this request is sent with (sign this client out).",
        request=None,
        responses={204: OpenApiResponse(description="Revoked."), **problems()},
    )
    def delete(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(token, ApiToken):  # authenticated by a token: the only authenticator here
            raise NotAuthenticated()
        token_services.api_token_revoke(user=request.user, token_id=token.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's first characters, to recognise it.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True, help_text="To the minute.")
    expires_at = serializers.DateTimeField()
    current = serializers.SerializerMethodField(help_text="Whether this request was sent with this token.")

    def get_current(self, token: ApiToken) -> bool:
        return bool(token.pk == self.context["current"])


class TokenListApi(PermitsApiView):
    """My API tokens: the list, and revoking them all."""

    @extend_schema(
        operation_id="auth_tokens_list",
        summary="My API tokens that have not expired (the keys themselves are never shown again).",
        responses={200: ApiTokenOutputSerializer(many=True), **problems()},
    )
    def get(self, request: Request) -> Response:
        current = request.auth.pk if isinstance(request.auth, ApiToken) else None
        tokens = token_selectors.api_tokens_of(user=request.user)
        return Response(ApiTokenOutputSerializer(tokens, many=True, context={"current": current}).data)

    @extend_schema(
        operation_id="auth_tokens_revoke_all",
        summary="Revoke all my API tokens (sign out everywhere), this request's too.",
        request=None,
        responses={204: OpenApiResponse(description="Revoked."), **problems()},
    )
    def delete(self, request: Request) -> Response:
        token_services.api_tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenDetailApi(PermitsApiView):
    """One of my API tokens."""

    @extend_schema(
        operation_id="auth_tokens_revoke",
        summary="Revoke one of my API tokens.",
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked."),
            **problems(),
            404: OpenApiResponse(ProblemSerializer, description="No such token among mine (application/problem+json)."),
        },
    )
    def delete(self, request: Request, token_id: int) -> Response:
        token_services.api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@method_decorator(ensure_csrf_cookie, name="get")
class CsrfApi(PermitsApiView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    class CsrfOutputSerializer(serializers.Serializer):
        csrf_token = serializers.CharField(help_text="Send it as the `X-CSRFToken` header with the session cookie.")

    @extend_schema(
        operation_id="auth_csrf",
        summary="Set the CSRF cookie and return its token, for session-authenticated POST/PATCH/DELETE.",
        responses={200: CsrfOutputSerializer},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        return Response(self.CsrfOutputSerializer({"csrf_token": get_token(request._request)}).data)


class RoleOutputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    territory = serializers.CharField(source="territory.code", allow_null=True, default=None)
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)


class ProfileApi(PermitsApiView):
    class ProfileOutputSerializer(serializers.Serializer):
        username = serializers.CharField(source="user.username")
        email = serializers.EmailField(source="user.email")
        phone = serializers.CharField()
        preferred_language = serializers.ChoiceField(choices=Language.choices)
        notify_by_email = serializers.BooleanField()
        notify_by_sms = serializers.BooleanField()
        roles = RoleOutputSerializer(many=True, help_text="The roles I hold, with their territory and agency.")

    class ProfileUpdateInputSerializer(serializers.Serializer):
        phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
        preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)
        notify_by_email = serializers.BooleanField(required=False)
        notify_by_sms = serializers.BooleanField(required=False, help_text="Needs a phone number.")

    @extend_schema(
        operation_id="me_profile_retrieve",
        summary="My profile: language, notification channels, roles.",
        responses={200: ProfileOutputSerializer, **problems()},
    )
    def get(self, request: Request) -> Response:
        return Response(self._output(request))

    @extend_schema(
        operation_id="me_profile_update",
        summary="Change my language (fr, ar, en), phone and notification channels (e-mail, SMS).",
        request=ProfileUpdateInputSerializer,
        responses={200: ProfileOutputSerializer, **problems(400)},
    )
    def patch(self, request: Request) -> Response:
        data = validated(self.ProfileUpdateInputSerializer, request.data)
        services.profile_update(user=request.user, **data)
        return Response(self._output(request))

    def _output(self, request: Request) -> dict[str, Any]:
        profile = services.profile_get(user=request.user)
        memberships = access.memberships_of(request.user, Role.values).select_related("territory", "agency")
        fields = ("phone", "preferred_language", "notify_by_email", "notify_by_sms")
        me = {"user": request.user, "roles": memberships, **{name: getattr(profile, name) for name in fields}}
        return dict(self.ProfileOutputSerializer(me).data)
