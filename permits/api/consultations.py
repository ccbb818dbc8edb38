"""Consultations: a commission member's queue, and giving the agency's opinion.

A consultation is reached only through a file the user may see (404 otherwise); the service then checks that
the user speaks for the consulted agency (403) and that the opinion is still taken (409).
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from permits import selectors, services
from permits.api.common import PermitsApiView, client_address, problems, validated
from permits.api.serializers import ConsultationOutputSerializer, DossierSummaryOutputSerializer
from permits.deadlines import business_days_remaining
from permits.errors import NotFound
from permits.models import Consultation, OpinionValue


def consultation_for(request: Request, consultation_id: int) -> Consultation:
    """A consultation of a file the user may see; 404 otherwise."""
    visible = selectors.dossiers_visible_to(user=request.user)
    consultation = (
        Consultation.objects.filter(pk=consultation_id, dossier__in=visible).select_related("round", "agency").first()
    )
    if consultation is None:
        raise NotFound(f"There is no consultation {consultation_id}.")
    return consultation


class QueueItemOutputSerializer(ConsultationOutputSerializer):
    dossier_summary = DossierSummaryOutputSerializer(source="dossier")
    business_days_remaining = serializers.SerializerMethodField(
        help_text="Business days left before the deadline (Morocco's holidays excluded); negative once overdue."
    )

    def get_business_days_remaining(self, consultation: Consultation) -> int:
        return business_days_remaining(timezone.localdate(), consultation.deadline)


class ConsultationQueueApi(PermitsApiView):
    class FilterSerializer(serializers.Serializer):
        pending = serializers.BooleanField(default=True)

    @extend_schema(
        operation_id="consultations_queue",
        summary="My queue: consultations of the agencies I speak for, soonest deadline first.",
        parameters=[
            OpenApiParameter("pending", OpenApiTypes.BOOL, description="Only those awaiting an opinion (default).")
        ],
        responses={200: QueueItemOutputSerializer(many=True), **problems(400)},
    )
    def get(self, request: Request) -> Response:
        options = validated(self.FilterSerializer, request.query_params)
        queue = selectors.consultations_queue_for(user=request.user, pending_only=options["pending"])
        return Response(QueueItemOutputSerializer(queue, many=True).data)


class OpinionGiveApi(PermitsApiView):
    class OpinionInputSerializer(serializers.Serializer):
        opinion = serializers.ChoiceField(choices=OpinionValue.choices)
        motivation = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=20000,
            help_text="Required for an unfavourable opinion or one with reservations.",
        )

    @extend_schema(
        operation_id="consultations_give_opinion",
        summary="Give the agency's opinion, before the end of the deadline day.",
        request=OpinionInputSerializer,
        responses={200: ConsultationOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_for(request, consultation_id)
        data = validated(self.OpinionInputSerializer, request.data)
        consultation = services.opinion_give(
            actor=request.user, address=client_address(request), consultation=consultation.pk, **data
        )
        return Response(ConsultationOutputSerializer(consultation).data)
