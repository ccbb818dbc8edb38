"""API tests through Django's test client: response shapes, paging links, and every bad input answered with a
400/404 `application/problem+json` carrying a clear detail (never a 500). The look-ups are public: they read
through the read-only connection, so the block they read is committed once for the module (`committed_block`)."""

import json
from typing import Any

import pytest
import shapely
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gis_core.public_reader import PUBLIC_DATABASE
from tests.factories import OverlayFactory, ParcelFactory
from tests.parcels.conftest import PUBLIC_READS, X0, Y0, Block, lambert_box, lambert_geojson, to_lonlat

pytestmark = PUBLIC_READS
PROBLEM = "application/problem+json"


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def assert_problem(response: Any, status: int, fragment: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    text = body["detail"] + json.dumps(body.get("errors", {}))
    assert fragment.lower() in text.lower(), body
    return body


def test_parcel_feature_has_public_properties_only(client: Client, committed_block: Block) -> None:
    response = client.get(f"/api/parcels/{committed_block.site_parcel.id}/")
    assert response.status_code == 200
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert set(feature["properties"]) == {"id", "reference", "land_title", "commune", "official_area_m2", "area_m2"}
    assert feature["properties"]["commune"] == {"code": "CASA-TEST", "name_fr": "Casablanca test", "name_ar": "جماعة"}


def test_public_look_ups_read_through_the_read_only_connection(client: Client, committed_block: Block) -> None:
    uncommitted = ParcelFactory.create(commune=committed_block.commune, geom=lambert_box(500, 500, 510, 510))
    with (
        CaptureQueriesContext(connections[PUBLIC_DATABASE]) as public,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as default,
    ):
        assert client.get(f"/api/parcels/{committed_block.site_parcel.id}/").status_code == 200
        assert client.get(f"/api/parcels/{uncommitted.id}/").status_code == 404  # the reader sees committed rows
        lon, lat = to_lonlat(shapely.Point(X0 + 505, Y0 + 505)).coords[0]
        assert client.get("/api/parcels/at/", {"lon": str(lon), "lat": str(lat)}).json()["features"] == []
        assert client.get(f"/api/parcels/{committed_block.site_parcel.id}/constraints/").status_code == 200
    assert len(public.captured_queries) >= 4
    assert default.captured_queries == []
    assert connections[PUBLIC_DATABASE].settings_dict["USER"] == "geoportal_reader"


def test_list_by_reference_and_land_title(client: Client, committed_block: Block) -> None:
    site_parcel = committed_block.site_parcel
    by_reference = client.get("/api/parcels/", {"reference": "1234/A", "commune": "CASA-TEST"}).json()
    assert by_reference["type"] == "FeatureCollection"
    assert [feature["id"] for feature in by_reference["features"]] == [site_parcel.id]
    assert by_reference["next"] is None
    by_title = client.get("/api/parcels/", {"land_title": "T-5678/C"}).json()
    assert [feature["id"] for feature in by_title["features"]] == [site_parcel.id]


def test_bbox_pages_follow_the_next_link(client: Client, committed_block: Block) -> None:
    ids = committed_block.row  # five 9 m parcels side by side, 1 km north of the site
    url: str | None = f"/api/parcels/?bbox={X0 - 1},{Y0 + 999},{X0 + 60},{Y0 + 1010}&srid=26191&limit=2"
    seen: list[int] = []
    while url:
        body = client.get(url).json()
        seen.extend(feature["id"] for feature in body["features"])
        url = body["next"]
        assert url is None or url.startswith("http://testserver/api/parcels/?")
    assert seen == ids


def test_parcels_at_point(client: Client, committed_block: Block) -> None:
    site_parcel = committed_block.site_parcel
    lon, lat = to_lonlat(shapely.Point(X0 + 10, Y0 + 15)).coords[0]
    by_lonlat = client.get("/api/parcels/at/", {"lon": str(lon), "lat": str(lat)}).json()
    assert [feature["id"] for feature in by_lonlat["features"]] == [site_parcel.id]
    by_xy = client.get("/api/parcels/at/", {"x": str(X0 + 10), "y": str(Y0 + 15), "srid": "26191"}).json()
    assert [feature["id"] for feature in by_xy["features"]] == [site_parcel.id]
    paris = client.get("/api/parcels/at/", {"lon": "2.35", "lat": "48.85"})  # outside every commune: no parcel
    assert paris.status_code == 200 and paris.json()["features"] == []


def test_parcel_constraints(client: Client, committed_block: Block) -> None:
    site_parcel = committed_block.site_parcel  # the block's airport overlay covers the west half of it
    body = client.get(f"/api/parcels/{site_parcel.id}/constraints/").json()
    assert body["site"]["parcel"] == site_parcel.id
    assert body["site"]["area_m2"] == pytest.approx(600, rel=1e-3)
    assert body["zones"][0]["code"] == "R1"
    assert body["zones"][0]["share"] == 1.0
    assert body["zones"][0]["rules"]["max_coverage_ratio"] == 0.6
    assert body["zones"][0]["rules"]["allowed_uses"] == ["residential", "office"]
    overlay = body["overlays"][0]
    assert set(overlay) == {"id", "reference", "kind", "kind_label", "name", "share", "area_m2", "agency"}
    assert overlay["share"] == pytest.approx(0.5, abs=1e-4)
    assert overlay["agency"] == {"code": "ONDA-TEST", "name_fr": "Office national des aéroports", "name_ar": "المكتب"}
    assert body["agencies"] == [overlay["agency"]]


@pytest.mark.parametrize(
    "geometry",
    [
        lambert_geojson(0, 0, 10, 10),
        f"POLYGON(({X0} {Y0}, {X0 + 10} {Y0}, {X0 + 10} {Y0 + 10}, {X0} {Y0 + 10}, {X0} {Y0}))",
        {"type": "Feature", "properties": {}, "geometry": lambert_geojson(0, 0, 10, 10)},
    ],
)
def test_constraints_of_a_drawn_polygon(client: Client, committed_block: Block, geometry: Any) -> None:
    body = post(client, "/api/constraints/", {"geometry": geometry, "srid": 26191}).json()
    assert body["site"] == {"area_m2": pytest.approx(100, rel=1e-3), "parcel": None}
    assert [zone["code"] for zone in body["zones"]] == ["R1"]


def test_constraints_of_ewkt(client: Client, committed_block: Block) -> None:
    ewkt = f"SRID=26191;POLYGON(({X0} {Y0}, {X0 + 10} {Y0}, {X0 + 10} {Y0 + 10}, {X0} {Y0}))"
    assert post(client, "/api/constraints/", {"geometry": ewkt}).json()["site"]["area_m2"] == pytest.approx(50, 1e-3)


def test_precheck_of_a_parcel(client: Client, committed_block: Block) -> None:
    site_parcel = committed_block.site_parcel
    project = {
        "footprint": lambert_geojson(3, 5, 16, 25),
        "height_m": 9,
        "floors": 3,
        "gross_floor_area_m2": 780,
        "use": "residential",
    }
    body = post(client, "/api/precheck/", {"parcel": site_parcel.id, "srid": 26191, "project": project}).json()
    assert body["passed"] is True
    assert body["zones"][0]["code"] == "R1" and body["zones"][0]["evaluated"] is True
    checks = {(check["rule"], check["zone"]): check for check in body["checks"]}
    assert checks[("setback_neighbour", "R1")]["value"] == pytest.approx(4.0, abs=1e-3)
    assert checks[("setback_neighbour", "R1")]["unit"] == "m"
    assert checks[("coverage_ratio", "R1")]["status"] == "pass"
    assert checks[("use", "R1")]["limit"] == {"allowed": ["residential", "office"], "forbidden": ["industrial"]}
    by_reference = {"parcel": {"reference": "1234/A", "commune": "CASA-TEST"}, "srid": 26191, "project": project}
    failing = {**project, "height_m": 20}
    assert post(client, "/api/precheck/", by_reference).json()["passed"] is True
    assert post(client, "/api/precheck/", {**by_reference, "project": failing}).json()["passed"] is False


def test_precheck_of_a_drawn_site(client: Client, committed_block: Block) -> None:
    project = {"footprint": lambert_geojson(3, 5, 16, 25), "height_m": 9, "floors": 3, "gross_floor_area_m2": 780,
               "use": "office"}  # fmt: skip
    body = post(client, "/api/precheck/", {"site": lambert_geojson(0, 0, 20, 30), "srid": 26191, "project": project})
    assert body.status_code == 200
    assert body.json()["site"]["parcel"] is None


BOWTIE = f"POLYGON(({X0} {Y0}, {X0 + 10} {Y0 + 10}, {X0 + 10} {Y0}, {X0} {Y0 + 10}, {X0} {Y0}))"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]}}, "malformed GeoJSON"),
        ({"geometry": {"type": "Polgon", "coordinates": []}}, "malformed GeoJSON"),
        ({"geometry": {"type": "Polygon", "coordinates": "x"}}, "malformed GeoJSON"),
        ({"geometry": "POLYGON((1 2, 3"}, "malformed WKT"),
        ({"geometry": "not wkt at all"}, "malformed WKT"),
        ({"geometry": lambert_geojson(0, 0, 10, 10), "srid": 999999}, "not a known coordinate reference system"),
        ({"geometry": lambert_geojson(0, 0, 10, 10), "srid": 5773}, "not a horizontal"),
        ({"geometry": lambert_geojson(0, 0, 10, 10)}, "not a longitude/latitude pair"),
        ({"geometry": BOWTIE, "srid": 26191}, "Self-intersection"),
        ({"geometry": "POINT(-7.6 33.5)"}, "Polygon or MultiPolygon is expected"),
        ({"geometry": "POLYGON EMPTY"}, "empty"),
        ({"geometry": [1, 2]}, "GeoJSON object or a WKT string"),
        ({}, "required"),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]],
                }
            },
            "outside every commune",
        ),
    ],
)
def test_bad_constraints_input_is_a_problem(client: Client, committed_block: Block, body: Any, fragment: str) -> None:
    assert_problem(post(client, "/api/constraints/", body), 400, fragment)


