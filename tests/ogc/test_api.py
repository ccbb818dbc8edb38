"""OGC API Features at /ogc/ through Django's test client: generated collections, filters, paging by key,
what is never published, and filters that try to smuggle SQL in."""

import importlib
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from ogc_services import provider
from ogc_services.conformance import CLAIMS
from tests.ogc.conftest import GEOPORTAL_DB, PERSONAL, Geoportal, dossier_publish

pytestmark = GEOPORTAL_DB

VIEWS = {"authorised_projects", "overlays", "parcels", "territories", "zones"}


def get(client: Client, url: str, **params: Any) -> Any:
    response = client.get(url, params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, (url, params, response.content[:500])
    return response.json()


def items(client: Client, collection: str, **params: Any) -> Any:
    return get(client, f"/ogc/collections/{collection}/items", **params)


def test_geoportal_alias_reads_the_test_database_as_the_reader(geoportal: Geoportal) -> None:
    default, reader = connections["default"], connections["geoportal"]
    assert reader.settings_dict["NAME"] == default.settings_dict["NAME"]
    assert reader.settings_dict["NAME"].startswith("test_")
    with reader.cursor() as cursor:
        cursor.execute("SELECT current_user, count(*) FROM geoportal.parcels")
        assert cursor.fetchone() == ("geoportal_reader", geoportal.parcels)


def test_landing_conformance_and_openapi(client: Client, geoportal: Geoportal) -> None:
    landing = get(client, "/ogc/")
    rels = {link["rel"] for link in landing["links"]}
    assert {"service-desc", "conformance", "data"} <= rels
    self_link = next(link["href"] for link in landing["links"] if link["rel"] == "self")
    assert self_link.startswith("http://testserver/ogc?")
    assert get(client, "/ogc") == landing, "the self link is the landing page itself, not a redirect to /ogc/"
    conformance = get(client, "/ogc/conformance")["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    openapi = get(client, "/ogc/openapi", f="json")
    assert "/collections/parcels/items" in openapi["paths"]
    assert "/collections/authorised_projects/items/{featureId}" in openapi["paths"]
    html = client.get("/ogc/", {"f": "html"})
    assert html.status_code == 200 and b"<html" in html.content


def test_collections_are_the_views_with_extents_and_both_languages(client: Client, geoportal: Geoportal) -> None:
    collections = {c["id"]: c for c in get(client, "/ogc/collections")["collections"]}
    assert set(collections) == VIEWS
    projects = collections["authorised_projects"]
    west, south, east, north = projects["extent"]["spatial"]["bbox"][0]
    assert -71.2 < west < east < -71.0 and 42.3 < south < north < 42.45
    assert projects["extent"]["temporal"]["interval"][0][0] is not None
    assert projects["title"] == "Projets autorisés"
    english = client.get("/ogc/collections/authorised_projects", {"lang": "en"}, HTTP_ACCEPT="application/json")
    assert english.json()["title"] == "Authorised projects"


def test_queryables_are_the_view_columns(client: Client, geoportal: Geoportal) -> None:
    queryables = client.get("/ogc/collections/authorised_projects/queryables", HTTP_ACCEPT="application/json").json()
    names = set(queryables["properties"])
    assert {"reference", "procedure", "decision_date", "use", "height_m", "floors", "commune_code"} <= names
    assert not names & PERSONAL


def test_only_authorised_published_projects_and_no_personal_data(client: Client, geoportal: Geoportal) -> None:
    features = items(client, "authorised_projects", limit=1000)["features"]
    assert {f["id"] for f in features} == {d.id for d in geoportal.published}
    hidden_ids = {d.id for d in geoportal.hidden.values()}
    hidden_references = {d.reference for d in geoportal.hidden.values() if d.reference}
    for collection in VIEWS:
        for feature in items(client, collection, limit=1000)["features"]:
            assert not set(feature["properties"]) & PERSONAL, (collection, feature["properties"])
            if collection == "authorised_projects":
                assert feature["id"] not in hidden_ids
                assert feature["properties"]["reference"] not in hidden_references


def test_a_published_decision_is_in_the_feed_at_once(client: Client, geoportal: Geoportal) -> None:
    signed = geoportal.hidden["signed"]
    before = {f["id"] for f in items(client, "authorised_projects")["features"]}
    assert signed.id not in before
    dossier_publish(signed)
    after = {f["id"] for f in items(client, "authorised_projects")["features"]}
    assert signed.id in after


def test_bbox_datetime_and_property_filters(client: Client, geoportal: Geoportal) -> None:
    inside = items(client, "parcels", bbox="-71.1201,42.3699,-71.1190,42.3704")
    assert 1 <= inside["numberReturned"] < geoportal.parcels
    assert items(client, "parcels", bbox="10,10,11,11")["numberReturned"] == 0
    reference = geoportal.published[0].reference
    one = items(client, "authorised_projects", reference=reference)
    assert [f["properties"]["reference"] for f in one["features"]] == [reference]
    assert items(client, "authorised_projects", datetime="2000-01-01/..")["numberReturned"] == 3
    assert items(client, "authorised_projects", datetime="../2999-01-01")["numberReturned"] == 3
    selected = items(client, "authorised_projects", properties="reference,floors", skipGeometry="true")
    assert all(set(f["properties"]) == {"reference", "floors"} for f in selected["features"])
    assert all(f["geometry"] is None for f in selected["features"])


def test_cql2_text_filters(client: Client, geoportal: Geoportal) -> None:
    assert items(client, "parcels", filter="area_m2 > 0 AND commune_code = 'CASA-ANFA'")["numberReturned"] == 25
    assert items(client, "parcels", filter="reference LIKE 'P-%'")["numberReturned"] == 25
    envelope = "S_INTERSECTS(geom, BBOX(-71.1201, 42.3699, -71.1190, 42.3704))"
    assert 1 <= items(client, "parcels", filter=envelope)["numberReturned"] < 25
    wkt = "S_INTERSECTS(geometry, POLYGON((-71.1201 42.3699, -71.1190 42.3699, -71.1190 42.3704, -71.1201 42.3699)))"
    assert 1 <= items(client, "parcels", filter=wkt)["numberReturned"] < 25
    assert items(client, "authorised_projects", filter="decision_date >= DATE('2000-01-01')")["numberReturned"] == 3
    assert items(client, "authorised_projects", filter="floors IN (3, 4) AND NOT height_m < 1")["numberReturned"] == 3


def test_paging_by_key_follows_next_links_and_plain_offset_agrees(client: Client, geoportal: Geoportal) -> None:
    seen: list[int] = []
    page = items(client, "parcels", limit=10)
    assert page["numberMatched"] == geoportal.parcels  # counted: within provider.COUNT_CAP
    while True:
        seen.extend(f["id"] for f in page["features"])
        nexts = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not nexts:
            break
        assert "cursor=" in nexts[0]
        page = client.get(nexts[0].replace("http://testserver", ""), HTTP_ACCEPT="application/json").json()
    assert seen == sorted(seen) and len(seen) == geoportal.parcels
    by_offset = [f["id"] for f in items(client, "parcels", limit=10, offset=20)["features"]]
    assert by_offset == seen[20:]
    stale = items(client, "parcels", limit=10, offset=10, cursor=f"20.{seen[19]}")  # edited: plain OFFSET wins
    assert [f["id"] for f in stale["features"]] == seen[10:20]
    last = items(client, "parcels", limit=10, offset=20)
    assert last["numberMatched"] == geoportal.parcels  # the last page knows it for free
    hits = items(client, "parcels", resulttype="hits", commune_code="CASA-ANFA")
    assert hits["numberMatched"] == geoportal.parcels


def test_number_matched_is_left_out_beyond_the_count_cap(
    client: Client, geoportal: Geoportal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(provider, "COUNT_CAP", 20)
    assert "numberMatched" not in items(client, "parcels", limit=10)  # 25 matches: more than the cap
    assert items(client, "parcels", limit=10, offset=20)["numberMatched"] == geoportal.parcels  # the last page
    window = items(client, "parcels", limit=2, bbox="-71.1201,42.3699,-71.1190,42.3704")
    assert window["numberReturned"] == 2 and 2 < window["numberMatched"] < 20
    filtered = items(client, "parcels", limit=5, filter="reference LIKE 'P-%'")
    assert "numberMatched" not in filtered
    assert items(client, "parcels", resulttype="hits", filter="reference LIKE 'P-%'")["numberMatched"] == 25


def test_sort_keys(client: Client, geoportal: Geoportal) -> None:
    descending = [f["id"] for f in items(client, "parcels", sortby="-id", limit=5)["features"]]
    assert descending == sorted(descending, reverse=True)
    by_reference = [f["properties"]["reference"] for f in items(client, "parcels", sortby="reference")["features"]]
    assert by_reference == sorted(by_reference)


def test_items_as_html_and_single_item(client: Client, geoportal: Geoportal) -> None:
    html = client.get("/ogc/collections/authorised_projects/items", {"f": "html"})
    reference = geoportal.published[0].reference
    assert reference and html.status_code == 200 and reference.encode() in html.content
    project = geoportal.published[0]
    feature = get(client, f"/ogc/collections/authorised_projects/items/{project.id}")
    assert feature["properties"]["reference"] == project.reference
    hidden = geoportal.hidden["decided"]
    assert client.get(f"/ogc/collections/authorised_projects/items/{hidden.id}").status_code == 404
    assert client.get("/ogc/collections/authorised_projects/items/1;DROP").status_code == 404


INJECTIONS = [
    ({"reference;DROP TABLE parcels_parcel": "x"}, "unknown property"),
    ({"reference\" = 'x' OR \"1": "x"}, "unknown property"),
    ({"sortby": "reference;DROP TABLE parcels_parcel"}, "sortby"),
    ({"sortby": "(SELECT 1)"}, "sortby"),
    ({"properties": "reference,(SELECT password FROM auth_user)"}, "properties"),
    ({"filter": '"id); DROP TABLE parcels_parcel; --" = 1'}, "unknown property"),
    ({"filter": '"applicant_id" = 1'}, "unknown property"),
    ({"filter": "id = '1; DROP TABLE x'"}, "not a valid integer"),
    ({"filter": "reference = 'x' OR 1=1"}, ""),
    ({"filter": "pg_sleep(5) = 1"}, ""),
    ({"cursor": "1;DROP"}, "cursor"),
    ({"area_m2": "1 OR 1=1"}, "not a valid number"),
]


def test_injections_are_refused_with_a_clear_400(client: Client, parcels_only: int) -> None:
    for params, message in INJECTIONS:
        response = client.get("/ogc/collections/parcels/items", params, HTTP_ACCEPT="application/json")
        assert response.status_code == 400, (params, response.content)
        description = response.json()["description"]
        assert message.lower() in description.lower(), (params, description)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM parcels_parcel")
        assert cursor.fetchone() == (parcels_only,)


def test_schema_is_the_view_columns(client: Client, geoportal: Geoportal) -> None:
    response = client.get("/ogc/collections/authorised_projects/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert {"reference", "decision_date", "floors"} <= set(schema["properties"])
    assert not set(schema["properties"]) & PERSONAL


def test_conformance_claims_only_what_is_tested(client: Client, parcels_only: int) -> None:
    claimed = get(client, "/ogc/conformance")["conformsTo"]
    assert claimed == sorted(CLAIMS)
    assert not [c for c in claimed if "features-4" in c or "create-replace-delete" in c]
    assert {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    } <= set(claimed)
    html = client.get("/ogc/conformance", {"f": "html"}).content.decode()
    assert all(c in html for c in claimed) and "create-replace-delete" not in html
    for tests in CLAIMS.values():  # each claim names tests that exist
        for name in tests:
            module, _, function = name.partition(".")
            assert callable(getattr(importlib.import_module(f"tests.ogc.{module}"), function, None)), name
