"""S1 and S2 of the brief's benchmarks for our vector tiles: cold tiles (z12-z16) against the pgbench ceiling of the
same SQL, and hot (cached) tiles; tipg and MapProxy are the peers still to wire (see bench/README.md).

    .venv/bin/python bench/tiles_bench.py [--layer parcels] [--zooms 14-16] [--tiles 3000] [--connections 8]

Runs against the database of DATABASE_URL (the dev database with `load_demo` by default). It starts gunicorn
(2 workers x 4 threads) on a free port; S1 forgets the layer's cached tiles, then requests each of `--tiles`
distinct tiles once (a Python keep-alive load generator, `--connections` threads) over the data's extent; the
ceiling is pgbench (as `geoportal_reader`, 8 clients) running the SQL our view runs, on random tiles of the same
zooms and extent. S2 requests the same, now cached, tiles with wrk (`bench/requests.lua`). One summary line per
scenario; raw figures in bench/results/tiles_S1_S2.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_core.settings")

import django  # noqa: E402

django.setup()

from django.db import connections  # noqa: E402

from gis_core.sql_files import sql_statement  # noqa: E402
from tiles.cache import cache_forget_layer  # noqa: E402
from tiles.conf import tiles_settings  # noqa: E402
from tiles.grid import Tile, pixel_size, tiles_touching  # noqa: E402
from tiles.layers import GEOPORTAL_SCHEMA, LAYERS, PIECES_SCHEMA, TileLayer  # noqa: E402
from tiles.pieces import band_for  # noqa: E402
from tiles.selectors import _columns, layer_extent, layer_fields  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def _substitute(values: dict[str, str]) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that fills `%(name)s` placeholders from `values`."""

    def replace(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return replace


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dense_extent(layer: TileLayer) -> tuple[float, float, float, float]:
    """The extent of the data's densest commune (the bench should not tile the Atlantic between two cities)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)"
            " FROM (SELECT ST_Extent(geom) e FROM geoportal.parcels WHERE commune_code = ("
            "   SELECT commune_code FROM geoportal.parcels GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)) s"
        )
        row = cursor.fetchone()
    if row and row[0] is not None:
        return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
    return layer_extent(layer=layer)


def sample_tiles(extent: tuple[float, float, float, float], zooms: range, count: int) -> list[Tile]:
    tiles = list(tiles_touching(extent, zooms))
    random.Random(42).shuffle(tiles)
    return tiles[:count]


def start_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "gis_core.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "false"},
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/tiles/")
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def load(port: int, paths: list[str], connections_count: int) -> dict[str, Any]:
    """Request every path once, `connections_count` keep-alive connections; req/s, latencies, bytes."""
    queue = list(paths)
    lock = threading.Lock()
    latencies: list[float] = []
    sizes: list[int] = []
    errors: list[str] = []

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            started = time.perf_counter()
            connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
            response = connection.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                sizes.append(len(body))
                if response.status not in (200, 204):
                    errors.append(f"{response.status} {path}")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "mean_bytes": statistics.mean(sizes),
        "max_bytes": max(sizes),
        "errors": errors[:5],
    }


def pgbench_scripts(
    layer: TileLayer, extent: tuple[float, float, float, float], zooms: range, folder: Path
) -> list[str]:
    """One pgbench script per zoom: the SQL of our tile view with random x/y over the extent."""
    settings = tiles_settings()
    fields = layer_fields(layer=layer)
    raw = connections["default"]
    raw.ensure_connection()
    arguments: list[str] = []
    for z in zooms:
        tiles = list(tiles_touching(extent, range(z, z + 1)))
        xs, ys = [tile.x for tile in tiles], [tile.y for tile in tiles]
        chosen = (
            fields
            if z >= layer.detail_zoom
            else [f for f in fields if f.name == "id" or f.name in layer.summary_fields]
        )
        if layer.pieced:
            statement = sql_statement(
                "tiles",
                "tile_pieces",
                schema=PIECES_SCHEMA,
                relation=layer.name,
                pieces=f"{layer.name}_pieces",
                columns=_columns("t", chosen),
            )
        else:
            statement = sql_statement(
                "tiles",
                "tile_view",
                schema=GEOPORTAL_SCHEMA,
                relation=layer.view,
                columns=_columns("t", chosen),
                candidate_columns=_columns("c", chosen),
            )
        text = statement.as_string(raw.connection)
        pixel = pixel_size(z)
        values = {
            "z": str(z),
            "x": ":x",
            "y": ":y",
            "margin": repr(settings.buffer / settings.extent),
            "extent": str(settings.extent),
            "buffer": str(settings.buffer),
            "tolerance": repr(layer.simplify_pixels * pixel),
            "min_area": repr(layer.min_area_pixels * pixel * pixel),
            "layer": f"'{layer.name}'",
            "small_as_points": "true" if layer.small_as_points else "false",
            "band": str(band_for(layer, z)) if layer.pieced else "0",
        }
        text = re.sub(r"%\((\w+)\)s", _substitute(values), text)
        text = re.sub(r"--[^\n]*\n", "\n", text)
        script = folder / f"tile_z{z}.sql"
        script.write_text(
            f"\\set x random({min(xs)}, {max(xs)})\n\\set y random({min(ys)}, {max(ys)})\n"
            + " ".join(text.split())
            + ";\n"
        )
        arguments += ["-f", f"{script}@{len(tiles)}"]
    return arguments


def pgbench(arguments: list[str], clients: int, seconds: int) -> float:
    default = connections["default"].settings_dict
    command = [
        "pgbench",
        "-n",
        "-c",
        str(clients),
        "-j",
        "2",
        "-T",
        str(seconds),
        "-h",
        default["HOST"] or "127.0.0.1",
        "-p",
        str(default["PORT"] or 5432),
        "-U",
        tiles_settings().reader_user,
        default["NAME"],
        *arguments,
    ]
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PGOPTIONS": "-c max_parallel_workers_per_gather=0"},
    ).stdout
    match = re.search(r"tps = ([\d.]+)", output)
    return float(match.group(1)) if match else 0.0


def wrk(port: int, paths: list[str], connections_count: int, seconds: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("".join(f"GET\t{path}\t\n" for path in paths))
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections_count),
            "-d",
            f"{seconds}s",
            "-H",
            "Accept-Encoding: gzip",
            "-s",
            str(ROOT / "bench" / "requests.lua"),
            f"http://127.0.0.1:{port}",
            "--",
            handle.name,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return float(match.group(1)) if match else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layer", default="parcels", choices=sorted(LAYERS))
    parser.add_argument("--zooms", default="14-16")
    parser.add_argument("--tiles", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    layer = LAYERS[options.layer]
    low, _, high = options.zooms.partition("-")
    zooms = range(int(low), int(high or low) + 1)
    extent = dense_extent(layer)
    tiles = sample_tiles(extent, zooms, options.tiles)
    paths = [f"/tiles/{layer.name}/{tile.z}/{tile.x}/{tile.y}.pbf" for tile in tiles]
    port = free_port()
    server = start_server(port)
    results: dict[str, Any] = {
        "layer": layer.name,
        "zooms": options.zooms,
        "tiles": len(tiles),
        "extent": extent,
        "connections": options.connections,
        "rounds": [],
    }
    try:
        with tempfile.TemporaryDirectory() as folder:
            scripts = pgbench_scripts(layer, extent, zooms, Path(folder))
            for _ in range(options.rounds):  # alternate ours and the ceiling, as the brief asks
                cache_forget_layer(layer=layer.name)
                cold = load(port, paths, options.connections)
                ceiling = pgbench(scripts, options.connections, options.seconds)
                hot = wrk(port, paths, options.connections, options.seconds)
                results["rounds"].append({"cold": cold, "pgbench_tps": ceiling, "hot_rps": hot})
    finally:
        server.terminate()
        server.wait()
    cold_rps = statistics.median(r["cold"]["rps"] for r in results["rounds"])
    ceiling_tps = statistics.median(r["pgbench_tps"] for r in results["rounds"])
    hot_rps = statistics.median(r["hot_rps"] for r in results["rounds"])
    results["summary"] = {
        "S1_ours_rps": cold_rps,
        "S1_ceiling_tps": ceiling_tps,
        "S1_ratio": cold_rps / ceiling_tps,
        "S2_hot_rps": hot_rps,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tiles_S1_S2.json").write_text(json.dumps(results, indent=2))
    print(
        f"S1 cold tiles {layer.name} z{options.zooms}: ours {cold_rps:.0f} req/s,"
        f" pgbench ceiling {ceiling_tps:.0f} tps,"
        f" ratio {cold_rps / ceiling_tps:.2f}, {options.connections} connections, {len(tiles)} tiles"
    )
    print(
        f"S2 hot tiles {layer.name} z{options.zooms}: ours {hot_rps:.0f} req/s (MapProxy peer not run),"
        f" {options.connections} connections, {len(tiles)} tiles"
    )


if __name__ == "__main__":
    main()
