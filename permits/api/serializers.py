"""Output serializers shared by several permits endpoints: the file (summary and detail), remarks, consultations.

Inputs are nested in their views; these render domain objects and selector rows as JSON, geometries as
GeoJSON (WGS84 lon/lat).
"""

import json
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gis_core.signing.services import verification_url
from parcels.api import CommuneOutputSerializer
from permits import selectors
from permits.api.common import GeoJsonGeometryField
from permits.commissions.published import APPLICANT_KINDS, PublishedOutput, published_outputs_for
from permits.models import ConsultationStatus, Decision, Dossier, DossierStatus, OpinionValue, Remark, RemarkStatus


class ProcedureRefOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_fr = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()


class DossierSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True, help_text="`COMMUNE/YYYY/000123`; null while a draft.")
    status = serializers.ChoiceField(choices=DossierStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    procedure = serializers.CharField(source="procedure.code")
    commune = serializers.CharField(source="commune.code")
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class DossierPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DossierSummaryOutputSerializer(many=True)


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "GeoJSON MultiPolygon (RFC 7946), WGS84 lon/lat; null when the file has no footprint.",
        "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
    }
)
class FootprintOutputField(GeoJsonGeometryField):
    def to_representation(self, value: Any) -> Any:
        return None if value is None else json.loads(value.geojson)


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class RelatedIdsField(serializers.Field):
    """The ids of a to-many relation (read-only), in id order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> list[int]:
        return sorted(item.pk for item in value.all())


class PublishedDocumentOutputSerializer(serializers.Serializer):
    """A signed document of a published file: the decision, the PV of the file's examination, an authorised plan."""

    id = serializers.IntegerField(source="output_id")
    kind = serializers.ChoiceField(choices=[(kind.value, kind.label) for kind in APPLICANT_KINDS])
    number = serializers.IntegerField(help_text="1, 2... among the documents of its kind (several plans).")
    filename = serializers.CharField(source="document.original_filename")
    content_type = serializers.CharField(source="document.content_type")
    size_bytes = serializers.IntegerField(source="document.size_bytes")
    sha256 = serializers.CharField(source="document.sha256", help_text="Of the signed version (the download's ETag).")
    signed_at = serializers.DateTimeField(help_text="Time of the last signature's timestamp.")
    download = serializers.SerializerMethodField(help_text="Path of the signed PDF.")
    verification = serializers.SerializerMethodField(
        allow_null=True, help_text="The public verification page: the address the document's QR code carries."
    )

    def get_download(self, item: PublishedOutput) -> str:
        return reverse(
            "permits-api:dossier-published-document",
            kwargs={"dossier_id": self.context["dossier_id"], "output_id": item.output_id},
        )

    def get_verification(self, item: PublishedOutput) -> str | None:
        return verification_url(item.verification) if item.verification else None


class DossierOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True, help_text="`COMMUNE/YYYY/000123`; null while a draft.")
    status = serializers.ChoiceField(choices=DossierStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    procedure = ProcedureRefOutputSerializer()
    commune = CommuneOutputSerializer()
    applicant = serializers.CharField(source="applicant.username")
    architect = serializers.CharField(source="architect.username", allow_null=True, default=None)
    parent_dossier = serializers.IntegerField(source="parent_dossier_id", allow_null=True)
    title = serializers.CharField()
    height_m = serializers.FloatField(allow_null=True)
    floors = serializers.IntegerField(allow_null=True)
    gross_floor_area_m2 = serializers.FloatField(allow_null=True)
    use = serializers.CharField()
    units = serializers.IntegerField(allow_null=True)
    establishment_class = serializers.IntegerField(allow_null=True)
    activity = serializers.CharField(help_text="Code of the economic activity (nomenclature); blank when none.")
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Answers to the procedure's own form, by field key (see `form_fields` of GET /api/procedures/).",
    )
    parcels = RelatedIdsField(help_text="Parcel ids.")
    footprint = FootprintOutputField()
    precheck = serializers.JSONField(help_text="Zoning pre-check result frozen at filing ({} before).")
    overlaps_at_filing = serializers.SerializerMethodField(
        help_text="Overlapping files found at filing: every one for the back office of the file's commune; for the "
        "applicant, only the published authorisations (as the public map shows them)."
    )
    current_round = serializers.IntegerField(help_text="Instruction round (0 before dispatch).")
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True, help_text="Blank until decided.")
    decision_motivation = serializers.CharField()
    decision_conditions = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    actions = serializers.SerializerMethodField(
        help_text="Workflow actions you could ask for now, each at its route: `submit`, `withdraw`, "
        "`accept_complete` and `return_incomplete` (completeness/), `send_to_commission`, "
        "`decide_without_commission`, `issue_remark`, `send_remarks` and `reply_to_remarks` (the remarks' routes), "
        "`decide` (the president, once the file's examination in a session with the quorum is recorded: "
        "/api/commission/examinations/{id}/decide/). Never signing nor publishing: the last verified signature of "
        "the decision's documents does both (each signer signs their requests at /api/commission/signatures/). "
        "The server checks again when you act."
    )

    clock = serializers.SerializerMethodField(
        help_text="The file's legal clock (null when none runs: a draft, a signed, published or withdrawn file): the "
        "current step, its deadline and business days left (negative once overdue), what happens at expiry "
        "(`escalate` or `tacit_approval`), the limit counted from filing when it is another one, and the pause "
        "while the file waits for the applicant."
    )
    published_documents = serializers.SerializerMethodField(
        help_text="Once the file is published: the signed decision, the PV of its examination and the authorised "
        "plans (empty before, and while any signature is missing)."
    )

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "dossier": {"type": "integer"},
                    "reference": {"type": "string", "nullable": True},
                    "status": {"type": "string"},
                    "procedure": {"type": "string"},
                    "overlap_m2": {"type": "number"},
                },
            },
        }
    )
    def get_overlaps_at_filing(self, dossier: Dossier) -> list[dict[str, Any]]:
        return selectors.dossier_overlaps_at_filing_for(dossier=dossier, user=self.context["request"].user)

    @extend_schema_field({"type": "object", "nullable": True})
    def get_clock(self, dossier: Dossier) -> dict[str, Any] | None:
        found = selectors.dossier_clock(dossier=dossier)
        return found.as_dict() if found is not None else None

    def get_actions(self, dossier: Dossier) -> list[str]:
        return selectors.actions_available(dossier=dossier, user=self.context["request"].user)

    @extend_schema_field(PublishedDocumentOutputSerializer(many=True))
    def get_published_documents(self, dossier: Dossier) -> Any:
        items = published_outputs_for(dossier=dossier)
        return PublishedDocumentOutputSerializer(items, many=True, context={"dossier_id": dossier.pk}).data


class RemarkReplyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    text = serializers.CharField()
    attachments = serializers.JSONField(help_text="Ids of the document versions uploaded with the reply.")
    created_at = serializers.DateTimeField()


class RemarkOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = serializers.IntegerField(source="dossier_id")
    round = serializers.IntegerField(source="round.number")
    author = serializers.CharField(source="author.username")
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)
    text = serializers.CharField()
    document_reference = serializers.CharField()
    location = serializers.JSONField(help_text="Where on the plan: page, x, y, zoom...")
    status = serializers.ChoiceField(choices=RemarkStatus.choices)
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    replies = RemarkReplyOutputSerializer(many=True)
    annotations = serializers.SerializerMethodField(help_text="Ids of the plan annotations linked to the remark.")

    def get_annotations(self, remark: Remark) -> list[int]:
        return [annotation.pk for annotation in remark.annotations.all()]


class ConsultationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = serializers.IntegerField(source="dossier_id")
    round = serializers.IntegerField(source="round.number")
    agency = serializers.CharField(source="agency.code")
    permanent = serializers.BooleanField()
    reasons = serializers.JSONField(help_text="Why the agency is consulted (rules and overlays).")
    dispatched_at = serializers.DateTimeField()
    deadline = serializers.DateField(help_text="Last business day to give the opinion.")
    status = serializers.ChoiceField(choices=ConsultationStatus.choices)
    opinion = serializers.ChoiceField(choices=OpinionValue.choices, allow_blank=True, help_text="Blank while pending.")
    motivation = serializers.CharField()
    given_at = serializers.DateTimeField(allow_null=True)
