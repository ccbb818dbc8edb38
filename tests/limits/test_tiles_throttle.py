"""Tiles: only cache misses (rendered by PostGIS) are throttled; a cached tile is served to a throttled client."""

from collections.abc import Callable

import pytest

from tests.limits.conftest import client_from
from tests.tiles.conftest import _close_reader, own_reader, tiles_db  # noqa: F401 - the tiles tests' fixtures

pytestmark = pytest.mark.usefixtures("tiles_db")


def test_tile_misses_are_throttled_and_cached_tiles_are_not(rates: Callable[..., None]) -> None:
    rates(tiles="2/hour")
    client = client_from("192.0.2.60")
    first, second, third = (f"/tiles/parcels/15/{x}/12100.pbf" for x in (9800, 9801, 9802))

    misses = [client.get(first), client.get(second)]
    assert [response["X-Tile-Cache"] for response in misses] == ["miss", "miss"]

    refused = client.get(third)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused["Access-Control-Allow-Origin"] == "*"  # a map on another origin reads the 429 too
    assert refused.json()["status"] == 429

    cached = client.get(first)
    assert cached.status_code in (200, 204) and cached["X-Tile-Cache"] == "hit"
    assert client_from("192.0.2.61").get(third)["X-Tile-Cache"] == "miss"
