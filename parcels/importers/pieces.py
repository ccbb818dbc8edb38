"""Keeping the pieces of zones and overlays (`ZonePiece`, `OverlayPiece`) in step with their geometries.

The look-ups intersect a site with these small pieces (ST_Subdivide, at most 256 vertices) rather than with whole
zones of up to 50,000 vertices. The zones and overlays import targets refresh the pieces of the rows they upsert,
in the same transaction; anything else that writes a zone's `geom` or an overlay's `effective_geom` (a script, a
factory, the admin) calls `zone_pieces_refresh` / `overlay_pieces_refresh` with the ids it wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from psycopg import Cursor

from gis_core.sql_files import run_sql
from parcels.models import Overlay, OverlayPiece, Zone, ZonePiece

MAX_PIECE_VERTICES = 256  # ST_Subdivide's limit: small enough to intersect in microseconds, few rows per zone


def refresh_zone_pieces_on(cursor: Cursor[Any], zone_ids: list[int]) -> None:
    """Replace the pieces of these zones, on a raw psycopg cursor (the import's)."""
    if zone_ids:
        run_sql(
            cursor,
            "parcels",
            "zone_pieces_refresh",
            {"zone_ids": zone_ids, "max_vertices": MAX_PIECE_VERTICES},
            zone_piece=ZonePiece._meta.db_table,
            zone=Zone._meta.db_table,
        )


def refresh_overlay_pieces_on(cursor: Cursor[Any], overlay_ids: list[int]) -> None:
    """Replace the pieces of these overlays, on a raw psycopg cursor (the import's)."""
    if overlay_ids:
        run_sql(
            cursor,
            "parcels",
            "overlay_pieces_refresh",
            {"overlay_ids": overlay_ids, "max_vertices": MAX_PIECE_VERTICES},
            overlay_piece=OverlayPiece._meta.db_table,
            overlay=Overlay._meta.db_table,
        )


@transaction.atomic
def zone_pieces_refresh(*, zone_ids: Iterable[int]) -> None:
    """Cut these zones into pieces again, after their geometry was written outside the zones import."""
    with connection.cursor() as cursor:
        refresh_zone_pieces_on(cursor.cursor, sorted(set(zone_ids)))


@transaction.atomic
def overlay_pieces_refresh(*, overlay_ids: Iterable[int]) -> None:
    """Cut these overlays' effective geometries into pieces again, after a write outside the overlays import."""
    with connection.cursor() as cursor:
        refresh_overlay_pieces_on(cursor.cursor, sorted(set(overlay_ids)))
