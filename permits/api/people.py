"""Authentication helpers and my profile: a token for API clients, the CSRF cookie for the web pages' JS, and
the user's own language, channels and roles.

A user gets their token with `POST /api/auth/token/` (username and password; the same key until revoked with
`DELETE /api/auth/token/revoke/`), or an administrator runs `manage.py drf_create_token <username>`. Clients then send
`Authorization: Token <key>`.
"""

from typing import Any

from django.contrib.auth import authenticate
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from permits import access, services
from permits.api.common import PermitsApiView, ProblemSerializer, problems, validated
from permits.errors import BadInput
from permits.models import Language, Role


class TokenApi(PermitsApiView):
    authentication_classes = ()  # a password exchange: no session, hence no CSRF token to send
    permission_classes = (AllowAny,)
    throttle_scope = "sign-in"  # with the web and admin logins (THROTTLE_RATES); failures also lock (django-axes)

    class CredentialsInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)

    class TokenOutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")

    @extend_schema(
        operation_id="auth_token_obtain",
        summary="Exchange a username and password for the user's API token.",
        description="The same token is returned until it is revoked with DELETE /api/auth/token/revoke/.",
        request=CredentialsInputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: problems(400)[400],
            429: OpenApiResponse(ProblemSerializer, description="Too many attempts (application/problem+json)."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = validated(self.CredentialsInputSerializer, request.data)
        user = authenticate(request=request._request, username=data["username"], password=data["password"])
        if user is None:
            raise BadInput("Unable to log in with these credentials.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response(self.TokenOutputSerializer({"token": token.key}).data)


class TokenRevokeApi(PermitsApiView):
    @extend_schema(
        operation_id="auth_token_revoke",
        summary="Revoke my API token (the next POST /api/auth/token/ gives a new one).",
        request=None,
        responses={204: OpenApiResponse(description="Revoked."), **problems()},
    )
    def delete(self, request: Request) -> Response:
        user: Any = request.user  # authenticated here
        Token.objects.filter(user=user).delete()
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