def test_bad_json_body_is_a_problem(client: Client, committed_block: Block) -> None:
    response = client.post("/api/constraints/", data="{not json", content_type="application/json")
    assert_problem(response, 400, "JSON")


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"lon": 500, "lat": 33}, "not a longitude/latitude pair"),
        ({"x": 1, "y": 2, "srid": 999999}, "EPSG:999999"),
        ({"x": -7.6, "y": 33.5, "srid": 26191}, "look like longitude/latitude"),
        ({"lon": "abc", "lat": 33}, "valid number"),
        ({"lat": 33}, "give lon and lat"),
    ],
)
def test_bad_point_is_a_problem(client: Client, committed_block: Block, query: dict[str, Any], fragment: str) -> None:
    assert_problem(client.get("/api/parcels/at/", query), 400, fragment)


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"bbox": "1,2,3"}, "four numbers"),
        ({"bbox": "a,b,c,d"}, "four numbers"),
        ({"bbox": "3,3,1,1"}, "minx < maxx"),
        ({"limit": 0}, "greater than or equal to 1"),
        ({"limit": 5000}, "less than or equal to 1000"),
        ({"bbox": "1,2,3,4", "srid": 424242}, "EPSG:424242"),
    ],
)
def test_bad_list_query_is_a_problem(
    client: Client, committed_block: Block, query: dict[str, Any], fragment: str
) -> None:
    assert_problem(client.get("/api/parcels/", query), 400, fragment)


