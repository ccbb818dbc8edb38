"""JSON API of the parcel look-ups, site constraints and the zoning pre-check (thin DRF views).

Each view validates its input, calls one selector or the pre-check, and answers with a JSON document built by
`parcels.api_documents`; errors are typed domain exceptions rendered as `application/problem+json` by
`gis_core.problems.exception_handler`. Geometries are accepted as GeoJSON (geometry or Feature) or WKT/EWKT
strings, in WGS84 unless an `srid` is given; geometries returned are GeoJSON in WGS84 lon/lat.

The serializers below are the contract: input serializers validate, output serializers document (the OpenAPI document is
generated from them). The hot look-ups (parcels at a point, constraints of a parcel, the pre-check) take a light path:
well-formed common input is read directly (`_point_query`, `_precheck_body`) and anything else goes through the
serializer, so every 400 keeps its exact message; output documents are built from the dataclasses without instantiating
serializers (DRF deep-copies their fields on every instantiation); content negotiation is skipped when the client
accepts JSON plainly.
"""

import math
from typing import Any, TypeGuard

from django.http import QueryDict
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core.problems import ProblemSerializer
from parcels import selectors
from parcels.api_documents import (
    constraints_document,
    parcel_collection_document,
    parcel_feature_document,
    precheck_document,
)
from parcels.precheck import Status, project_from_input, zoning_precheck
from parcels.selectors import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ParcelPage, ParcelSummary

GEOJSON_GEOMETRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "GeoJSON geometry (RFC 7946), WGS84 lon/lat.",
    "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
    "required": ["type"],
}
GEOMETRY_INPUT_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "description": "GeoJSON Polygon/MultiPolygon geometry or a Feature holding one. Coordinates in "
            "WGS84 lon/lat unless `srid` is given (or a legacy `crs` member names an EPSG code).",
            "properties": {"type": {"type": "string"}},
            "required": ["type"],
        },
        {
            "type": "string",
            "description": "WKT, e.g. `POLYGON((...))`, or EWKT with its SRID, e.g. `SRID=26191;POLYGON((...))`.",
        },
    ]
}


# Accept headers answered by the first (JSON) renderer without DRF's negotiation; it picks the same for these.
PLAIN_JSON_ACCEPT = frozenset({"*/*", "application/json"})


