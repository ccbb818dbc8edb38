"""The public pages read through the read-only connection only (`/map/`, `/`, `/verify/<token>/`; the parcels API in
tests/parcels/test_api.py): what the test writes without committing is invisible to them, the default connection
is not queried, and the reader can neither list the verification tokens nor read any base table."""

import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, ProgrammingError, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gis_core.public_reader import PUBLIC_DATABASE
from gis_core.signing.models import VerificationToken
from tests.factories import ParcelFactory, TerritoryFactory, box
from web.views import EXTENT_CACHE_KEY, PUBLIC_MAP_CACHE_KEY

pytestmark = pytest.mark.django_db(databases=["default", "geoportal"])


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    cache.delete_many([EXTENT_CACHE_KEY, PUBLIC_MAP_CACHE_KEY])


def queries_of(path: str) -> tuple[Any, list[str], list[str]]:
    """The response to an anonymous GET, and the SQL it sent on the public and on the default connection."""
    with (
        CaptureQueriesContext(connections[PUBLIC_DATABASE]) as public,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as default,
    ):
        response = Client().get(path)
    return response, [query["sql"] for query in public], [query["sql"] for query in default]


def test_the_map_pages_read_through_the_read_only_connection_only() -> None:
    commune = TerritoryFactory()  # not committed: the public reader does not see them
    ParcelFactory(commune=commune, geom=box(-71.12, 42.37, -71.119, 42.371))
    for path in ("/map/", "/"):
        cache.delete_many([EXTENT_CACHE_KEY, PUBLIC_MAP_CACHE_KEY])
        response, public, default = queries_of(path)
        assert response.status_code == 200
        assert public and default == [], (path, default)
        assert "geoportal." in " ".join(public)
    cache.delete(EXTENT_CACHE_KEY)
    assert '"hasParcels": false' in Client().get("/").content.decode()


def test_verify_reads_through_the_read_only_connection_only(db: None) -> None:
    token = VerificationToken.objects.create(lineage=uuid.uuid4(), reference="PC/2026/000042", purpose="decision")
    response, public, default = queries_of(f"/verify/{token.token}/")
    assert response.status_code == 404  # the reader sees committed rows only: this token is not one yet
    assert default == [] and any("geoportal.verification_document" in sql for sql in public)


def test_the_reader_can_neither_list_tokens_nor_read_a_base_table() -> None:
    reader = connections[PUBLIC_DATABASE]
    for statement in (
        "SELECT token FROM signing_verificationtoken",
        "SELECT title FROM permits_dossier",
        "SELECT storage_key FROM documents_storeddocument",
        "SELECT geom FROM parcels_parcel",
    ):
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            transaction.atomic(using=PUBLIC_DATABASE),  # a savepoint: the test's transaction goes on
            reader.cursor() as cursor,
        ):
            cursor.execute(statement)
    with reader.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM geoportal.verification_document(%s)", ["no-such-token"])
        assert cursor.fetchone() == (0,)
