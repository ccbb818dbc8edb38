"""What every public view and feed publishes holds no personal data: the geoportal views' columns and rows (read as
the public reader), the public map page, the OGC API collections, the vector tiles' properties and the WMS
GetFeatureInfo answers. An applicant's name, e-mail, phone, username, the title and texts typed on the file (the
use typed before the catalogue of uses, too) and the reference of an unpublished file appear nowhere; an authorised
project's use is published as its code."""

import json

import mapbox_vector_tile
import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client

from gis_core.public_reader import PUBLIC_DATABASE
from permits.models import Dossier
from permits.services import procedures_load, profile_update
from tests.ogc.conftest import PERSONAL, ogc_fresh  # noqa: F401 - a fixture
from tests.permits.factories import FOOTPRINT, DossierFactory, UserFactory
from tests.wms.conftest import PARCEL_POINT, Geoportal, geoportal, wms_directory  # noqa: F401 - fixtures
from tests.wms.test_wmts import authorised_at_parcel
from tiles.grid import tiles_touching
from tiles.services import tiles_invalidate_all
from web.views import PUBLIC_MAP_CACHE_KEY

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])

TITLE = "Maison de Yasmine Benali, lot 12"
MOTIVATION = "Vu la CIN AB123456 de la demandeuse"
TYPED_USE = "atelier de couture Yasmine"  # free text typed before the catalogue of uses (not a code)


def private_facts(published: Dossier, unpublished: Dossier) -> list[str]:
    applicant = published.applicant
    return [
        applicant.first_name,
        applicant.last_name,
        applicant.email,
        applicant.username,
        "0612345678",
        TITLE,
        MOTIVATION,
        "AB123456",
        TYPED_USE,
        str(unpublished.reference),
    ]


def assert_none_in(text: str, facts: list[str], where: str) -> None:
    for fact in facts:
        assert fact not in text, (where, fact)


def geoportal_columns() -> dict[str, list[str]]:
    """Every view of the geoportal schema and its columns, as the catalogue of PostgreSQL has them."""
    with connections[PUBLIC_DATABASE].cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'geoportal' "
            "ORDER BY table_name, ordinal_position"
        )
        columns: dict[str, list[str]] = {}
        for view, column in cursor.fetchall():
            columns.setdefault(view, []).append(column)
    return columns


def test_no_public_view_or_feed_publishes_personal_data(
    geoportal: Geoportal,  # noqa: F811 - the WMS fixture: live server, MapServer, committed layers
    ogc_fresh: None,  # noqa: F811
    client: Client,
) -> None:
    procedures_load()
    applicant = UserFactory.create(
        username="yasmine.benali", first_name="Yasmine", last_name="Benali", email="yasmine@example.org"
    )
    profile_update(user=applicant, phone="0612345678")
    published = DossierFactory.create(published=True, applicant=applicant, use="residential", footprint=FOOTPRINT)
    typed = DossierFactory.create(published=True, applicant=applicant, use="residential", footprint=FOOTPRINT)
    unpublished = DossierFactory.create(signed=True, applicant=applicant, use="residential")
    files = Dossier.objects.filter(pk__in=[published.pk, typed.pk, unpublished.pk])
    files.update(title=TITLE, decision_motivation=MOTIVATION)
    Dossier.objects.filter(pk=typed.pk).update(use=TYPED_USE)
    facts = private_facts(published, unpublished)
    cache.delete(PUBLIC_MAP_CACHE_KEY)
    tiles_invalidate_all()

    # The geoportal views: no personal column, and no row holding a private fact (read as the public reader).
    views = geoportal_columns()
    assert {"authorised_projects", "parcels", "zones", "overlays", "territories", "uses"} <= set(views)
    for view, columns in views.items():
        assert not set(columns) & PERSONAL, (view, columns)
        with connections[PUBLIC_DATABASE].cursor() as cursor:
            cursor.execute(f"SELECT coalesce(json_agg(row)::text, '') FROM geoportal.\"{view}\" AS row")
            assert_none_in(cursor.fetchone()[0], facts, view)
    with connections[PUBLIC_DATABASE].cursor() as cursor:
        cursor.execute("SELECT id, use FROM geoportal.authorised_projects ORDER BY id")
        assert cursor.fetchall() == [(published.pk, "residential"), (typed.pk, None)]

    # The public map page.
    assert_none_in(client.get("/map/").content.decode(), facts, "/map/")

    # The OGC API: every collection, every feature.
    collections = client.get("/ogc/collections", HTTP_ACCEPT="application/json").json()["collections"]
    for collection in collections:
        body = client.get(f"/ogc/collections/{collection['id']}/items", {"limit": 1000}, HTTP_ACCEPT="application/json")
        assert body.status_code == 200
        assert_none_in(body.content.decode(), facts, collection["id"])
        for feature in body.json()["features"]:
            assert not set(feature["properties"]) & PERSONAL
    projects = client.get("/ogc/collections/authorised_projects/items", HTTP_ACCEPT="application/json").json()
    assert {feature["id"]: feature["properties"]["use"] for feature in projects["features"]} == {
        published.pk: "residential",
        typed.pk: None,
    }

    # The vector tiles of the project's place, every layer.
    tile = next(iter(tiles_touching((*PARCEL_POINT, *PARCEL_POINT), range(16, 17))))
    for layer in ("authorised_projects", "parcels", "zones", "overlays", "territories"):
        response = client.get(f"/tiles/{layer}/{tile.z}/{tile.x}/{tile.y}.pbf")
        assert response.status_code in (200, 204), (layer, response.status_code)
        decoded = mapbox_vector_tile.decode(response.content) if response.content else {}
        for content in decoded.values():
            for feature in content["features"]:
                assert not set(feature["properties"]) & PERSONAL, (layer, feature["properties"])
                assert_none_in(json.dumps(feature["properties"], ensure_ascii=False), facts, f"tile {layer}")
    tiled = client.get(f"/tiles/authorised_projects/{tile.z}/{tile.x}/{tile.y}.pbf").content
    features = mapbox_vector_tile.decode(tiled)["authorised_projects"]["features"]
    assert sorted(str(feature["properties"].get("use")) for feature in features) == ["None", "residential"]

    # WMS GetFeatureInfo on the project.
    features = authorised_at_parcel(geoportal)
    assert sorted(str(feature["properties"].get("use") or "") for feature in features) == ["", "residential"]
    assert_none_in(json.dumps(features, ensure_ascii=False), facts, "WMS GetFeatureInfo")
