"""The read-only connection the tiles are rendered through: the `geoportal_reader` role, which can only SELECT
the `geoportal` views (and the tiles' own `geoportal_tiles` copies of them).

When settings declare the reader's database alias (`TILES_READER_ALIAS`, default `geoportal`), Django manages
that connection; otherwise each thread keeps one psycopg connection of its own, logged in as
`TILES_READER_USER` on the default database's server and database (the test database under pytest).
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connections

from tiles.conf import tiles_settings

_local = threading.local()


def _own_connection() -> psycopg.Connection[Any]:
    current: psycopg.Connection[Any] | None = getattr(_local, "connection", None)
    default = connections["default"].settings_dict
    if current is not None and not current.closed and _local.database == default["NAME"]:
        return current
    if current is not None and not current.closed:
        current.close()
    options = "-c max_parallel_workers_per_gather=0 -c default_transaction_read_only=on -c jit=off"
    connection = psycopg.connect(
        dbname=default["NAME"],
        user=tiles_settings().reader_user,
        host=default.get("HOST") or None,
        port=default.get("PORT") or None,
        autocommit=True,
        options=options,
        application_name="urbaplan-tiles",
    )
    _local.connection = connection
    _local.database = default["NAME"]
    return connection


@contextmanager
def reader_cursor() -> Iterator[psycopg.Cursor[Any]]:
    """A cursor of the read-only role; a connection broken mid-query is dropped so the next call reconnects."""
    alias = tiles_settings().reader_alias
    if alias in connections.settings:
        wrapper = connections[alias]
        wrapper.ensure_connection()
        with wrapper.connection.cursor() as cursor:
            yield cursor
        return
    connection = _own_connection()
    try:
        with connection.cursor() as cursor:
            yield cursor
    except psycopg.OperationalError:
        connection.close()
        raise


def reader_close() -> None:
    """Close this thread's own reader connection (tests, after the test database is dropped)."""
    current: psycopg.Connection[Any] | None = getattr(_local, "connection", None)
    if current is not None:
        current.close()
        _local.connection = None
