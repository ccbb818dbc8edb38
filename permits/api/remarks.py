"""Remarks on a file: the list (every round), issuing one, the applicant's reply, closing an answered one.

Sending the round's remarks to the applicant is a workflow action (`permits.api.actions`). A remark is reached
only through a file the user may see, so its id cannot be probed either.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from permits import selectors, services
from permits.api.common import PermitsApiView, client_address, dossier_for, problems, validated
from permits.api.serializers import RemarkOutputSerializer, RemarkReplyOutputSerializer
from permits.errors import NotFound
from permits.models import Remark


def remark_for(request: Request, dossier_id: int, remark_id: int) -> Remark:
    """A remark of a file the user may see; 404 otherwise."""
    dossier = dossier_for(request, dossier_id)
    remark = selectors.remarks_for(dossier=dossier).filter(pk=remark_id).first()
    if remark is None:
        raise NotFound(f"There is no remark {remark_id} on this file.")
    return remark


class RemarkListApi(PermitsApiView):
    class FilterSerializer(serializers.Serializer):
        round = serializers.IntegerField(required=False, min_value=0, max_value=32767)

    class RemarkIssueInputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=20000)
        document_reference = serializers.CharField(
            required=False, allow_blank=True, max_length=200, help_text="Document (version id) the remark is about."
        )
        location = serializers.DictField(required=False, help_text="Where on the plan: page, x, y, zoom...")

    @extend_schema(
        operation_id="remarks_list",
        summary="The file's remarks with their replies, round by round.",
        parameters=[OpenApiParameter("round", OpenApiTypes.INT, description="Only this instruction round.")],
        responses={200: RemarkOutputSerializer(many=True), **problems(400, 404)},
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        options = validated(self.FilterSerializer, request.query_params)
        remarks = selectors.remarks_for(dossier=dossier, round_number=options.get("round"))
        return Response(RemarkOutputSerializer(remarks, many=True).data)

    @extend_schema(
        operation_id="remarks_issue",
        summary="Issue a remark in the current round.",
        description="Desk agent, commission president, or a member of an agency consulted in this round; the file "
        "must be under instruction (it moves to remarks issued).",
        request=RemarkIssueInputSerializer,
        responses={201: RemarkOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        data = validated(self.RemarkIssueInputSerializer, request.data)
        remark = services.remark_issue(actor=request.user, address=client_address(request), dossier=dossier, **data)
        return Response(RemarkOutputSerializer(remark).data, status=status.HTTP_201_CREATED)


class RemarkReplyApi(PermitsApiView):
    class RemarkReplyInputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=20000)
        attachments = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
            required=False,
            max_length=100,
            help_text="Ids of the document versions (revised plans) uploaded for this reply.",
        )

    @extend_schema(
        operation_id="remarks_reply",
        summary="Answer one remark (the applicant or their architect).",
        description="The reply to the last open remark sends the file back to instruction as a new round, "
        "dispatched again; earlier rounds are kept.",
        request=RemarkReplyInputSerializer,
        responses={201: RemarkReplyOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, dossier_id: int, remark_id: int) -> Response:
        remark = remark_for(request, dossier_id, remark_id)
        data = validated(self.RemarkReplyInputSerializer, request.data)
        reply = services.remark_reply(actor=request.user, address=client_address(request), remark=remark.pk, **data)
        return Response(RemarkReplyOutputSerializer(reply).data, status=status.HTTP_201_CREATED)


class RemarkCloseApi(PermitsApiView):
    class RemarkCloseInputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    @extend_schema(
        operation_id="remarks_close",
        summary="Close an answered remark.",
        description="Desk agent, commission president, or a member of the remark's agency.",
        request=RemarkCloseInputSerializer,
        responses={200: RemarkOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, dossier_id: int, remark_id: int) -> Response:
        remark = remark_for(request, dossier_id, remark_id)
        data = validated(self.RemarkCloseInputSerializer, request.data or {})
        remark = services.remark_close(actor=request.user, address=client_address(request), remark=remark.pk, **data)
        return Response(RemarkOutputSerializer(remark_for(request, dossier_id, remark.pk)).data)
