"""S3 and S4 of the brief's benchmarks: OGC API Features `/items` (limit 100 small bbox, limit 1000 large bbox)
and deep paging (offset 0 / 10k / 100k), ours against tipg and stock pygeoapi (its PostgreSQL provider), all
three reading the same `geoportal` views as `geoportal_reader` on the same PostgreSQL.

    .venv/bin/python bench/ogc_features.py [--database urbaplan_bench] [--connections 1 8 32] [--duration 10]
                                           [--peers ours tipg pygeoapi] [--rounds 1]

Peers run from their own virtualenv, made on first use by bench/peers.py from the pinned
bench/requirements-peers.txt (var/bench/peers/; `--peers-venv` names another one).

Servers: ours = gunicorn (2 workers x 4 threads); tipg = two single-worker uvicorn processes (one wrk each, the
connections split between them: `--workers 2` leaves Nagle on, uvicorn #3149); pygeoapi = gunicorn (2 workers x 4
threads) with `count: false`. Load: wrk (`bench/requests.lua`, a random request among 200 per scenario) for
`--duration` seconds per measurement; the servers are measured alternately, scenario by scenario. Paging: ours is
measured twice, with a plain `offset` and with the keyset `cursor` of our next links (what a client following the
links sends). Ratio = ours / peer (requests per second). Raw figures: bench/results/ogc_S3_S4.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
READER = "geoportal_reader"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_database(url: str, database: str) -> tuple[str, str, int]:
    """Host, port of DATABASE_URL; the bench database name is given separately."""
    match = re.match(r"^[a-z]+://[^@]*@?([^:/]+):?(\d*)/", url + "/")
    host = match.group(1) if match else "127.0.0.1"
    port = int(match.group(2)) if match and match.group(2) else 5432
    return host, database, port


def psql(host: str, port: int, database: str, sql: str) -> str:
    command = ["psql", "-h", host, "-p", str(port), "-U", READER, "-d", database, "-Atc", sql]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def wait_ready(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


class Server:
    """One peer: one or more processes, each listening on its own port (`items`: one items URL per process)."""

    def __init__(self, name: str, commands: list[list[str]], env: dict[str, str], items: list[str]) -> None:
        self.name, self.items = name, items
        self.processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for command in commands
        ]

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def start_ours(port: int, host: str, db_port: int, database: str) -> Server:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://postgres@{host}:{db_port}/{database}",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
    }
    command = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", "2", "--threads", "4"]
    command += ["-b", f"127.0.0.1:{port}", "--chdir", str(ROOT)]
    return Server("ours", [command], env, [f"http://127.0.0.1:{port}/ogc/collections/parcels/items"])


def start_tipg(port: int, venv: Path, host: str, db_port: int, database: str) -> Server:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{READER}@{host}:{db_port}/{database}",
        "TIPG_DB_SCHEMAS": '["geoportal"]',
        "TIPG_DB_ONLY_SPATIAL_TABLES": "true",
        "TIPG_TABLE_CONFIG__geoportal_parcels__PK": "id",
        "TIPG_TABLE_CONFIG__geoportal_parcels__GEOMCOL": "geom",
    }
    # Two single-worker processes on two ports, not `--workers 2`: uvicorn's pre-bound socket leaves Nagle on for
    # accepted connections (uvicorn #3149) and every keep-alive request would wait ~40 ms for a delayed ACK.
    ports = [port, free_port()]
    command = [str(venv / "bin/uvicorn"), "tipg.main:app", "--host", "127.0.0.1", "--log-level", "warning"]
    commands = [[*command, "--no-access-log", "--port", str(each)] for each in ports]
    items = [f"http://127.0.0.1:{each}/collections/geoportal.parcels/items" for each in ports]
    return Server("tipg", commands, env, items)


def start_pygeoapi(port: int, venv: Path, host: str, db_port: int, database: str, workdir: Path) -> Server:
    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "limits": {"default_items": 100, "max_items": 10000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "bench",
                "description": "bench",
                "keywords": [],
                "keywords_type": "theme",
                "terms_of_service": "https://creativecommons.org/licenses/by/4.0/",
                "url": "http://x",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "http://x"},
            "contact": {"name": "bench"},
        },
        "resources": {
            "parcels": {
                "type": "collection",
                "title": "parcels",
                "description": "parcels",
                "keywords": [],
                "extents": {"spatial": {"bbox": [-180, -90, 180, 90]}},
                "providers": [
                    {
                        "type": "feature",
                        "name": "PostgreSQL",
                        "data": {
                            "host": host,
                            "port": db_port,
                            "dbname": database,
                            "user": READER,
                            "password": "",
                            "search_path": ["geoportal", "public"],
                        },
                        "id_field": "id",
                        "table": "parcels",
                        "geom_field": "geom",
                        "count": False,
                    }
                ],
            }
        },
    }
    config_path, openapi_path = workdir / "pygeoapi.yml", workdir / "openapi.yml"
    config_path.write_text(json.dumps(config))  # JSON is YAML
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config_path), "PYGEOAPI_OPENAPI": str(openapi_path)}
    subprocess.run(
        [str(venv / "bin/pygeoapi"), "openapi", "generate", str(config_path), "--output-file", str(openapi_path)],
        env=env,
        check=True,
        capture_output=True,
    )
    command = [str(venv / "bin/gunicorn"), "pygeoapi.flask_app:APP", "-w", "2", "--threads", "4"]
    command += ["-b", f"127.0.0.1:{port}"]
    return Server("pygeoapi", [command], env, [f"http://127.0.0.1:{port}/collections/parcels/items"])


def scenarios(host: str, db_port: int, database: str, rng: random.Random) -> dict[str, list[str]]:
    """Query strings per scenario (bboxes over the densest part of the data, offsets of the paging scenario)."""
    extent = psql(
        host, db_port, database, "SELECT ST_Extent(geom) FROM (SELECT geom FROM geoportal.parcels LIMIT 20000) p"
    )
    numbers = [float(v) for v in re.findall(r"-?\d+\.?\d*", extent)]
    west, south, east, north = numbers[-4:]

    def bbox(size: float) -> str:
        x, y = rng.uniform(west, east - size), rng.uniform(south, north - size)
        return f"{x:.6f},{y:.6f},{x + size:.6f},{y + size:.6f}"

    out: dict[str, list[str]] = {
        "S3 limit=100 small bbox": [f"limit=100&bbox={bbox(0.003)}" for _ in range(200)],
        "S3 limit=1000 large bbox": [f"limit=1000&bbox={bbox(0.03)}" for _ in range(200)],
    }
    for offset in (0, 10_000, 100_000):
        offsets = [offset + rng.randrange(0, 1000) * 100 if offset else 0 for _ in range(200)]
        out[f"S4 offset {offset}"] = [f"limit=100&offset={o}" for o in offsets]
        if offset == 0:
            continue
        lookup = (
            "SELECT o, (SELECT id FROM geoportal.parcels ORDER BY id OFFSET o - 1 LIMIT 1) "
            f"FROM unnest(ARRAY[{','.join(str(o) for o in offsets)}]) o"
        )
        rows = [line.split("|") for line in psql(host, db_port, database, lookup).splitlines()]
        out[f"S4 offset {offset} (cursor)"] = [f"limit=100&offset={o}&cursor={o}.{last}" for o, last in rows]
    return out


def _wrk_start(items_url: str, queries: list[str], connections: int, seconds: int) -> subprocess.Popen[str]:
    base = re.match(r"^(https?://[^/]+)(/.*)$", items_url)
    assert base is not None
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        for query in queries:
            handle.write(f"GET\t{base.group(2)}?{query}\t\n")
        paths = handle.name
    command = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s"]
    command += ["-s", str(ROOT / "bench/requests.lua"), base.group(1), "--", paths]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def wrk(server: Server, queries: list[str], connections: int, seconds: int) -> float:
    """Requests per second of `server` at `connections`, spread over its processes' ports (one wrk each)."""
    targets = server.items[:connections]
    shares = [connections // len(targets) + (1 if i < connections % len(targets) else 0) for i in range(len(targets))]
    runs = [_wrk_start(url, queries, share, seconds) for url, share in zip(targets, shares, strict=True)]
    total = 0.0
    for url, run in zip(targets, runs, strict=True):
        output, _ = run.communicate()
        if run.returncode:
            raise RuntimeError(f"wrk failed against {url}")
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        if errors:
            print(f"    ! {errors.group(1)} non-2xx responses from {url}", flush=True)
        total += float(match.group(1)) if match else 0.0
    return total


def wait_idle(items_url: str, timeout: float = 120) -> None:
    """wrk stops, the server goes on with the requests in flight: wait until a one-feature page is quick again, so
    that one measurement does not eat the next one's time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{items_url}?limit=1", timeout=timeout).read()
        if time.monotonic() - started < 0.5:
            return
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="urbaplan_bench")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--peers", nargs="+", default=["ours", "tipg", "pygeoapi"])
    parser.add_argument("--peers-venv", type=Path, default=None, help="default: bench/peers.py's virtualenv")
    parser.add_argument("--only", nargs="*", default=None, help="scenario names (substring match)")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    host, database, db_port = server_database(os.environ.get("DATABASE_URL", ""), options.database)
    size = psql(host, db_port, database, "SELECT count(*) FROM geoportal.parcels")
    queries = scenarios(host, db_port, database, random.Random(options.seed))
    if options.only:
        queries = {k: v for k, v in queries.items() if any(o in k for o in options.only)}
    workdir = Path(tempfile.mkdtemp(prefix="ogc-bench-"))
    if options.peers_venv is None and set(options.peers) - {"ours"}:
        sys.path.insert(0, str(ROOT))
        from bench.peers import peers_venv

        options.peers_venv = peers_venv()
    servers: dict[str, Server] = {}
    try:
        for name in options.peers:
            port = free_port()
            if name == "ours":
                servers[name] = start_ours(port, host, db_port, database)
            elif name == "tipg":
                servers[name] = start_tipg(port, options.peers_venv, host, db_port, database)
            elif name == "pygeoapi":
                servers[name] = start_pygeoapi(port, options.peers_venv, host, db_port, database, workdir)
        for server in servers.values():
            for items in server.items:
                wait_ready(f"{items}?limit=1")
                for query in next(iter(queries.values()))[:5]:  # warm up (config build, connections, caches)
                    urllib.request.urlopen(f"{items}?{query}", timeout=300).read()
        results: dict[str, Any] = {"parcels": int(size), "duration_s": options.duration, "scenarios": {}}
        for scenario, scenario_queries in queries.items():
            cursor_variant = "(cursor)" in scenario
            for connections in options.connections:
                figures: dict[str, list[float]] = {}
                for _ in range(options.rounds):
                    for name, server in servers.items():
                        if cursor_variant and name != "ours":
                            continue
                        rps = wrk(server, scenario_queries, connections, options.duration)
                        for items in server.items:
                            wait_idle(items)
                        figures.setdefault(name, []).append(rps)
                medians = {name: statistics.median(values) for name, values in figures.items()}
                results["scenarios"].setdefault(scenario, {})[str(connections)] = {"rps": figures, "median": medians}
                ours = medians.get("ours", 0.0)
                line = f"{scenario:28s} c={connections:<3d} ours {ours:8.1f} req/s"
                for name, value in medians.items():
                    if name != "ours":
                        ratio = ours / value if value else float("inf")
                        line += f" | {name} {value:8.1f} req/s, ratio {ratio:5.2f}x"
                print(f"{line} | {size} parcels", flush=True)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "ogc_S3_S4.json").write_text(json.dumps(results, indent=1))
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