class PublicApiView(APIView):
    """The look-ups are public: anonymous, without the session (so no CSRF token on the pre-check's POST)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_scope = "public-api"  # THROTTLE_RATES, per client address (gis_core.limits)
    public_reader = True  # reads through the `geoportal` alias: its statement timeout answers 503 (gis_core.limits)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        """JSON without negotiation for a plain Accept (absent, `*/*`, `application/json`), as DRF would pick."""
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        if accept in PLAIN_JSON_ACCEPT and self.format_kwarg is None and "format" not in request.GET:
            renderer = self.get_renderers()[0]
            if renderer.media_type == "application/json":
                return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)


PROBLEMS = {
    400: OpenApiResponse(ProblemSerializer, description="Invalid input (application/problem+json)."),
    404: OpenApiResponse(ProblemSerializer, description="Not found (application/problem+json)."),
}


class RoundedFloatField(serializers.FloatField):
    def __init__(self, *, decimals: int, **kwargs: Any) -> None:
        self.decimals = decimals
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return round(float(value), self.decimals)


@extend_schema_field(GEOJSON_GEOMETRY_SCHEMA)
class GeoJsonGeometryField(serializers.JSONField):
    pass


@extend_schema_field(GEOMETRY_INPUT_SCHEMA)
class GeometryInputField(serializers.Field):
    """A geometry as given (GeoJSON object or WKT string); the domain parses and validates it."""

    default_error_messages = {"invalid": "A GeoJSON object or a WKT string is expected."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict | str):
            self.fail("invalid")
        return data


# --- output -------------------------------------------------------------------------------------------------


class CommuneOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_fr = serializers.CharField()
    name_ar = serializers.CharField()


class ParcelPropertiesOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    land_title = serializers.CharField()
    commune = CommuneOutputSerializer()
    official_area_m2 = serializers.FloatField(allow_null=True)
    area_m2 = RoundedFloatField(decimals=2)


class ParcelFeatureOutputSerializer(serializers.Serializer):
    type = serializers.SerializerMethodField()
    id = serializers.IntegerField()
    geometry = GeoJsonGeometryField()
    properties = ParcelPropertiesOutputSerializer(source="*")

    @extend_schema_field({"type": "string", "enum": ["Feature"]})
    def get_type(self, parcel: ParcelSummary) -> str:
        return "Feature"


class ParcelCollectionOutputSerializer(serializers.Serializer):
    type = serializers.SerializerMethodField()
    features = ParcelFeatureOutputSerializer(many=True)
    numberReturned = serializers.IntegerField()  # OGC API Features spelling
    next = serializers.URLField(allow_null=True, help_text="URL of the next page; null on the last page.")

    @extend_schema_field({"type": "string", "enum": ["FeatureCollection"]})
    def get_type(self, page: Any) -> str:
        return "FeatureCollection"


class ZoneRulesOutputSerializer(serializers.Serializer):
    max_height_m = serializers.FloatField(allow_null=True)
    max_floors = serializers.IntegerField(allow_null=True)
    max_coverage_ratio = serializers.FloatField(allow_null=True, help_text="CES: footprint / site area.")
    max_floor_area_ratio = serializers.FloatField(allow_null=True, help_text="COS: gross floor area / site area.")
    min_setback_road_m = serializers.FloatField(allow_null=True)
    min_setback_neighbour_m = serializers.FloatField(allow_null=True)
    allowed_uses = serializers.ListField(child=serializers.CharField())
    forbidden_uses = serializers.ListField(child=serializers.CharField())


class ZoneOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.CharField()
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    area_m2 = RoundedFloatField(decimals=2, help_text="Area of the site inside the zone (geodesic, m²).")
    share = RoundedFloatField(decimals=6, help_text="Share of the site's area inside the zone, 0..1.")
    rules = ZoneRulesOutputSerializer()


class AgencyOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_fr = serializers.CharField()
    name_ar = serializers.CharField()


class OverlayOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    name = serializers.CharField()
    area_m2 = RoundedFloatField(decimals=2)
    share = RoundedFloatField(decimals=6, help_text="Share of the site's area inside the overlay (buffer included).")
    agency = AgencyOutputSerializer(allow_null=True)


class SiteOutputSerializer(serializers.Serializer):
    area_m2 = RoundedFloatField(decimals=2, help_text="Geodesic area on the WGS84 ellipsoid.")
    parcel = serializers.IntegerField(source="parcel_id", allow_null=True)


class ConstraintsOutputSerializer(serializers.Serializer):
    site = SiteOutputSerializer()
    zones = ZoneOutputSerializer(many=True)
    overlays = OverlayOutputSerializer(many=True)
    agencies = AgencyOutputSerializer(many=True, help_text="Distinct agencies to consult.")


# --- parcels ------------------------------------------------------------------------------------------------


class ParcelListApi(PublicApiView):
    class ParcelFilterSerializer(serializers.Serializer):
        reference = serializers.CharField(required=False, help_text="Cadastral reference.")
        commune = serializers.CharField(required=False, help_text="Commune code.")
        land_title = serializers.CharField(required=False, help_text="Land-title number.")
        bbox = serializers.CharField(
            required=False, help_text="minx,miny,maxx,maxy in WGS84 lon/lat, or in `srid` when given."
        )
        srid = serializers.IntegerField(required=False, help_text="EPSG code of the bbox (default 4326).")
        limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
        after = serializers.IntegerField(required=False, help_text="Cursor: the last id of the previous page.")

        def validate_bbox(self, value: str) -> tuple[float, float, float, float]:
            try:
                numbers = tuple(float(part) for part in value.split(","))
            except ValueError as error:
                raise serializers.ValidationError("bbox: four numbers minx,miny,maxx,maxy expected") from error
            if len(numbers) != 4:
                raise serializers.ValidationError("bbox: four numbers minx,miny,maxx,maxy expected")
            return numbers[0], numbers[1], numbers[2], numbers[3]

    @extend_schema(
        operation_id="parcels_list",
        summary="Find parcels by reference, land title, commune or bounding box (paged by id).",
        parameters=[ParcelFilterSerializer],
        responses={200: ParcelCollectionOutputSerializer, 400: PROBLEMS[400]},
    )
    def get(self, request: Request) -> Response:
        filters = self.ParcelFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        page: ParcelPage = selectors.parcels_search(
            reference=data.get("reference"),
            commune_code=data.get("commune"),
            land_title=data.get("land_title"),
            bbox=data.get("bbox"),
            srid=data.get("srid"),
            after=data.get("after"),
            limit=data.get("limit", DEFAULT_PAGE_SIZE),
        )
        next_url = None
        if page.next_after is not None:
            query: QueryDict = request.query_params.copy()
            query["after"] = str(page.next_after)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response(parcel_collection_document(page.items, next_url))


class ParcelsAtPointApi(PublicApiView):
    class PointSerializer(serializers.Serializer):
        lon = serializers.FloatField(required=False, help_text="Longitude (WGS84).")
        lat = serializers.FloatField(required=False, help_text="Latitude (WGS84).")
        x = serializers.FloatField(required=False, help_text="X (easting) in `srid`.")
        y = serializers.FloatField(required=False, help_text="Y (northing) in `srid`.")
        srid = serializers.IntegerField(required=False, help_text="EPSG code of x/y, e.g. 26191 or 3857.")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if "lon" in attrs and "lat" in attrs:
                if attrs.get("srid") not in (None, 4326):
                    raise serializers.ValidationError("lon/lat are WGS84; use x/y with another srid")
                return {"x": attrs["lon"], "y": attrs["lat"], "srid": 4326}
            if "x" in attrs and "y" in attrs:
                return {"x": attrs["x"], "y": attrs["y"], "srid": attrs.get("srid")}
            raise serializers.ValidationError("give lon and lat, or x, y and srid")

    @extend_schema(
        operation_id="parcels_at_point",
        summary="Parcels at a point (lon/lat, or x/y in an SRID).",
        description="A point on no parcel (in a commune or outside every one) gives an empty collection; "
        "impossible coordinates or an unknown SRID are a 400 problem.",
        parameters=[PointSerializer],
        responses={200: ParcelCollectionOutputSerializer, 400: PROBLEMS[400]},
    )
    def get(self, request: Request) -> Response:
        query = _point_query(request.query_params)
        if query is None:
            point = self.PointSerializer(data=request.query_params)
            point.is_valid(raise_exception=True)
            query = point.validated_data
        return Response(parcel_collection_document(selectors.parcels_at_point(**query)))


MAX_NUMBER_TEXT = 1000  # DRF's FloatField.MAX_STRING_LENGTH


def _point_query(params: QueryDict) -> dict[str, Any] | None:
    """`PointSerializer`'s result for the common `?lon=..&lat=..` (finite numbers, no srid); None otherwise."""
    lon, lat = params.get("lon"), params.get("lat")
    if (
        not lon
        or not lat
        or "srid" in params
        or "x" in params
        or "y" in params
        or len(lon) > MAX_NUMBER_TEXT
        or len(lat) > MAX_NUMBER_TEXT
    ):
        return None
    try:
        x, y = float(lon), float(lat)
    except ValueError:
        return None
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return {"x": x, "y": y, "srid": 4326}


