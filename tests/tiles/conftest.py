"""Fixtures of the tiles tests: committed data (the reader role has its own connection) and a fresh tile cache.

The tile face reads through the `geoportal_reader` role, on a connection of its own: it sees only committed rows,
so these tests use `transactional_db`. In the test thread Django refuses queries on database aliases a test did not
declare, and a transactional test flushes every alias it declares (which the read-only role may not do), so the
tests point the tiles at their own psycopg connection as `geoportal_reader` (tiles.db's fallback); the live-server
test reads through the `geoportal` alias itself.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from tiles.db import reader_close
from tiles.services import tiles_invalidate_all


@pytest.fixture(scope="session", autouse=True)
def _close_reader() -> Iterator[None]:
    yield
    reader_close()


@pytest.fixture
def own_reader(settings: Any) -> None:
    settings.TILES_READER_ALIAS = "tiles-test-own-connection"


@pytest.fixture
def tiles_db(transactional_db: Any, own_reader: None) -> Iterator[None]:
    tiles_invalidate_all()
    yield
    reader_close()


@pytest.fixture(scope="session", autouse=True)
def wsgi_application(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Import config.wsgi once the test database exists and before any test runs: at import it checks that the
    public read-only connection is confined (gis_core.public_reader), as every serving process does, and sets
    Django up again (logging included), which must not happen in the middle of a test that captures logs."""
    with django_db_blocker.unblock():
        import config.wsgi  # noqa: F401
