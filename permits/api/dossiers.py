"""Files (dossiers): the list a user may see, drafts created and edited, one file, and what hangs on it to read:
consultation deadlines, overlapping files, instruction rounds and the audit history."""

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from gis_core.models import Territory, TerritoryLevel
from permits import selectors, services
from permits.api.common import GeometryInputField, PermitsApiView, client_address, dossier_for, problems, validated
from permits.api.serializers import (
    DossierOutputSerializer,
    DossierPageOutputSerializer,
    DossierSummaryOutputSerializer,
)
from permits.models import DossierStatus

PROJECT_HELP = {
    "title": "A short title of the project.",
    "height_m": "Height of the building in metres.",
    "floors": "Floors above ground.",
    "gross_floor_area_m2": "Gross floor area, all floors (m²).",
    "use": "Intended use: a code of the catalogue's uses (GET /api/uses/), e.g. residential, office, industrial.",
    "units": "Number of dwellings or units.",
    "establishment_class": "Class of a classified establishment (1, 2 or 3), for the procedures that have classes.",
    "answers": "Answers to the procedure's own form, by field key (GET /api/procedures/: `form_fields`): numbers, "
    "text, a choice's value, true/false, a date as YYYY-MM-DD, an activity code (GET /api/activities/), the "
    "reference of the authorised file followed. Checked as the wizard checks them; on update the keys given replace "
    "theirs and a null removes one; the required ones are asked for when the file is submitted. Errors: a 400 "
    "problem whose `errors` maps each field to its messages (in the request's language). A procedure with its own "
    "form takes no building parameter (height_m, use...): its answers fill the typed columns it declares.",
}


class DossierPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class ProjectFieldsSerializer(serializers.Serializer):
    """The project's parameters and its ground (parcels and footprint), shared by creation and update."""

    title = serializers.CharField(max_length=300, required=False, allow_blank=True, help_text=PROJECT_HELP["title"])
    height_m = serializers.FloatField(required=False, allow_null=True, min_value=0, help_text=PROJECT_HELP["height_m"])
    floors = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=32767, help_text=PROJECT_HELP["floors"]
    )
    gross_floor_area_m2 = serializers.FloatField(
        required=False, allow_null=True, min_value=0, help_text=PROJECT_HELP["gross_floor_area_m2"]
    )
    use = serializers.CharField(max_length=50, required=False, allow_blank=True, help_text=PROJECT_HELP["use"])
    units = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2147483647, help_text=PROJECT_HELP["units"]
    )
    establishment_class = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=32767, help_text=PROJECT_HELP["establishment_class"]
    )
    parcels = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=500,
        help_text="Ids of the parcels of the project, in the file's commune.",
    )
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True), required=False, help_text=PROJECT_HELP["answers"]
    )
    footprint = GeometryInputField(required=False, help_text="The project's footprint polygon (GeoJSON or WKT).")
    footprint_srid = serializers.IntegerField(
        required=False, min_value=1, max_value=999999, help_text="EPSG code of the footprint (default 4326)."
    )


class DossierListApi(PermitsApiView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ListField(child=serializers.ChoiceField(choices=DossierStatus.choices))

    class DossierCreateInputSerializer(ProjectFieldsSerializer):
        procedure = serializers.SlugRelatedField(
            slug_field="code", queryset=selectors.procedures_active(), help_text="Code of the procedure."
        )
        commune = serializers.SlugRelatedField(
            slug_field="code",
            queryset=Territory.objects.filter(level=TerritoryLevel.COMMUNE),
            help_text="Code of the commune.",
        )
        applicant = serializers.SlugRelatedField(
            slug_field="username",
            queryset=get_user_model().objects.filter(is_active=True),
            required=False,
            help_text="Username of the applicant an architect files for; yourself when absent.",
        )
        parent_dossier = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            help_text="The authorised file this one follows (the building permit of an occupancy permit).",
        )

    @extend_schema(
        operation_id="dossiers_list",
        summary="The files you may see, newest first.",
        description="Applicants and architects see their own files (drafts included); the back office sees the "
        "filed files of its territory; a commission member the files dispatched to their agency.",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, many=True, enum=DossierStatus.values, description="Filter on statuses."
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, description="Page size (default 50, at most 200)."),
            OpenApiParameter("offset", OpenApiTypes.INT, description="Index of the first file of the page."),
        ],
        responses={200: DossierPageOutputSerializer, **problems(400)},
    )
    def get(self, request: Request) -> Response:
        statuses = validated(self.FilterSerializer, {"status": request.query_params.getlist("status")})["status"]
        dossiers = selectors.dossiers_visible_to(user=request.user).order_by("-created_at", "-pk")
        if statuses:
            dossiers = dossiers.filter(status__in=sorted(statuses))
        paginator = DossierPagination()
        page = paginator.paginate_queryset(dossiers, request, view=self) or []
        return paginator.get_paginated_response(DossierSummaryOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="dossiers_create",
        summary="Create a draft file.",
        description="An architect (role) may file for another applicant with `applicant`. The footprint is "
        "checked (a polygon in the commune); parcels must lie in the commune.",
        request=DossierCreateInputSerializer,
        responses={201: DossierOutputSerializer, **problems(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(self.DossierCreateInputSerializer, request.data)
        parent_id = data.pop("parent_dossier", None)
        parent = dossier_for(request, parent_id) if parent_id is not None else None
        dossier = services.dossier_create(
            actor=request.user, address=client_address(request), parent_dossier=parent, **data
        )
        output = DossierOutputSerializer(dossier, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class DossierDetailApi(PermitsApiView):
    class DossierUpdateInputSerializer(ProjectFieldsSerializer):
        pass

    @extend_schema(
        operation_id="dossiers_retrieve",
        summary="One file, with the actions you could run on it now.",
        responses={200: DossierOutputSerializer, **problems(404)},
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        return Response(DossierOutputSerializer(dossier, context={"request": request}).data)

    @extend_schema(
        operation_id="dossiers_update",
        summary="Edit a draft (or a file returned as incomplete): project parameters, parcels, footprint.",
        description="Only the fields given change; `parcels` replaces the list.",
        request=DossierUpdateInputSerializer,
        responses={200: DossierOutputSerializer, **problems(400, 403, 404)},
    )
    def patch(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        data = validated(self.DossierUpdateInputSerializer, request.data)
        dossier = services.dossier_update(actor=request.user, address=client_address(request), dossier=dossier, **data)
        return Response(DossierOutputSerializer(dossier, context={"request": request}).data)