class ParcelDetailApi(PublicApiView):
    @extend_schema(
        operation_id="parcels_retrieve",
        summary="One parcel as a GeoJSON Feature.",
        responses={200: ParcelFeatureOutputSerializer, 404: PROBLEMS[404]},
    )
    def get(self, request: Request, parcel_id: int) -> Response:
        return Response(parcel_feature_document(selectors.parcel_get(parcel_id=parcel_id)))


class ParcelConstraintsApi(PublicApiView):
    @extend_schema(
        operation_id="parcels_constraints",
        summary="Zones and overlays a parcel touches, with the share of its area in each, and the agencies.",
        responses={200: ConstraintsOutputSerializer, 404: PROBLEMS[404]},
    )
    def get(self, request: Request, parcel_id: int) -> Response:
        return Response(constraints_document(selectors.constraints_for_parcel(parcel_id=parcel_id)))


class ConstraintsApi(PublicApiView):
    class ConstraintsInputSerializer(serializers.Serializer):
        geometry = GeometryInputField(help_text="The site: GeoJSON or WKT polygon.")
        srid = serializers.IntegerField(required=False, help_text="EPSG code of the coordinates (default 4326).")

    @extend_schema(
        operation_id="constraints_for_geometry",
        summary="Zones and overlays a drawn polygon touches, with shares, and the agencies to consult.",
        request=ConstraintsInputSerializer,
        responses={200: ConstraintsOutputSerializer, 400: PROBLEMS[400]},
        examples=[
            OpenApiExample(
                "GeoJSON polygon",
                request_only=True,
                value={
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[-7.62, 33.59], [-7.619, 33.59], [-7.619, 33.591], [-7.62, 33.59]]],
                    }
                },
            ),
            OpenApiExample(
                "WKT in Lambert Nord Maroc",
                request_only=True,
                value={"geometry": "POLYGON((297000 331000,297030 331000,297030 331020,297000 331000))", "srid": 26191},
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        body = self.ConstraintsInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        constraints = selectors.constraints_for_geometry(**body.validated_data)
        return Response(constraints_document(constraints))


# --- pre-check ----------------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "Parcel id."},
            {
                "type": "object",
                "properties": {"reference": {"type": "string"}, "commune": {"type": "string"}},
                "required": ["reference"],
                "description": "Reference, and the commune code when the reference exists in several communes.",
            },
        ]
    }
)
class ParcelReferenceField(serializers.Field):
    default_error_messages = {"invalid": "A parcel id or an object {{reference, commune}} is expected."}

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, int) and not isinstance(data, bool):
            return {"parcel_id": data}
        if isinstance(data, dict) and isinstance(data.get("reference"), str) and data["reference"]:
            commune = data.get("commune")
            if commune is not None and not isinstance(commune, str):
                self.fail("invalid")
            return {"reference": data["reference"], "commune_code": commune}
        self.fail("invalid")


class VerdictOutputSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="coverage_ratio, floor_area_ratio, height, floors, setback_road, "
                                 "setback_neighbour, use, footprint_inside_site or zoning.")  # fmt: skip
    zone = serializers.CharField(source="zone_code", allow_null=True)
    value = serializers.JSONField(help_text="Computed value (number), the use (string) or null.")
    limit = serializers.JSONField(help_text="The zone's limit (number), {allowed, forbidden} for uses, or null.")
    unit = serializers.CharField()
    status = serializers.ChoiceField(choices=[status.value for status in Status])
    message = serializers.CharField()


class PrecheckZoneOutputSerializer(ZoneOutputSerializer):
    evaluated = serializers.BooleanField(help_text="True when the zone covers at least 1% of the site.")


class MeasuresOutputSerializer(serializers.Serializer):
    metric_srid = serializers.IntegerField(help_text="SRID in which distances were measured.")
    footprint_area_m2 = RoundedFloatField(decimals=2)
    coverage_ratio = RoundedFloatField(decimals=6)
    floor_area_ratio = RoundedFloatField(decimals=6)
    setback_road_m = serializers.FloatField(allow_null=True)
    setback_neighbour_m = serializers.FloatField(allow_null=True)
    road_side_length_m = RoundedFloatField(decimals=2)
    neighbour_side_length_m = RoundedFloatField(decimals=2)
    footprint_outside_m2 = RoundedFloatField(decimals=2)


MAX_USE_LENGTH = 50


class ProjectInputSerializer(serializers.Serializer):
    footprint = GeometryInputField(help_text="Footprint polygon (GeoJSON or WKT).")
    height_m = serializers.FloatField(min_value=0, help_text="Height of the building in metres.")
    floors = serializers.IntegerField(min_value=0, help_text="Number of floors above ground.")
    gross_floor_area_m2 = serializers.FloatField(min_value=0, help_text="Gross floor area, all floors (m²).")
    use = serializers.CharField(
        max_length=MAX_USE_LENGTH, help_text="Intended use, e.g. residential, office, industrial."
    )


