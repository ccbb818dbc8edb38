"""A file's documents: every uploaded version (list), an upload (multipart, streamed to a temporary file, checked
by the document store), the download of one version (visibility checked: 404 otherwise), the signed documents of
a published file (decision, PV of its examination, authorised plans), and a footprint read from a GeoJSON, KML,
GeoPackage, zipped Shapefile or DXF file.

Uploads are stopped as soon as they pass `DOCUMENTS_MAX_UPLOAD_BYTES` (before the body is fully received).
Nothing is overwritten: an upload with `supersedes` becomes the next version of that document.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from gis_core.documents.downloads import document_response
from gis_core.documents.uploads import limit_upload_size
from permits import selectors, services
from permits.api.common import PermitsApiView, client_address, dossier_for, problems, validated
from permits.api.serializers import DossierOutputSerializer
from permits.commissions.published import published_output_get
from permits.downloads import dossier_document_response
from permits.footprint import footprint_from_file
from permits.models import DossierDocument


class DocumentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = serializers.IntegerField(source="dossier_id")
    document_type = serializers.CharField(help_text="A required-document code of the procedure, revised-plan or other.")
    round_number = serializers.IntegerField(help_text="Instruction round when uploaded (0 before the first).")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    uploaded_at = serializers.DateTimeField()
    is_current = serializers.SerializerMethodField(help_text="No later version supersedes this one.")
    version = serializers.IntegerField(source="stored_document.version")
    lineage = serializers.UUIDField(source="stored_document.lineage", help_text="Shared by all versions.")
    filename = serializers.CharField(source="stored_document.original_filename")
    content_type = serializers.CharField(source="stored_document.content_type", help_text="From the magic bytes.")
    size_bytes = serializers.IntegerField(source="stored_document.size_bytes")
    sha256 = serializers.CharField(source="stored_document.sha256")
    page_count = serializers.IntegerField(source="stored_document.page_count", allow_null=True)
    download = serializers.SerializerMethodField(help_text="Path of the content.")

    def get_is_current(self, document: DossierDocument) -> bool:
        return bool(getattr(document, "is_current", True))

    def get_download(self, document: DossierDocument) -> str:
        return f"/api/dossiers/{document.dossier_id}/documents/{document.pk}/download/"


class DocumentListApi(PermitsApiView):
    parser_classes = (MultiPartParser, FormParser)

    class FilterSerializer(serializers.Serializer):
        current_only = serializers.BooleanField(default=False)

    class DocumentUploadInputSerializer(serializers.Serializer):
        document_type = serializers.SlugField(max_length=64, help_text="A required-document code, or revised-plan.")
        file = serializers.FileField(help_text="PDF or image; checked by its magic bytes, PDFs parsed.")
        supersedes = serializers.IntegerField(
            required=False, min_value=1, max_value=2**63 - 1, help_text="Id of the version this one replaces."
        )

    @extend_schema(
        operation_id="documents_list",
        summary="Every uploaded version of the file's documents, oldest first.",
        parameters=[OpenApiParameter("current_only", OpenApiTypes.BOOL, description="Only the current versions.")],
        responses={200: DocumentOutputSerializer(many=True), **problems(400, 404)},
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        options = validated(self.FilterSerializer, request.query_params)
        documents = selectors.documents_for(dossier=dossier, user=request.user, current_only=options["current_only"])
        return Response(DocumentOutputSerializer(documents, many=True).data)

    @extend_schema(
        operation_id="documents_upload",
        summary="Upload a document (a new immutable version) to a draft, an incomplete file, or a file awaiting "
        "the applicant's reply (revised plans).",
        description="The applicant or their architect. `multipart/form-data` with `document_type` and `file`.",
        request={"multipart/form-data": DocumentUploadInputSerializer},
        responses={201: DocumentOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        limit_upload_size(request, max_bytes=settings.DOCUMENTS_MAX_UPLOAD_BYTES)
        data = validated(self.DocumentUploadInputSerializer, request.data)
        document = services.document_upload(
            actor=request.user,
            address=client_address(request),
            dossier=dossier,
            document_type=data["document_type"],
            uploaded_file=data["file"],
            supersedes=data.get("supersedes"),
        )
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)


class AnyContentNegotiation(BaseContentNegotiation):
    """A download answers with the document's own type, whatever the client's Accept header says."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> Any:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class DocumentDownloadApi(PermitsApiView):
    content_negotiation_class = AnyContentNegotiation

    @extend_schema(
        operation_id="documents_download",
        summary="The content of one uploaded version, with its SHA-256 as ETag.",
        description="`If-None-Match` with the ETag gives 304. A document of a file you may not see is a 404.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The document."),
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The document (an image)."),
            304: OpenApiResponse(description="Not modified (the ETag matches)."),
            **problems(404),
        },
    )
    def get(self, request: Request, dossier_id: int, document_id: int) -> HttpResponseBase:
        return dossier_document_response(
            user=request.user, document_id=document_id, dossier_id=dossier_id, request=request._request
        )


class PublishedDocumentDownloadApi(PermitsApiView):
    content_negotiation_class = AnyContentNegotiation

    @extend_schema(
        operation_id="dossiers_published_document_download",
        summary="A signed document of a published file (decision, PV of its examination, authorised plan).",
        description="The signed PDF, with its SHA-256 as ETag (`If-None-Match` gives 304). Listed in the file's "
        "`published_documents`; a 404 before the file is published, and for a file you may not see.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The signed PDF."),
            304: OpenApiResponse(description="Not modified (the ETag matches)."),
            **problems(404),
        },
    )
    def get(self, request: Request, dossier_id: int, output_id: int) -> HttpResponseBase:
        dossier = dossier_for(request, dossier_id)
        item = published_output_get(dossier=dossier, output_id=output_id)
        return document_response(item.document, request=request._request)


class FootprintUploadApi(PermitsApiView):
    parser_classes = (MultiPartParser, FormParser)

    class FootprintFileInputSerializer(serializers.Serializer):
        file = serializers.FileField(
            help_text="GeoJSON, KML, GeoPackage, zipped Shapefile or DXF; polygons and closed lines are kept. A VRT, "
            "or a file that links to a URL or another file, is refused."
        )
        srid = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=999999,
            help_text="EPSG code of the coordinates, for a file that declares none (DXF, nearly always).",
        )

    @extend_schema(
        operation_id="dossiers_footprint_upload",
        summary="Set the footprint of a draft (or incomplete file) from a GeoJSON, KML, GeoPackage, Shapefile or DXF "
        "file.",
        description="The polygons are validated, reprojected to WGS84 and merged; the file answers with its new "
        "footprint as GeoJSON.",
        request={"multipart/form-data": FootprintFileInputSerializer},
        responses={200: DossierOutputSerializer, **problems(400, 403, 404)},
    )
    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        limit_upload_size(request, max_bytes=settings.FOOTPRINT_MAX_UPLOAD_BYTES)
        data = validated(self.FootprintFileInputSerializer, request.data)
        footprint = footprint_from_file(uploaded_file=data["file"], srid=data.get("srid"))
        dossier = services.dossier_update(
            actor=request.user, address=client_address(request), dossier=dossier, footprint=footprint
        )
        return Response(DossierOutputSerializer(dossier, context={"request": request}).data)
