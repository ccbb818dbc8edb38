"""Render psycopg `sql.Composable` queries to text for Django's cursor: identifiers quoted by psycopg, values
left as placeholders and bound by the server (the geoportal alias uses server-side binding)."""

from __future__ import annotations

from django.db import connections
from psycopg import sql


def render(query: sql.Composable, *, using: str) -> str:
    """The query text with identifiers quoted; `%s` / `%(name)s` placeholders stay for bound parameters."""
    connection = connections[using]
    connection.ensure_connection()
    return query.as_string(connection.connection)
