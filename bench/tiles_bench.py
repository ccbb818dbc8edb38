"""S1 and S2 of ../shared/brief/benchmarks.md for our vector tiles: cold tiles against tipg and the pgbench ceiling
of our tile SQL, hot (cached) tiles against a standalone MapProxy serving the same tiles from its own cache.

    .venv/bin/python bench/tiles_bench.py [--database urbaplan_bench] [--layer parcels] [--zooms 14-16]
        [--tiles 10000] [--connections 8] [--hot-connections 1 8 32] [--rounds 3] [--seconds 15]

Runs against `--database` on the server of DATABASE_URL (default: DATABASE_URL's own database); `make bench`
gives it the 1M-parcel `urbaplan_bench` (bench/run.py prepares it). The tiles: every tile of `--zooms` over the
extent of the commune holding the most parcels, shuffled, at most `--tiles` of them (the parcels layer starts at
z14; Sidi Yahya Zaer, 585 km², has 2,564 tiles at z14-16).

Servers, each measured through its own HTTP front on loopback, all reading the same PostgreSQL as
`geoportal_reader`:
- ours: gunicorn (gthread, 2 workers x 4 threads, preloaded, keep-alive), the Redis tile cache;
- tipg (peers' virtualenv, bench/peers.py): two uvicorn processes of one worker each on two ports, the load
  generator's connections spread over both. Not `uvicorn --workers 2`: its pre-bound socket leaves Nagle on for
  accepted connections (uvicorn issue #3149), so every keep-alive request waits ~40 ms for a delayed ACK, whatever
  `--http` says. tipg gets the attributes our tile carries at that zoom (`?properties=`) and a feature limit above
  any tile's count (ours never caps), so both encode the same features and columns; tipg does not simplify;
- MapProxy (S2): the project's MapProxy as a standalone WSGI app (bench/wms_peer_app.py) under the same gunicorn
  settings, one WMTS (RESTful) layer served from its file cache (TMS layout), with no source. MapProxy has no
  vector-tile support (mapproxy/mapproxy#251, open): its HTTP client refuses a source response whose type is not
  `image/*` ("response is not an image", mapproxy/client/http.py), so it cannot fetch our tiles, and its tile
  service answers `image/<format>` (mapproxy/service/tile.py). But a cached tile whose format is the requested
  one is served byte for byte, never decoded: the bench stores each of our tiles, as ours serves it (gzip), in the
  peer's cache (format `image/pbf`), so both send the same bytes (MapProxy without `Content-Encoding: gzip`, under
  `Content-Type: image/pbf`: a client could not read them, which only spares the peer work).

S1: a warm-up pass renders every tile once through ours (not measured: PostgreSQL's and the system's caches then
hold the data for every server alike). Then `--rounds` times: our cache is forgotten, ours and tipg (alternating
which goes first) each get every tile once (a Python keep-alive load generator, `--connections` threads), then
pgbench (8 clients, as `geoportal_reader`, no parallel workers, as our connections) runs the SQL our view runs on
random tiles of the same zooms and extent for `--seconds`. S2: the MapProxy cache is filled, then wrk
(bench/requests.lua, random tiles among the non-empty ones, 2 threads) measures ours and MapProxy alternately at
each of `--hot-connections`. Ratios are of medians: ours/tipg, ours/ceiling, ours/MapProxy. One summary line per
scenario; raw figures in `--results`/tiles_S1_S2_<layer>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="", help="database on the server of DATABASE_URL (default: its own)")
    parser.add_argument("--layer", default="parcels")
    parser.add_argument("--zooms", default="14-16")
    parser.add_argument("--tiles", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=8, help="S1 connections")
    parser.add_argument("--hot-connections", type=int, nargs="+", default=[1, 8, 32], help="S2 connections")
    parser.add_argument("--seconds", type=int, default=15, help="per pgbench and wrk measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--peers", nargs="+", default=["tipg", "mapproxy"], choices=["tipg", "mapproxy"])
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    options = parser.parse_args()
    if options.database:  # before Django reads its settings
        url = urlsplit(os.environ.get("DATABASE_URL", ""))
        os.environ["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{options.database}"))
    return options


OPTIONS = _options() if __name__ == "__main__" else None

import django  # noqa: E402

django.setup()

from django.db import connections  # noqa: E402

from bench.peers import peers_venv  # noqa: E402
from gis_core.sql_files import sql_statement  # noqa: E402
from tiles.cache import cache_forget_layer  # noqa: E402
from tiles.conf import tiles_settings  # noqa: E402
from tiles.grid import Tile, pixel_size, tiles_touching  # noqa: E402
from tiles.layers import GEOPORTAL_SCHEMA, LAYERS, PIECES_SCHEMA, TileLayer  # noqa: E402
from tiles.pieces import band_for  # noqa: E402
from tiles.selectors import LayerField, _columns, layer_extent, layer_fields  # noqa: E402

GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
GUNICORN_OPTIONS = ("--worker-class", "gthread", "--workers", "2", "--threads", "4", "--keep-alive", "30",
                    "--preload", "--log-level", "warning", "--access-logfile", "/dev/null")  # fmt: skip
TIPG_PROCESSES = 2
TIPG_FEATURE_LIMIT = 1_000_000  # above any tile's count: tipg stops at 10,000 by default, ours never caps
WORK = ROOT / "var" / "bench" / "tiles"
GZIP = {"Accept-Encoding": "gzip"}
HOT_LUA = """
local requests = {}
function init(args)
  for path in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("GET", path, {["Host"] = wrk.headers["Host"], ["Accept-Encoding"] = "gzip"})
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return requests[math.random(#requests)]
end
"""


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


def tile_fields(layer: TileLayer, z: int) -> list[LayerField]:
    """The attributes our tile of zoom z carries (as tiles.selectors.tile_render chooses them)."""
    fields = layer_fields(layer=layer)
    if z < layer.detail_zoom:
        return [field for field in fields if field.name == "id" or field.name in layer.summary_fields]
    return fields


class Server:
    """One or more processes of one server, each on its own port; `paths` turns tiles into request paths."""

    def __init__(self, name: str, commands: list[tuple[list[str], dict[str, str]]], ports: list[int]) -> None:
        self.name, self.ports = name, ports
        self.processes = [
            subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
            for command, env in commands
        ]

    def wait_ready(self, path: str, timeout: float = 180) -> None:
        """Every process answers `path` (any HTTP status: the app is loaded)."""
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60).read()
                    break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                        self.stop()
                        raise RuntimeError(f"{self.name} did not start on port {port}") from None
                    time.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def start_ours() -> Server:
    port = free_port()
    command = [GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", *GUNICORN_OPTIONS]
    server = Server("ours", [(command, {**os.environ, "DJANGO_DEBUG": "false"})], [port])
    server.wait_ready("/tiles/")
    return server


def start_tipg(layer: TileLayer) -> Server:
    venv = peers_venv()
    default = connections["default"].settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{tiles_settings().reader_user}@{default['HOST'] or '127.0.0.1'}:"
        f"{default['PORT'] or 5432}/{default['NAME']}",
        "TIPG_DB_SCHEMAS": f'["{GEOPORTAL_SCHEMA}"]',
        "TIPG_DB_TABLES": f'["{GEOPORTAL_SCHEMA}.{layer.view}"]',
        "TIPG_DB_ONLY_SPATIAL_TABLES": "true",
        f"TIPG_TABLE_CONFIG__{GEOPORTAL_SCHEMA}_{layer.view}__PK": "id",
        f"TIPG_TABLE_CONFIG__{GEOPORTAL_SCHEMA}_{layer.view}__GEOMCOL": "geom",
        "TIPG_MAX_FEATURES_PER_TILE": str(TIPG_FEATURE_LIMIT),
    }
    ports = [free_port() for _ in range(TIPG_PROCESSES)]
    uvicorn = [str(venv / "bin" / "uvicorn"), "tipg.main:app", "--host", "127.0.0.1", "--log-level", "warning"]
    commands = [([*uvicorn, "--no-access-log", "--port", str(port)], env) for port in ports]
    server = Server("tipg", commands, ports)
    server.wait_ready(f"/collections/{GEOPORTAL_SCHEMA}.{layer.view}")
    return server


def start_mapproxy(layer: TileLayer) -> tuple[Server, Path, str]:
    """A standalone MapProxy with one tile layer served from its file cache (no source: the bench fills the cache);
    returns it, the cache directory (TMS layout: z/x/y.pbf) and its tile URL prefix (WMTS RESTful)."""
    directory = WORK / "mapproxy"
    shutil.rmtree(directory, ignore_errors=True)
    cache = directory / "cache" / layer.name
    cache.mkdir(parents=True)
    config = {
        "services": {"wmts": {"restful": True, "kvp": False}},
        "layers": [{"name": layer.name, "title": layer.title, "sources": ["tiles_cache"]}],
        "caches": {
            "tiles_cache": {
                "grids": ["webmercator"],
                "sources": [],
                "format": "image/pbf",
                "cache": {"type": "file", "directory_layout": "tms", "directory": str(cache)},
            }
        },
        "grids": {"webmercator": {"base": "GLOBAL_WEBMERCATOR", "origin": "nw"}},
        "globals": {"cache": {"base_dir": str(directory / "cache"), "lock_dir": str(directory / "locks"),
                              "tile_lock_dir": str(directory / "tile_locks")}},
    }  # fmt: skip
    (directory / "mapproxy.yaml").write_text(json.dumps(config, indent=1))  # JSON is YAML
    port = free_port()
    command = [GUNICORN, "bench.wms_peer_app:application", "--bind", f"127.0.0.1:{port}", *GUNICORN_OPTIONS]
    env = {**os.environ, "MAPPROXY_CONFIG": str(directory / "mapproxy.yaml")}
    server = Server("mapproxy", [(command, env)], [port])
    server.wait_ready("/wmts/1.0.0/WMTSCapabilities.xml")
    return server, cache, f"/wmts/{layer.name}/webmercator"


def seed_mapproxy(
    servers: dict[str, Server], cache: Path, prefix: str, tiles: list[Tile], layer: TileLayer
) -> list[str]:
    """Store each tile, as ours serves it (gzip), where MapProxy's file cache keeps it; the peer's paths. MapProxy
    cannot fetch them itself: its HTTP client refuses a response whose type is not image/*."""
    connection = http.client.HTTPConnection("127.0.0.1", servers["ours"].ports[0], timeout=300)
    for tile in tiles:
        connection.request("GET", f"/tiles/{layer.name}/{tile.z}/{tile.x}/{tile.y}.pbf", headers=GZIP)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"tile {tile} answered {response.status} while seeding MapProxy")
        (cache / str(tile.z) / str(tile.x)).mkdir(parents=True, exist_ok=True)
        (cache / str(tile.z) / str(tile.x) / f"{tile.y}.pbf").write_bytes(body)
    connection.close()
    paths = [f"{prefix}/{tile.z}/{tile.x}/{tile.y}.pbf" for tile in tiles]
    first = tiles[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{servers['mapproxy'].ports[0]}{paths[0]}") as response:
        if response.read() != (cache / str(first.z) / str(first.x) / f"{first.y}.pbf").read_bytes():
            raise RuntimeError("MapProxy does not serve the tiles stored in its cache")
    return paths


def load(ports: list[int], paths: list[str], connections_count: int) -> dict[str, Any]:
    """Request every path once over `connections_count` keep-alive connections (spread over `ports`)."""
    queue = list(reversed(list(enumerate(paths))))
    lock = threading.Lock()
    latencies: list[float] = []
    sizes: list[int] = []
    empty: set[int] = set()
    errors: list[str] = []

    def worker(port: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        while True:
            with lock:
                if not queue:
                    break
                index, path = queue.pop()
            started = time.perf_counter()
            connection.request("GET", path, headers=GZIP)
            response = connection.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                sizes.append(len(body))
                if response.status == 204 or not body:
                    empty.add(index)
                elif response.status != 200:
                    errors.append(f"{response.status} {path}: {body[:200]!r}")
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(ports[i % len(ports)],)) for i in range(connections_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    non_empty = [size for size in sizes if size]
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[max(int(len(latencies) * 0.99) - 1, 0)],
        "empty_tiles": len(empty),
        "mean_bytes_non_empty": statistics.mean(non_empty) if non_empty else 0,
        "max_bytes": max(sizes),
        "errors": errors[:5],
        "error_count": len(errors),
        "_empty_indexes": empty,
    }


def pgbench_scripts(
    layer: TileLayer, extent: tuple[float, float, float, float], zooms: range, folder: Path
) -> list[str]:
    """One pgbench script per zoom: the SQL of our tile view with random x/y over the extent."""
    settings = tiles_settings()
    raw = connections["default"]
    raw.ensure_connection()
    arguments: list[str] = []
    for z in zooms:
        tiles = list(tiles_touching(extent, range(z, z + 1)))
        xs, ys = [tile.x for tile in tiles], [tile.y for tile in tiles]
        chosen = tile_fields(layer, z)
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
    command = ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds),
               "-h", default["HOST"] or "127.0.0.1", "-p", str(default["PORT"] or 5432),
               "-U", tiles_settings().reader_user, default["NAME"], *arguments]  # fmt: skip
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PGOPTIONS": "-c max_parallel_workers_per_gather=0 -c jit=off"},  # as tiles.db
    ).stdout
    match = re.search(r"tps = ([\d.]+)", output)
    return float(match.group(1)) if match else 0.0


def wrk(port: int, paths: list[str], connections_count: int, seconds: int) -> dict[str, Any]:
    """wrk on random paths among `paths`, each request with `Accept-Encoding: gzip` (bench/requests.lua gives
    wrk.format a header table of its own, so wrk's `-H` headers would not be sent)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "paths.txt").write_text("".join(f"{path}\n" for path in paths))
        (Path(folder) / "tiles.lua").write_text(HOT_LUA)
        output = subprocess.run(
            ["wrk", "-t", str(min(connections_count, 2)), "-c", str(connections_count), "-d", f"{seconds}s",
             "--timeout", "10s", "-s", str(Path(folder) / "tiles.lua"), f"http://127.0.0.1:{port}", "--",
             str(Path(folder) / "paths.txt")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", output)
    return {
        "connections": connections_count,
        "rps": float(rps.group(1)) if rps else 0.0,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "transfer_per_s": f"{transfer.group(1)}{transfer.group(2)}" if transfer else "",
    }


def tile_paths(layer: TileLayer, tiles: list[Tile]) -> dict[str, list[str]]:
    """The request path of each tile on each server (same order)."""
    return {
        "ours": [f"/tiles/{layer.name}/{tile.z}/{tile.x}/{tile.y}.pbf" for tile in tiles],
        "tipg": [
            f"/collections/{GEOPORTAL_SCHEMA}.{layer.view}/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
            f"?properties={','.join(field.name for field in tile_fields(layer, tile.z))}"
            for tile in tiles
        ],
    }


def public(figures: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in figures.items() if not key.startswith("_")}


def cold_rounds(
    layer: TileLayer, servers: dict[str, Server], paths: dict[str, list[str]], scripts: list[str], options: Any
) -> tuple[list[dict[str, Any]], set[int]]:
    """S1: `rounds` x (ours and tipg, alternating which goes first; then the pgbench ceiling)."""
    rounds: list[dict[str, Any]] = []
    empty: set[int] = set()
    names = [name for name in ("ours", "tipg") if name in servers]
    cache_forget_layer(layer=layer.name)
    warm_up = load(servers["ours"].ports, paths["ours"], options.connections)
    print(f"  S1 warm-up (ours, not measured): {warm_up['rps']:.1f} req/s", flush=True)
    for number in range(options.rounds):
        figures: dict[str, Any] = {}
        for name in names if number % 2 == 0 else list(reversed(names)):
            if name == "ours":
                cache_forget_layer(layer=layer.name)
            figures[name] = load(servers[name].ports, paths[name], options.connections)
            if name == "ours":
                empty = figures[name]["_empty_indexes"]
            figures[name] = public(figures[name])
        figures["pgbench_tps"] = pgbench(scripts, 8, options.seconds)
        rounds.append(figures)
        print(f"  S1 round {number + 1}: " + ", ".join(
            f"{name} {value['rps']:.1f} req/s" if isinstance(value, dict) else f"pgbench {value:.1f} tps"
            for name, value in figures.items()
        ), flush=True)  # fmt: skip
    return rounds, empty


def hot_rounds(
    servers: dict[str, Server], hot_paths: dict[str, list[str]], options: Any
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """S2: wrk on the cached tiles, ours and MapProxy alternately, at each connection count."""
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    names = [name for name in ("ours", "mapproxy") if name in servers]
    for connections_count in options.hot_connections:
        for number in range(options.rounds):
            for name in names if number % 2 == 0 else list(reversed(names)):
                result = wrk(servers[name].ports[0], hot_paths[name], connections_count, options.seconds)
                runs.setdefault(str(connections_count), {}).setdefault(name, []).append(result)
        print(f"  S2 @{connections_count}: " + ", ".join(
            f"{name} {statistics.median(r['rps'] for r in values):.0f} req/s"
            for name, values in runs[str(connections_count)].items()
        ), flush=True)  # fmt: skip
    return runs


def parcel_count() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM geoportal.parcels")
        return int(cursor.fetchone()[0])


def summarise(results: dict[str, Any], options: Any) -> list[str]:
    rounds = results["S1"]["rounds"]
    ours = statistics.median(r["ours"]["rps"] for r in rounds)
    ceiling = statistics.median(r["pgbench_tps"] for r in rounds)
    summary: dict[str, Any] = {"ours_rps": ours, "ceiling_tps": ceiling, "ours_share_of_ceiling": ours / ceiling}
    size = (
        f"{results['tiles']} distinct tiles ({results['S1']['empty_tiles']} empty) of {results['parcels']:,} parcels"
        f"; mean non-empty tile ours {statistics.median(r['ours']['mean_bytes_non_empty'] for r in rounds) / 1e3:.1f}"
        " KB gzip"
    )
    peer = ""
    if "tipg" in rounds[0]:
        tipg = statistics.median(r["tipg"]["rps"] for r in rounds)
        tipg_bytes = statistics.median(r["tipg"]["mean_bytes_non_empty"] for r in rounds)
        summary |= {"tipg_rps": tipg, "ours_over_tipg": ours / tipg}
        peer = f" | tipg {tipg:.1f} req/s, ratio {ours / tipg:.2f}x (goal >= 1.5x)"
        size += f", tipg {tipg_bytes / 1e3:.1f} KB gzip"
    results["S1"]["summary"] = summary
    lines = [
        f"S1 cold tiles {results['layer']} z{results['zooms']}: ours {ours:.1f} req/s{peer}"
        f" | pgbench ceiling {ceiling:.1f} tps, ours at {ours / ceiling:.0%} (goal >= 85%)"
        f" | connections {options.connections} | size {size}"
    ]
    errors = {name: sum(r[name]["error_count"] for r in rounds) for name in ("ours", "tipg") if name in rounds[0]}
    if any(errors.values()):
        lines[0] += " | ERRORS " + ", ".join(f"{name} {count}" for name, count in errors.items()) + " (see the JSON)"
    if "S2" in results:
        per_level: dict[str, Any] = {}
        for level, runs in results["S2"]["runs"].items():
            medians = {name: statistics.median(r["rps"] for r in values) for name, values in runs.items()}
            if "mapproxy" in medians:
                medians["ours_over_mapproxy"] = medians["ours"] / medians["mapproxy"]
            per_level[level] = medians
        results["S2"]["summary"] = per_level
        main_level = str(8 if 8 in options.hot_connections else options.hot_connections[0])
        at = per_level[main_level]
        others = "".join(
            f", {level}: ours {f['ours']:.0f}" + (f" / MapProxy {f['mapproxy']:.0f}" if "mapproxy" in f else "")
            for level, f in per_level.items()
            if level != main_level
        )
        peer = ""
        if "mapproxy" in at:
            peer = f" | MapProxy {at['mapproxy']:.0f} req/s, ratio {at['ours_over_mapproxy']:.2f}x (goal >= 2x)"
        lines.append(
            f"S2 hot tiles {results['layer']} z{results['zooms']}: ours {at['ours']:.0f} req/s{peer}"
            f" | connections {main_level}{others} | size {results['S2']['tiles']} non-empty cached tiles (same gzip"
            " bytes from both)"
        )
        failed = sum(r["non_2xx"] for runs in results["S2"]["runs"].values() for v in runs.values() for r in v)
        if failed:
            lines[-1] += f" | ERRORS {failed} non-2xx responses (see the JSON)"
    return lines


def main(options: argparse.Namespace) -> None:
    layer = LAYERS[options.layer]
    low, _, high = options.zooms.partition("-")
    zooms = range(max(int(low), layer.minzoom), min(int(high or low), layer.maxzoom) + 1)
    extent = dense_extent(layer)
    tiles = sample_tiles(extent, zooms, options.tiles)
    paths = tile_paths(layer, tiles)
    results: dict[str, Any] = {
        "layer": layer.name,
        "zooms": f"{zooms.start}-{zooms.stop - 1}",
        "tiles": len(tiles),
        "parcels": parcel_count(),
        "extent": extent,
        "database": connections["default"].settings_dict["NAME"],
        "servers": {
            "ours": f"gunicorn {' '.join(GUNICORN_OPTIONS)}",
            "tipg": f"{TIPG_PROCESSES} x uvicorn (1 worker, uvloop, httptools), TIPG_MAX_FEATURES_PER_TILE="
            f"{TIPG_FEATURE_LIMIT}, ?properties= as ours",
            "mapproxy": "MapProxy WSGI app, same gunicorn options, file cache (TMS layout), format image/pbf",
        },
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
    }
    servers: dict[str, Server] = {}
    try:
        servers["ours"] = start_ours()
        if "tipg" in options.peers:
            servers["tipg"] = start_tipg(layer)
        with tempfile.TemporaryDirectory() as folder:
            scripts = pgbench_scripts(layer, extent, zooms, Path(folder))
            rounds, empty = cold_rounds(layer, servers, paths, scripts, options)
        results["S1"] = {"connections": options.connections, "rounds": rounds, "empty_tiles": len(empty)}
        if "tipg" in servers:
            servers.pop("tipg").stop()  # S2 does not need it: its CPU goes back to the machine
        non_empty = [tile for index, tile in enumerate(tiles) if index not in empty]
        hot_paths = {"ours": [f"/tiles/{layer.name}/{t.z}/{t.x}/{t.y}.pbf" for t in non_empty]}
        if "mapproxy" in options.peers and non_empty:
            servers["mapproxy"], cache, prefix = start_mapproxy(layer)
            hot_paths["mapproxy"] = seed_mapproxy(servers, cache, prefix, non_empty, layer)
        if non_empty:
            results["S2"] = {"tiles": len(non_empty), "runs": hot_rounds(servers, hot_paths, options)}
    finally:
        for server in servers.values():
            server.stop()
    results["load_average_after"] = os.getloadavg()
    lines = summarise(results, options)
    results["summary_lines"] = lines
    options.results.mkdir(parents=True, exist_ok=True)
    (options.results / f"tiles_S1_S2_{layer.name}.json").write_text(json.dumps(results, indent=1))
    for line in lines:
        print(line, flush=True)


if __name__ == "__main__":
    assert OPTIONS is not None
    main(OPTIONS)
