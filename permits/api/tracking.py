"""What a file's people follow, read-only: consultation deadlines (business days remaining), overlapping files
(all of them for the back office; for the applicant only the published authorisations the public map shows),
instruction rounds (earlier ones kept) and the audit history (the staff's IP addresses are not shown to the
applicant: personal data they have no use for; nor the other files the filing found overlapping)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from permits import access, selectors
from permits.api.common import PermitsApiView, dossier_for, problems, validated
from permits.api.serializers import RelatedIdsField
from permits.models import AuditEvent, ConsultationStatus, OpinionValue


class DossierDeadlinesApi(PermitsApiView):
    class FilterSerializer(serializers.Serializer):
        all_rounds = serializers.BooleanField(default=False)

    class DeadlineOutputSerializer(serializers.Serializer):
        consultation = serializers.IntegerField(source="consultation_id")
        agency = serializers.CharField(source="agency_code")
        agency_name_fr = serializers.CharField()
        round = serializers.IntegerField()
        permanent = serializers.BooleanField()
        deadline = serializers.DateField(help_text="Last business day to give the opinion.")
        business_days_remaining = serializers.IntegerField(
            help_text="Business days left (weekends and Morocco's public holidays excluded); negative once overdue."
        )
        status = serializers.ChoiceField(choices=ConsultationStatus.choices)
        opinion = serializers.ChoiceField(choices=OpinionValue.choices, allow_blank=True)
        overdue = serializers.BooleanField()

    @extend_schema(
        operation_id="dossiers_deadlines",
        summary="Each consulted member's deadline, live, in business days.",
        parameters=[
            OpenApiParameter("all_rounds", OpenApiTypes.BOOL, description="Earlier rounds too (default: current).")
        ],
        responses={200: DeadlineOutputSerializer(many=True), **problems(400, 404)},
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        options = validated(self.FilterSerializer, request.query_params)
        rows = selectors.consultation_deadlines(dossier=dossier, all_rounds=options["all_rounds"])
        return Response(self.DeadlineOutputSerializer(rows, many=True).data)


class DossierOverlapsApi(PermitsApiView):
    class OverlapOutputSerializer(serializers.Serializer):
        dossier = serializers.IntegerField(source="dossier_id")
        reference = serializers.CharField(allow_null=True)
        status = serializers.CharField()
        procedure = serializers.CharField()
        overlap_m2 = serializers.FloatField(help_text="Geodesic area shared with this file (m²).")

    @extend_schema(
        operation_id="dossiers_overlaps",
        summary="Open or authorised files whose ground overlaps this file's, now.",
        description="The back office of the file's commune sees every open or authorised file; the applicant (and "
        "anyone else) only the published authorisations whose footprint, as the public map shows it, overlaps the "
        "file's ground, never anything of an unpublished file. The overlaps found at filing stay in the file's "
        "`overlaps_at_filing`.",
        responses={200: OverlapOutputSerializer(many=True), **problems(404)},
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        overlaps = selectors.dossier_overlaps_for(dossier=dossier, user=request.user)
        return Response(self.OverlapOutputSerializer(overlaps, many=True).data)


class RoundConsultationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.CharField(source="agency.code")
    permanent = serializers.BooleanField()
    deadline = serializers.DateField()
    status = serializers.ChoiceField(choices=ConsultationStatus.choices)
    opinion = serializers.ChoiceField(choices=OpinionValue.choices, allow_blank=True)
    motivation = serializers.CharField()
    given_at = serializers.DateTimeField(allow_null=True)


class DossierRoundsApi(PermitsApiView):
    class RoundOutputSerializer(serializers.Serializer):
        number = serializers.IntegerField()
        opened_at = serializers.DateTimeField()
        closed_at = serializers.DateTimeField(allow_null=True)
        reason = serializers.CharField()
        consultations = RoundConsultationOutputSerializer(many=True)
        remarks = RelatedIdsField(help_text="Ids of its remarks.")

    @extend_schema(
        operation_id="dossiers_rounds",
        summary="The file's instruction rounds, oldest first, with their consultations and remarks.",
        responses={200: RoundOutputSerializer(many=True), **problems(404)},
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        return Response(self.RoundOutputSerializer(selectors.dossier_rounds(dossier=dossier), many=True).data)


class DossierHistoryApi(PermitsApiView):
    class AuditEventOutputSerializer(serializers.Serializer):
        sequence = serializers.IntegerField(help_text="Position in the platform's hash chain.")
        at = serializers.DateTimeField()
        action = serializers.CharField(help_text="e.g. dossier.created, dossier.submit, consultation.opinion_given.")
        actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
        address = serializers.SerializerMethodField(
            help_text="The client's IP address; to the applicant, only on their own events (null otherwise)."
        )
        payload = serializers.SerializerMethodField(help_text="The event's facts (the filing's overlapping files "
                                                    "only to the back office).")  # fmt: skip
        hash = serializers.CharField()

        @extend_schema_field(OpenApiTypes.OBJECT)
        def get_payload(self, event: AuditEvent) -> dict[str, Any]:
            return selectors.audit_payload_for(
                payload=event.payload, overlaps_shown_in_full=self.context["overlaps_in_full"]
            )

        def get_address(self, event: AuditEvent) -> str | None:
            if self.context["all_addresses"] or event.actor_id == self.context["viewer_id"]:
                return event.address
            return None

    @extend_schema(
        operation_id="dossiers_history",
        summary="The file's audit trail, oldest first: who did what, when, from which address.",
        responses={200: AuditEventOutputSerializer(many=True), **problems(404)},
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        events = selectors.audit_events_for(dossier=dossier)
        context = {
            "viewer_id": request.user.pk,
            "all_addresses": not access.is_owner(request.user, dossier),
            "overlaps_in_full": selectors.overlaps_in_full(dossier=dossier, user=request.user),
        }
        return Response(self.AuditEventOutputSerializer(events, many=True, context=context).data)
