"""Plan review: a file's plans grouped by version chain, the annotations of a version (list, create, change,
resolve, withdraw, remark from one), the scale of its pages (declared or calibrated), the annotated copy of a
version (PDF) and the comparison of two versions' pages (changed regions and their picture).

Geometry is in PDF points of the unrotated page (origin at the MediaBox's lower-left, y up), pages 1-based; the
server computes every measurement from the page's calibration. A document, annotation or page of a file the user
may not see is a 404 (`permits.plans.selectors`); the applicant's side reads, reviewers write (403 otherwise); only
the latest version of a plan is written on (409).
"""

from typing import Any, cast
from urllib.parse import urlencode

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from gis_core.documents.validation import DocumentKind
from permits.api.common import PermitsApiView, client_address, dossier_for, problems, validated
from permits.api.documents import AnyContentNegotiation
from permits.api.serializers import RemarkOutputSerializer
from permits.errors import NotFound
from permits.models import DossierDocument
from permits.plans import exports, selectors, services
from permits.plans.models import AnnotationKind, AnnotationStatus, AuthorRole, CalibrationMethod, PlanAnnotation, Stamp
from permits.plans.pages import page_count_of, plan_page_box

MAX_POINTS = 500
POINTS_HELP = "[[x, y], ...] in PDF points of the unrotated page (origin at the MediaBox's lower-left, y up)."


def _points_field(**options: Any) -> serializers.ListField:
    pair = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
    return serializers.ListField(child=pair, min_length=1, max_length=MAX_POINTS, help_text=POINTS_HELP, **options)


class AuthorOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="author_id")
    display_name = serializers.SerializerMethodField()
    role = serializers.ChoiceField(source="author_role", choices=AuthorRole.choices)

    def get_display_name(self, annotation: PlanAnnotation) -> str:
        return str(annotation.author.get_full_name() or annotation.author.get_username())


class MeasurementOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.FloatField(help_text="m (distance, path-length), m2 (area) or degrees (angle).")
    unit = serializers.ChoiceField(choices=["m", "m2", "deg"])
    perimeter = serializers.FloatField(required=False, help_text="Area: the perimeter in m.")


class AnnotationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField(source="document_id")
    page = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AnnotationKind.choices)
    points = serializers.JSONField(help_text=POINTS_HELP)
    text = serializers.CharField()
    stamp = serializers.CharField(help_text="approved, to-correct or refused (kind stamp); blank otherwise.")
    colour = serializers.CharField(help_text="From the author's role.")
    author = AuthorOutputSerializer(source="*")
    remark = serializers.IntegerField(source="remark_id", allow_null=True)
    status = serializers.ChoiceField(choices=AnnotationStatus.choices)
    carried_from = serializers.IntegerField(source="carried_from_id", allow_null=True)
    measurement = MeasurementOutputSerializer(allow_null=True, help_text="Computed by the server; null uncalibrated.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CalibrationOutputSerializer(serializers.Serializer):
    document = serializers.IntegerField(source="document_id")
    page = serializers.IntegerField()
    method = serializers.ChoiceField(choices=CalibrationMethod.choices)
    metres_per_point = serializers.FloatField()
    scale_denominator = serializers.IntegerField(allow_null=True, help_text="Declared: N of the scale 1:N.")
    points = serializers.JSONField(allow_null=True, help_text="Calibrated: the two ends of the dimension.")
    length_m = serializers.FloatField(allow_null=True, help_text="Calibrated: the dimension's length in m.")
    set_by = serializers.CharField(source="set_by.username")
    set_at = serializers.DateTimeField()


class PlanVersionOutputSerializer(serializers.Serializer):
    document = serializers.IntegerField(source="pk")
    version_number = serializers.IntegerField(source="stored_document.version")
    uploaded_at = serializers.DateTimeField()
    round_number = serializers.IntegerField()
    media_type = serializers.CharField(source="stored_document.content_type")
    page_count = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    view_url = serializers.SerializerMethodField(help_text="What the viewer opens: the version, or a PNG of a scan.")
    view_media_type = serializers.SerializerMethodField()
    viewer_url = serializers.SerializerMethodField()
    opening_url = serializers.SerializerMethodField(
        allow_null=True, help_text="A PDF version: the byte ranges to open it with (`plans_opening`)."
    )

    def get_page_count(self, document: DossierDocument) -> int | None:
        return page_count_of(document) or None

    def get_download_url(self, document: DossierDocument) -> str:
        return f"/api/dossiers/{document.dossier_id}/documents/{document.pk}/download/"

    def get_view_url(self, document: DossierDocument) -> str:
        if exports.shown_as_stored(document):
            return self.get_download_url(document)
        return f"/api/plans/{document.pk}/view.png"

    def get_view_media_type(self, document: DossierDocument) -> str:
        return document.stored_document.content_type if exports.shown_as_stored(document) else "image/png"

    def get_opening_url(self, document: DossierDocument) -> str | None:
        return f"/api/plans/{document.pk}/opening/" if document.stored_document.kind != DocumentKind.IMAGE else None

    def get_viewer_url(self, document: DossierDocument) -> str:
        space = "/files" if self.context["owner_side"] else "/office/files"
        return f"{space}/{document.dossier_id}/plans/?document={document.pk}"


class PlanChainOutputSerializer(serializers.Serializer):
    document_type = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    versions = PlanVersionOutputSerializer(many=True)


class PlanListApi(PermitsApiView):
    @extend_schema(
        operation_id="plans_list",
        summary="The file's plans (PDF or image documents), grouped by version chain, oldest first.",
        responses={
            200: inline_serializer("PlanList", fields={"plans": PlanChainOutputSerializer(many=True)}),
            **problems(404),
        },
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        chains = selectors.plans_for(dossier=dossier, user=request.user, language=get_language() or "fr")
        context = {"owner_side": selectors.is_owner_side(user=request.user, dossier=dossier)}
        return Response({"plans": PlanChainOutputSerializer(chains, many=True, context=context).data})


class AnnotationListApi(PermitsApiView):
    class FilterSerializer(serializers.Serializer):
        page = serializers.IntegerField(required=False, min_value=1, max_value=100_000)

    class AnnotationCreateInputSerializer(serializers.Serializer):
        page = serializers.IntegerField(min_value=1, max_value=100_000)
        kind = serializers.ChoiceField(choices=AnnotationKind.choices)
        points = _points_field()
        text = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
        stamp = serializers.ChoiceField(choices=Stamp.choices, required=False, allow_blank=True, default="")
        remark = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, allow_null=True)

    @extend_schema(
        operation_id="plans_annotations_list",
        summary="The annotations of a version of a plan (of one page), withdrawn ones included.",
        parameters=[OpenApiParameter("page", OpenApiTypes.INT, description="Only this page (1-based).")],
        responses={
            200: inline_serializer("AnnotationList", fields={"annotations": AnnotationOutputSerializer(many=True)}),
            **problems(400, 404),
        },
    )
    def get(self, request: Request, document_id: int) -> Response:
        document = selectors.plan_document_get_for(user=request.user, document_id=document_id)
        options = validated(self.FilterSerializer, request.query_params)
        annotations = selectors.annotations_for(document=document, page=options.get("page"))
        return Response({"annotations": AnnotationOutputSerializer(annotations, many=True).data})

    @extend_schema(
        operation_id="plans_annotations_create",
        summary="Annotate a page of the latest version of a plan (reviewers).",
        description="Desk, commission president, inspector of the file, or a member of an agency it was "
        "dispatched to; the applicant's side is read-only (403). An older version is a 409. Points are checked "
        "against the page box; a measuring kind (distance, path-length, area, angle) gets its measurement from "
        "the page's calibration.",
        request=AnnotationCreateInputSerializer,
        responses={201: AnnotationOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = selectors.plan_document_get_for(user=request.user, document_id=document_id)
        data = validated(self.AnnotationCreateInputSerializer, request.data)
        annotation = services.plan_annotate(
            actor=request.user, address=client_address(request), document=document, **data
        )
        return Response(AnnotationOutputSerializer(annotation).data, status=status.HTTP_201_CREATED)


class AnnotationDetailApi(PermitsApiView):
    class AnnotationUpdateInputSerializer(serializers.Serializer):
        points = _points_field(required=False)
        text = serializers.CharField(required=False, allow_blank=True, max_length=4000)
        status = serializers.ChoiceField(choices=[AnnotationStatus.OPEN, AnnotationStatus.RESOLVED], required=False)

    @extend_schema(
        operation_id="plans_annotations_update",
        summary="Move an annotation, edit its text, resolve or reopen it (its author or the desk).",
        request=AnnotationUpdateInputSerializer,
        responses={200: AnnotationOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def patch(self, request: Request, annotation_id: int) -> Response:
        annotation = selectors.annotation_get_for(user=request.user, annotation_id=annotation_id)
        data = validated(self.AnnotationUpdateInputSerializer, request.data)
        annotation = services.plan_annotation_update(
            actor=request.user, address=client_address(request), annotation=annotation, **data
        )
        return Response(AnnotationOutputSerializer(annotation).data)

    @extend_schema(
        operation_id="plans_annotations_withdraw",
        summary="Withdraw an annotation (its author or the desk): kept with status withdrawn, audited.",
        request=None,
        responses={200: AnnotationOutputSerializer, **problems(403, 404, 409)},
    )
    def delete(self, request: Request, annotation_id: int) -> Response:
        annotation = selectors.annotation_get_for(user=request.user, annotation_id=annotation_id)
        annotation = services.plan_annotation_withdraw(
            actor=request.user, address=client_address(request), annotation=annotation
        )
        return Response(AnnotationOutputSerializer(annotation).data)


class AnnotationRemarkApi(PermitsApiView):
    class AnnotationRemarkInputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=20000)

    @extend_schema(
        operation_id="plans_annotations_remark",
        summary="Create a remark of the file from an annotation (the desk), linked both ways.",
        description="The remark's `location` is `{document, page, annotation}`; the file must take remarks now "
        "(under instruction), like any remark issued.",
        request=AnnotationRemarkInputSerializer,
        responses={201: RemarkOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, annotation_id: int) -> Response:
        annotation = selectors.annotation_get_for(user=request.user, annotation_id=annotation_id)
        data = validated(self.AnnotationRemarkInputSerializer, request.data)
        remark = services.plan_annotation_remark(
            actor=request.user, address=client_address(request), annotation=annotation, **data
        )
        return Response(RemarkOutputSerializer(remark).data, status=status.HTTP_201_CREATED)


class CalibrationApi(PermitsApiView):
    class CalibrationInputSerializer(serializers.Serializer):
        method = serializers.ChoiceField(choices=CalibrationMethod.choices)
        scale_denominator = serializers.IntegerField(
            required=False, min_value=1, max_value=100_000, help_text="Declared: N of the scale 1:N."
        )
        points = _points_field(required=False)
        length_m = serializers.FloatField(required=False, help_text="Calibrated: the dimension's length in metres.")

    @extend_schema(
        operation_id="plans_calibration_get",
        summary="The scale of a page of a version of a plan (204: the page has none yet).",
        responses={200: CalibrationOutputSerializer, 204: None, **problems(404)},
    )
    def get(self, request: Request, document_id: int, page: int) -> Response:
        document = selectors.plan_document_get_for(user=request.user, document_id=document_id)
        plan_page_box(document=document, page=page)
        try:
            calibration = selectors.calibration_get(document=document, page=page)
        except NotFound:
            # An uncalibrated page is a normal state of an existing page, not a missing resource (a 404 would
            # also be logged as an error in every browser console that opens the page).
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(CalibrationOutputSerializer(calibration).data)

    @extend_schema(
        operation_id="plans_calibration_set",
        summary="Set the scale of a page (reviewers; latest version): declared 1:N or two points and a length.",
        description="`{method: declared, scale_denominator}` or `{method: calibrated, points: [[x, y], [x, y]], "
        "length_m}`. The measurements of the page's annotations are computed again.",
        request=CalibrationInputSerializer,
        responses={200: CalibrationOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def put(self, request: Request, document_id: int, page: int) -> Response:
        document = selectors.plan_document_get_for(user=request.user, document_id=document_id)
        data = validated(self.CalibrationInputSerializer, request.data)
        calibration = services.plan_calibrate(
            actor=request.user, address=client_address(request), document=document, page=page, **data
        )
        return Response(CalibrationOutputSerializer(calibration).data)


class AnnotatedPlanApi(PermitsApiView):
    throttle_scope = "plan-render"
    content_negotiation_class = AnyContentNegotiation

    @extend_schema(
        operation_id="plans_annotated_pdf",
        summary="The annotated copy of a version: its annotations as standard PDF annotations, the remarks last.",
        description="A new PDF: the stored original (its signatures intact) followed by one incremental update "
        "with the annotations (Square, Line, PolyLine, Polygon, FreeText, Stamp; `/Measure` on calibrated pages) "
        "and a page listing the file's remarks. A raster plan becomes a one-page PDF first.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The annotated copy."),
            **problems(404),
        },
    )
    def get(self, request: Request, document_id: int) -> HttpResponse:
        document = selectors.plan_document_get_for(user=request.user, document_id=document_id)
        serialized = AnnotationOutputSerializer(selectors.annotations_for(document=document), many=True).data
        annotations = cast(list[dict[str, Any]], serialized)  # many=True: a list (DRF's stubs say a dict)
        content = exports.plan_annotated_pdf(document=document, annotations=annotations)
        response = HttpResponse(content, content_type="application/pdf")
        stem = document.stored_document.original_filename.rsplit(".", 1)[0]
        response["Content-Disposition"] = content_disposition_header(True, f"{stem}-annotated.pdf") or "attachment"
        response["Cache-Control"] = "private, no-cache"
        return response


class PlanViewApi(PermitsApiView):
    throttle_scope = "plan-render"
    content_negotiation_class = AnyContentNegotiation

    @extend_schema(
        operation_id="plans_view_png",
        summary="A raster plan browsers cannot draw (a TIFF scan) as a PNG of the same pixels, for the viewer.",
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The scan as PNG."),
            **problems(404),
        },
    )
    def get(self, request: Request, document_id: int) -> HttpResponse:
        document = selectors.plan_document_get_for(user=request.user, document_id=document_id)
        if not document.stored_document.content_type.startswith("image/"):
            raise NotFound("This version is a PDF: the viewer opens it as it is stored.")
        response = HttpResponse(exports.plan_view_png(document), content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        response["ETag"] = f'"{document.stored_document.sha256}-png"'
        return response


class PlanOpeningApi(PermitsApiView):
    class OpeningFilterSerializer(serializers.Serializer):
        page = serializers.IntegerField(min_value=1, max_value=100_000, default=1)

    class OpeningOutputSerializer(serializers.Serializer):
        size_bytes = serializers.IntegerField()
        chunk_bytes = serializers.IntegerField(help_text="Ranges are whole chunks of this size (PDF.js's).")
        ranges = serializers.ListField(
            child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
            help_text="Inclusive byte ranges, to ask for in one `Range` header of the version's download.",
        )

    @extend_schema(
        operation_id="plans_opening",
        summary="The byte ranges a PDF viewer reads to open a version at a page, to ask for in one request.",
        description="The catalog, the page tree, the last cross-reference sections and the page's contents and "
        "resources, as whole chunks: a 50-page plan opens in one round trip instead of fifty. A hint: the "
        "viewer asks for anything else it needs. An image version has no ranges.",
        parameters=[OpeningFilterSerializer],
        responses={200: OpeningOutputSerializer, **problems(400, 404)},
    )
    def get(self, request: Request, document_id: int) -> Response:
        document = selectors.plan_document_get_for(user=request.user, document_id=document_id)
        page = validated(self.OpeningFilterSerializer, request.query_params)["page"]
        plan_page_box(document=document, page=page)
        response = Response(exports.plan_opening(document=document, page=page))
        response["Cache-Control"] = "private, max-age=3600"
        return response


# `from` is a Python keyword: the query's serializer is built from a mapping of its fields.
CompareFilterSerializer = type(
    "CompareFilterSerializer",
    (serializers.Serializer,),
    {
        "from": serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The older version."),
        "to": serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The newer version."),
        "page": serializers.IntegerField(min_value=1, max_value=100_000, default=1),
    },
)
COMPARE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.INT, required=True, description="The older version (a document id)."),
    OpenApiParameter("to", OpenApiTypes.INT, required=True, description="The newer version (a document id)."),
    OpenApiParameter("page", OpenApiTypes.INT, description="The page of both (1-based; 1 by default)."),
]


def _comparison(request: Request) -> tuple[dict[str, Any], Any]:
    """The query's versions (both of one file the user may see; 404 otherwise) and their comparison."""
    options = validated(CompareFilterSerializer, request.query_params)
    older = selectors.plan_document_get_for(user=request.user, document_id=options["from"])
    newer = selectors.plan_document_get_for(user=request.user, document_id=options["to"])
    if older.dossier_id != newer.dossier_id:
        raise NotFound(f"There is no document {newer.pk} in the file of document {older.pk}.")
    return options, exports.plan_comparison(older=older, newer=newer, page=options["page"])


class PlanCompareApi(PermitsApiView):
    throttle_scope = "plan-render"

    @extend_schema(
        operation_id="plans_compare",
        summary="Where a page of the newer version differs from the older one: the changed regions.",
        description="Both pages are rendered at 150 dpi, aligned, and compared; `regions` are in PDF points of the "
        "newer page (origin at its MediaBox's lower-left, y up); `diff_png_url` is the highlighted picture (what "
        "was removed in red, what was added in blue).",
        parameters=COMPARE_PARAMETERS,
        responses={
            200: inline_serializer(
                "PlanComparison",
                fields={
                    "regions": inline_serializer(
                        "ChangedRegion",
                        fields={
                            "x": serializers.FloatField(),
                            "y": serializers.FloatField(),
                            "width": serializers.FloatField(),
                            "height": serializers.FloatField(),
                        },
                        many=True,
                    ),
                    "diff_png_url": serializers.CharField(),
                },
            ),
            **problems(400, 404),
        },
    )
    def get(self, request: Request) -> Response:
        options, comparison = _comparison(request)
        query = urlencode({"from": options["from"], "to": options["to"], "page": options["page"]})
        return Response({"regions": exports.regions_of(comparison), "diff_png_url": f"/api/plans/compare.png?{query}"})


class PlanComparePngApi(PermitsApiView):
    throttle_scope = "plan-render"
    content_negotiation_class = AnyContentNegotiation

    @extend_schema(
        operation_id="plans_compare_png",
        summary="The highlighted difference of a page of two versions (PNG).",
        parameters=COMPARE_PARAMETERS,
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The picture."),
            **problems(400, 404),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        _options, comparison = _comparison(request)
        response = HttpResponse(comparison.diff_png, content_type="image/png")
        response["Cache-Control"] = "private, max-age=600"
        return response
