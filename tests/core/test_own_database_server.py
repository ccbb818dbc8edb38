"""The PostgreSQL cluster the project starts itself (`scripts/services.sh`) keeps committed work through a crash
(fsync, full-page writes and synchronous commits on) and lets nobody in without a password."""

from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

OWN_CLUSTER = Path(settings.BASE_DIR) / "var" / "pg" / "postmaster.pid"


@pytest.fixture
def own_cluster_port() -> int:
    """The port of the cluster under var/pg when the tests run on it; skipped on a server given by DATABASE_URL."""
    if not OWN_CLUSTER.exists():
        pytest.skip("the tests run on a server given by DATABASE_URL, not on the project's own cluster")
    port = int(OWN_CLUSTER.read_text().splitlines()[3])
    if int(settings.DATABASES["default"]["PORT"] or 5432) != port:
        pytest.skip("the tests run on a server given by DATABASE_URL, not on the project's own cluster")
    return port


@pytest.mark.django_db
def test_the_own_cluster_is_durable(own_cluster_port: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'full_page_writes', 'synchronous_commit')"
        )
        assert dict(cursor.fetchall()) == {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "on"}


@pytest.mark.parametrize("user", ["postgres", "geoportal_reader"])
def test_the_own_cluster_refuses_a_connection_without_password(
    own_cluster_port: int, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSFILE", raising=False)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")  # not ~/.pgpass either
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(host="127.0.0.1", port=own_cluster_port, user=user, dbname="postgres", connect_timeout=5)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host="127.0.0.1", port=own_cluster_port, user=user, password="guess", dbname="postgres", connect_timeout=5
        )