class PrecheckApi(PublicApiView):
    class PrecheckInputSerializer(serializers.Serializer):
        parcel = ParcelReferenceField(required=False, allow_null=True)
        site = GeometryInputField(required=False, allow_null=True, help_text="A drawn site instead of a parcel.")
        srid = serializers.IntegerField(required=False, help_text="EPSG code of `site` and the footprint.")
        project = ProjectInputSerializer()

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            attrs = {key: value for key, value in attrs.items() if value is not None}
            if ("parcel" in attrs) == ("site" in attrs):
                raise serializers.ValidationError("give either `parcel` or `site`, not both and not neither")
            return attrs

    class PrecheckOutputSerializer(serializers.Serializer):
        site = SiteOutputSerializer()
        zones = PrecheckZoneOutputSerializer(many=True)
        measures = MeasuresOutputSerializer()
        checks = VerdictOutputSerializer(many=True)
        passed = serializers.BooleanField()

    @extend_schema(
        operation_id="zoning_precheck",
        summary="Check a project against the zoning rules of its parcel or drawn site.",
        description="One verdict per rule and zone (zones covering at least 1% of the site are evaluated). "
        "Areas are geodesic; setbacks are measured in metres in the site's metric SRID from the parcel "
        "boundary: sides within 0.5 m of another parcel are neighbour sides, the rest face the road.",
        request=PrecheckInputSerializer,
        responses={200: PrecheckOutputSerializer, 400: PROBLEMS[400], 404: PROBLEMS[404]},
    )
    def post(self, request: Request) -> Response:
        data = _precheck_body(request.data)
        if data is None:
            body = self.PrecheckInputSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        srid = data.get("srid")
        if "site" in data:
            site = selectors.site_from_geometry(geometry=data["site"], srid=srid, label="site")
        elif "parcel_id" in data["parcel"]:
            site = selectors.site_of_parcel(parcel_id=data["parcel"]["parcel_id"])
        else:
            site = selectors.site_of_parcel_reference(**data["parcel"])
        project = project_from_input(srid=srid, **data["project"])
        return Response(precheck_document(zoning_precheck(site=site, project=project)))


def _is_number(value: Any) -> TypeGuard[int | float]:
    """A JSON number that DRF's FloatField takes as is: finite, and an integer that fits a float."""
    if type(value) is float:
        return math.isfinite(value)
    return type(value) is int and abs(value) < 2**53


def _precheck_body(data: Any) -> dict[str, Any] | None:
    """`PrecheckInputSerializer`'s result for a well-formed body (a parcel id or a site, an integer srid, a
    complete project with plain non-negative numbers and a short text use); None for anything else."""
    if type(data) is not dict:
        return None
    parcel, site, srid, project = data.get("parcel"), data.get("site"), data.get("srid"), data.get("project")
    if type(project) is not dict or ("srid" in data and type(srid) is not int):
        return None
    result: dict[str, Any] = {}
    if type(parcel) is int and site is None:
        result["parcel"] = {"parcel_id": parcel}
    elif parcel is None and type(site) in (dict, str):
        result["site"] = site
    else:
        return None
    if srid is not None:
        result["srid"] = srid
    footprint, use = project.get("footprint"), project.get("use")
    height_m, floors, floor_area = project.get("height_m"), project.get("floors"), project.get("gross_floor_area_m2")
    if type(footprint) not in (dict, str) or type(floors) is not int or floors < 0:
        return None
    if not (_is_number(height_m) and height_m >= 0 and _is_number(floor_area) and floor_area >= 0):
        return None
    if type(use) is not str or not use.isascii() or "\x00" in use or not 0 < len(use.strip()) <= MAX_USE_LENGTH:
        return None
    result["project"] = {
        "footprint": footprint,
        "height_m": float(height_m),
        "floors": floors,
        "gross_floor_area_m2": float(floor_area),
        "use": use.strip(),
    }
    return result