def test_unknown_parcel_is_a_404_problem(client: Client, committed_block: Block) -> None:
    assert_problem(client.get("/api/parcels/987654321/"), 404, "no parcel with id 987654321")
    assert_problem(client.get("/api/parcels/987654321/constraints/"), 404, "no parcel")
    project = {"footprint": lambert_geojson(3, 5, 16, 25), "height_m": 9, "floors": 3, "gross_floor_area_m2": 1,
               "use": "office"}  # fmt: skip
    assert_problem(post(client, "/api/precheck/", {"parcel": 987654321, "project": project}), 404, "no parcel")
    missing = {"parcel": {"reference": "nope", "commune": "CASA-TEST"}, "project": project}
    assert_problem(post(client, "/api/precheck/", missing), 404, "no parcel with reference")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"project": {"footprint": BOWTIE, "height_m": 9, "floors": 3, "gross_floor_area_m2": 1, "use": "x"}},
         "Self-intersection"),
        ({"project": {"footprint": "POLYGON((", "height_m": 9, "floors": 3, "gross_floor_area_m2": 1, "use": "x"}},
         "malformed WKT"),
        ({"project": {"height_m": 9}}, "required"),
        ({"project": {"footprint": BOWTIE, "height_m": -1, "floors": 3, "gross_floor_area_m2": 1, "use": "x"}},
         "greater than or equal to 0"),
        ({"site": lambert_geojson(0, 0, 20, 30)}, "either `parcel` or `site`"),
        ({"parcel": "abc"}, "parcel id or an object"),
        ({"parcel": None, "site": BOWTIE}, "site: the polygon is not valid: Self-intersection"),
        ({"parcel": None, "site": None}, "either `parcel` or `site`"),
        ({"srid": 999999}, "EPSG:999999"),
    ],
)  # fmt: skip
def test_bad_precheck_input_is_a_problem(
    client: Client, committed_block: Block, change: dict[str, Any], fragment: str
) -> None:
    project = {"footprint": lambert_geojson(3, 5, 16, 25), "height_m": 9, "floors": 3, "gross_floor_area_m2": 780,
               "use": "office"}  # fmt: skip
    body = {"parcel": committed_block.site_parcel.id, "srid": 26191, "project": project} | change
    assert_problem(post(client, "/api/precheck/", body), 400, fragment)


