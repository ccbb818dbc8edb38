"""The pieces the look-ups intersect: the zones and overlays imports cut them, a re-import replaces them."""

from __future__ import annotations

from pathlib import Path

import shapely
from django.contrib.gis.db.models import Union

from gis_core.models import Territory
from parcels.importers.agencies import agencies_load
from parcels.importers.pieces import MAX_PIECE_VERTICES
from parcels.models import Overlay, OverlayPiece, Zone, ZonePiece
from tests.importing.conftest import run, write_layer


def dense_disc(x: float, y: float, radius: float, vertices: int) -> shapely.Polygon:
    """A disc with about `vertices` vertices: big enough to be cut into many pieces."""
    return shapely.Point(x, y).buffer(radius, quad_segs=vertices // 4)


def assert_pieces_cover(geometry: shapely.Geometry, pieces: list[shapely.Geometry]) -> None:
    assert len(pieces) >= shapely.get_num_coordinates(geometry) // MAX_PIECE_VERTICES
    assert all(piece.geom_type == "Polygon" for piece in pieces)
    assert max(shapely.get_num_coordinates(pieces)) <= MAX_PIECE_VERTICES + 8  # closing and clip vertices
    union = shapely.union_all(pieces)
    assert abs(union.area - geometry.area) <= 1e-9 * geometry.area
    assert abs(sum(piece.area for piece in pieces) - geometry.area) <= 1e-9 * geometry.area  # disjoint
    assert union.symmetric_difference(geometry).area <= 1e-9 * geometry.area


def zone_pieces(zone: Zone) -> list[shapely.Geometry]:
    return [
        shapely.from_wkb(bytes(geom.wkb)) for geom in ZonePiece.objects.filter(zone=zone).values_list("geom", flat=True)
    ]


def test_zones_import_cuts_pieces_and_a_reimport_replaces_them(commune: Territory, tmp_path: Path) -> None:
    first = write_layer(
        tmp_path / "z1.geojson",
        [dense_disc(-71.1, 42.37, 0.01, 2000), shapely.box(-71.05, 42.36, -71.04, 42.37)],
        {"zone": ["R1", "C2"]},
        driver="GeoJSON",
    )
    run("zones", first, options={"plan": "Plan test"})
    zone = Zone.objects.get(code="R1")
    pieces = zone_pieces(zone)
    assert_pieces_cover(shapely.from_wkb(bytes(zone.geom.wkb)), pieces)
    assert ZonePiece.objects.filter(zone__code="C2").count() == 1  # a small zone is its own piece

    moved = write_layer(
        tmp_path / "z2.geojson", [dense_disc(-71.15, 42.4, 0.005, 1200)], {"zone": ["R1"]}, driver="GeoJSON"
    )
    summary = run("zones", moved, options={"plan": "Plan test"})
    assert (summary.inserted, summary.updated) == (0, 1)
    zone.refresh_from_db()
    new_pieces = zone_pieces(zone)
    assert_pieces_cover(shapely.from_wkb(bytes(zone.geom.wkb)), new_pieces)
    assert not shapely.union_all(new_pieces).intersects(shapely.Point(-71.1, 42.37))  # old pieces gone
    assert ZonePiece.objects.filter(zone__code="C2").count() == 1  # rows not in the re-import keep theirs


def test_overlays_import_cuts_pieces_of_the_buffered_geometry(commune: Territory, tmp_path: Path) -> None:
    agencies_load()
    path = write_layer(
        tmp_path / "o.geojson",
        [shapely.Point(-71.1, 42.37), dense_disc(-71.05, 42.4, 0.005, 1500)],
        {"ref": ["AP1", "H1"], "kind": ["airport", "heritage"], "buffer_m": [2000.0, 0.0]},
        driver="GeoJSON",
    )
    run("overlays", path)
    for reference in ("AP1", "H1"):
        overlay = Overlay.objects.get(reference=reference)
        pieces = [
            shapely.from_wkb(bytes(geom.wkb))
            for geom in OverlayPiece.objects.filter(overlay=overlay).values_list("geom", flat=True)
        ]
        assert_pieces_cover(shapely.from_wkb(bytes(overlay.effective_geom.wkb)), pieces)
    assert OverlayPiece.objects.filter(overlay__reference="H1").count() > 1

    run("overlays", path)  # the same file again: updated, pieces replaced, not doubled
    overlay = Overlay.objects.get(reference="H1")
    union = OverlayPiece.objects.filter(overlay=overlay).aggregate(union=Union("geom"))["union"]
    assert abs(union.area - overlay.effective_geom.area) <= 1e-9 * overlay.effective_geom.area
    total = sum(piece.area for piece in OverlayPiece.objects.filter(overlay=overlay).values_list("geom", flat=True))
    assert abs(total - overlay.effective_geom.area) <= 1e-9 * overlay.effective_geom.area
