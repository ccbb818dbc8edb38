"""The signed application over the API: the form as it stands (PDF/A preview), a one-time code asked by SMS or
e-mail with the applicant's consent, the code typed to seal the form (`permits.services.application`)."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from permits.api.common import PermitsApiView, client_address, dossier_for, problems, validated
from permits.models import CodeChannel
from permits.services import application


class ApplicationPreviewApi(PermitsApiView):
    @extend_schema(
        operation_id="dossiers_application_preview",
        summary="The application form of the file as it stands (unsigned PDF/A, French and Arabic).",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="application/pdf"), **problems(403, 404)},
    )
    def get(self, request: Request, dossier_id: int) -> HttpResponse:
        preview = application.application_preview(actor=request.user, dossier=dossier_for(request, dossier_id))
        response = HttpResponse(preview.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="application-{dossier_id}-preview.pdf"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-SHA256"] = preview.content_sha256
        return response


class CodeRequestInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=CodeChannel.choices, help_text="Where the code is sent.")
    consent = serializers.BooleanField(help_text="The applicant read the form and signs it: must be true.")


class CodeSentSerializer(serializers.Serializer):
    channel = serializers.CharField()
    to = serializers.CharField(source="destination_masked", help_text="The masked phone number or e-mail.")
    expires_at = serializers.DateTimeField()
    content_sha256 = serializers.CharField(help_text="The fingerprint of the form the code will sign.")


class ApplicationCodeApi(PermitsApiView):
    throttle_scope = "one-time-code"

    @extend_schema(
        operation_id="dossiers_application_code",
        summary="Send the applicant a one-time code to sign the application form.",
        description="The applicant only, on a draft or a file returned as incomplete. 429 past the codes allowed "
        "per file and hour.",
        request=CodeRequestInputSerializer,
        responses={201: CodeSentSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        data = validated(CodeRequestInputSerializer, request.data or {})
        code = application.application_code_request(
            actor=request.user, address=client_address(request), dossier=dossier, **data
        )
        return Response(CodeSentSerializer(code).data, status=status.HTTP_201_CREATED)


class SignInputSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^\s*\d{6}\s*$", help_text="The six digits received.")


class SignedSerializer(serializers.Serializer):
    document = serializers.IntegerField(source="document_id", help_text="The file's signed-application document.")
    sha256 = serializers.CharField(source="document.stored_document.sha256")
    content_sha256 = serializers.CharField()
    signed_at = serializers.DateTimeField()


class ApplicationSignApi(PermitsApiView):
    throttle_scope = "one-time-code"

    @extend_schema(
        operation_id="dossiers_application_sign",
        summary="Type the one-time code: the form is sealed (PAdES) and stored as the file's signed application.",
        description="A wrong code counts as an attempt (5 per code); an expired or spent code is refused (400).",
        request=SignInputSerializer,
        responses={201: SignedSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        data: dict[str, Any] = validated(SignInputSerializer, request.data or {})
        signature = application.application_sign(
            actor=request.user, address=client_address(request), dossier=dossier, code=data["code"].strip()
        )
        return Response(SignedSerializer(signature).data, status=status.HTTP_201_CREATED)