# --- the light paths of the hot look-ups answer exactly as the serializers they stand in for --------------


def _as_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)  # key order included


def test_documents_equal_the_output_serializers(committed_block: Block) -> None:
    from parcels import api, api_documents, selectors
    from parcels.precheck import project_from_input, zoning_precheck

    site_parcel = committed_block.site_parcel  # with the block's airport overlay, and a heritage one of this test:
    OverlayFactory(commune=site_parcel.commune, kind="heritage", agency=None, geom=lambert_box(-5, -5, 40, 3),
                   effective_geom=lambert_box(-5, -5, 40, 3))  # fmt: skip
    read = DEFAULT_DB_ALIAS  # in this test's transaction, which sees the heritage overlay
    parcels = selectors.parcels_search(commune_code="CASA-TEST", limit=2, using=read).items
    assert len(parcels) == 2
    next_url = "http://testserver/api/parcels/?after=1"
    collection = {"features": parcels, "numberReturned": 2, "next": next_url}
    assert _as_json(api_documents.parcel_collection_document(parcels, next_url)) == _as_json(
        api.ParcelCollectionOutputSerializer(collection).data
    )
    constraints = selectors.constraints_for_parcel(parcel_id=site_parcel.id, using=read)
    assert len(constraints.overlays) == 2 and constraints.zones
    assert _as_json(api_documents.constraints_document(constraints)) == _as_json(
        api.ConstraintsOutputSerializer(constraints).data
    )
    for height_m in (9, 20):  # passing and failing
        project = project_from_input(footprint=lambert_geojson(3, 5, 16, 25), height_m=height_m, floors=3,
                                     gross_floor_area_m2=780, use="residential", srid=26191)  # fmt: skip
        result = zoning_precheck(
            site=selectors.site_of_parcel(parcel_id=site_parcel.id, using=read), project=project, using=read
        )
        zones = [{**item.zone.__dict__, "evaluated": item.evaluated} for item in result.zones]
        output = {"site": result.site, "zones": zones, "measures": result.measures, "checks": result.checks,
                  "passed": result.passed}  # fmt: skip
        assert _as_json(api_documents.precheck_document(result)) == _as_json(
            api.PrecheckApi.PrecheckOutputSerializer(output).data
        )


