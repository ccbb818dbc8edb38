"""Mandates over the API: list yours, invite (an architect invites an applicant, or an applicant an architect),
accept, decline, revoke (`permits.services.mandates`)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from permits.api.common import EmptyInputSerializer, PermitsApiView, client_address, dossier_for, problems, validated
from permits.models import MandateScope
from permits.services import mandates


class MandateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    architect = serializers.CharField(source="architect.username", allow_null=True, default=None)
    applicant = serializers.CharField(source="applicant.username", allow_null=True, default=None)
    invited_by = serializers.CharField(source="invited_by.username")
    invited_email = serializers.EmailField()
    scope = serializers.CharField()
    dossier = serializers.IntegerField(source="dossier_id", allow_null=True)
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    active_since = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class InviteInputSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The applicant's (or the architect's) e-mail address.")
    scope = serializers.ChoiceField(choices=MandateScope.choices, default=MandateScope.ALL_FILES)
    dossier = serializers.IntegerField(required=False, allow_null=True, help_text="The file, for scope `file`.")


class MandateListApi(PermitsApiView):
    @extend_schema(
        operation_id="mandates_list",
        summary="Your mandates and invitations.",
        responses={200: MandateSerializer(many=True), **problems()},
    )
    def get(self, request: Request) -> Response:
        return Response(MandateSerializer(mandates.mandates_of(user=request.user), many=True).data)

    @extend_schema(
        operation_id="mandates_invite",
        summary="Invite an applicant (as an architect) or an architect (as an applicant) to a mandate.",
        request=InviteInputSerializer,
        responses={201: MandateSerializer, **problems(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = validated(InviteInputSerializer, request.data or {})
        dossier = dossier_for(request, data["dossier"]) if data.get("dossier") else None
        mandate = mandates.mandate_invite(
            actor=request.user,
            address=client_address(request),
            email=data["email"],
            scope=data["scope"],
            dossier=dossier,
            language=getattr(request, "LANGUAGE_CODE", "fr") or "fr",
        )
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)


def _mandate_action(request: Request, mandate_id: int, service: Any) -> Response:
    validated(EmptyInputSerializer, request.data or {})
    mandate = service(actor=request.user, address=client_address(request), mandate=mandate_id)
    return Response(MandateSerializer(mandate).data)


def _action_schema(operation_id: str, summary: str) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        request=EmptyInputSerializer,
        responses={200: MandateSerializer, **problems(403, 404, 409)},
    )


class MandateAcceptApi(PermitsApiView):
    @_action_schema("mandates_accept", "Accept an invitation addressed to you.")
    def post(self, request: Request, mandate_id: int) -> Response:
        return _mandate_action(request, mandate_id, mandates.mandate_accept)


class MandateDeclineApi(PermitsApiView):
    @_action_schema("mandates_decline", "Decline an invitation addressed to you.")
    def post(self, request: Request, mandate_id: int) -> Response:
        return _mandate_action(request, mandate_id, mandates.mandate_decline)


class MandateRevokeApi(PermitsApiView):
    @_action_schema("mandates_revoke", "End a mandate (the applicant at any time; the architect withdraws).")
    def post(self, request: Request, mandate_id: int) -> Response:
        return _mandate_action(request, mandate_id, mandates.mandate_revoke)