@pytest.mark.parametrize(
    "query",
    [
        "lon=-7.6&lat=33.5",
        "lon= -7.6 &lat=33.5e0",
        "lon=-7.6&lat=33.5&lat=33.6",
        "lon=-7.6&lat=33.5&other=1",
        "lon=-7.6&lat=33.5&srid=4326",
        "lon=-7.6&lat=33.5&srid=26191",
        "lon=-7.6&lat=33.5&x=abc",
        "lon=-7.6&lat=",
        "lon=nan&lat=33.5",
        "lon=inf&lat=33.5",
        "lon=1e400&lat=33.5",
        "lon=abc&lat=33.5",
        "x=1&y=2&srid=26191",
    ],
)
def test_light_point_query_equals_the_serializer(query: str) -> None:
    from django.http import QueryDict

    from parcels import api

    params = QueryDict(query)
    light = api._point_query(params)
    serializer = api.ParcelsAtPointApi.PointSerializer(data=params)
    if light is not None:
        assert serializer.is_valid() and serializer.validated_data == light
    # None: the serializer decides (and words the error)


PROJECT = {"footprint": "POLYGON((0 0,1 0,1 1,0 0))", "height_m": 9, "floors": 3, "gross_floor_area_m2": 780.5,
           "use": " Residential "}  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {"parcel": 7, "project": PROJECT},
        {"parcel": 7, "site": None, "srid": 26191, "project": PROJECT, "other": 1},
        {"parcel": None, "site": {"type": "Polygon", "coordinates": []}, "project": PROJECT},
        {"site": "POLYGON((0 0,1 0,1 1,0 0))", "srid": 26191, "project": PROJECT},
        {"parcel": 7, "site": "POLYGON((0 0,1 0,1 1,0 0))", "project": PROJECT},
        {"parcel": True, "project": PROJECT},
        {"parcel": {"reference": "1234/A"}, "project": PROJECT},
        {"parcel": 7, "srid": None, "project": PROJECT},
        {"parcel": 7, "srid": "26191", "project": PROJECT},
        {"parcel": 7, "project": {**PROJECT, "height_m": -1}},
        {"parcel": 7, "project": {**PROJECT, "height_m": True}},
        {"parcel": 7, "project": {**PROJECT, "height_m": "9"}},
        {"parcel": 7, "project": {**PROJECT, "height_m": 10**400}},
        {"parcel": 7, "project": {**PROJECT, "floors": 3.0}},
        {"parcel": 7, "project": {**PROJECT, "floors": -1}},
        {"parcel": 7, "project": {**PROJECT, "gross_floor_area_m2": None}},
        {"parcel": 7, "project": {**PROJECT, "use": "   "}},
        {"parcel": 7, "project": {**PROJECT, "use": "x" * 51}},
        {"parcel": 7, "project": {**PROJECT, "use": " " + "x" * 50 + " "}},
        {"parcel": 7, "project": {**PROJECT, "use": "sa\x00ut"}},
        {"parcel": 7, "project": {**PROJECT, "use": "سكني"}},
        {"parcel": 7, "project": {**PROJECT, "footprint": [1, 2]}},
        {"parcel": 7, "project": {key: value for key, value in PROJECT.items() if key != "use"}},
        {"parcel": 7},
        [1, 2],
    ],
)
def test_light_precheck_body_equals_the_serializer(body: Any) -> None:
    from parcels import api

    light = api._precheck_body(body)
    serializer = api.PrecheckApi.PrecheckInputSerializer(data=body)
    if light is not None:
        assert serializer.is_valid(), serializer.errors
        assert _as_json(serializer.validated_data) == _as_json(light)


def test_content_negotiation_is_kept(client: Client, committed_block: Block) -> None:
    path = f"/api/parcels/{committed_block.site_parcel.id}/constraints/"
    plain = client.get(path)
    assert plain["Content-Type"] == "application/json"
    assert client.get(path, HTTP_ACCEPT="application/json").content == plain.content
    indented = client.get(path, HTTP_ACCEPT="application/json; indent=2")
    assert indented.status_code == 200 and indented.content.startswith(b'{\n  "site"')
    assert client.get(path, HTTP_ACCEPT="text/html").status_code == 406
    assert client.get(path, {"format": "xml"}).status_code == 404


def test_common_requests_take_the_light_paths() -> None:
    from django.http import QueryDict

    from parcels import api

    assert api._point_query(QueryDict("lon=-7.6&lat=33.5")) == {"x": -7.6, "y": 33.5, "srid": 4326}
    assert api._precheck_body({"parcel": 7, "project": PROJECT}) is not None
