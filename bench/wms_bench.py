"""S6 of ../shared/brief/benchmarks.md: WMS GetMap 256 and 1024 px, cold and cached, ours vs standalone MapProxy.

    .venv/bin/python bench/wms_bench.py [--samples 12] [--cached-requests 200] [--connections 4]

Ours: Django (gunicorn, config.wsgi) with MapProxy mounted at /ows/. Peer: MapProxy's own WSGI app under the
same gunicorn settings, on a copy of the same generated YAML (same mapfile, same MapServer binary) with its own
cache. Both read the dev database (load_demo's Cambridge data). Cold: every cache emptied, each distinct map
requested once, one at a time. Cached: the same maps again, `--connections` at a time. Results in
bench/results/S6.json and one summary line per scenario.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench" / "wms"
RESULTS = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LAYERS = "zones,overlays,parcels,authorised_projects"
# Cambridge (MA), Web Mercator: the demo data's extent.
AREA_3857 = (-7921500.0, 5212500.0, -7912500.0, 5218500.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def bboxes(samples: int, span: float) -> list[tuple[float, float, float, float]]:
    """Distinct, non-overlapping maps of `span` metres over the area, row by row."""
    west, south, east, north = AREA_3857
    result: list[tuple[float, float, float, float]] = []
    x, y = west, south
    while len(result) < samples:
        result.append((x, y, x + span, y + span))
        x += span * 1.5
        if x + span > east:
            x, y = west, y + span * 1.5
            if y + span > north:
                x, y = west + span / 3, south + span / 3
    return result


def getmap_url(base: str, bbox: tuple[float, float, float, float], size: int) -> str:
    return (
        f"{base}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={LAYERS}&STYLES=&CRS=EPSG:3857"
        f"&BBOX={','.join(f'{value:.2f}' for value in bbox)}&WIDTH={size}&HEIGHT={size}&FORMAT=image/png"
        "&TRANSPARENT=TRUE"
    )


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        body = response.read()
        if not response.headers["Content-Type"].startswith("image/png") or len(body) < 100:
            raise RuntimeError(f"not a map: {url}")
    return time.perf_counter() - started


def summary(latencies: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / wall, 2),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 1),
    }


class Server:
    def __init__(self, name: str, app: str, env: dict[str, str], path: str, cache: Path) -> None:
        self.name, self.cache = name, cache
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}{path}"
        command = [str(GUNICORN), app, "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4"]
        command += ["--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        wait_for(f"{self.base}?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")

    def clear(self) -> None:
        for path in self.cache.glob("*_cache_*"):
            shutil.rmtree(path, ignore_errors=True)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=12, help="distinct maps per size (cold)")
    parser.add_argument("--cached-requests", type=int, default=200)
    parser.add_argument("--connections", type=int, default=4)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is not set: source var/services.env")

    ours_dir, peer_dir = WORK / "ours", WORK / "peer"
    env = os.environ | {"WMS_DIR": str(ours_dir), "WMS_CACHE_DIR": str(ours_dir / "cache"), "DJANGO_DEBUG": "0"}
    env["WMS_RASTER_DIR"] = str(ROOT / "var" / "wms" / "rasters")
    subprocess.run([str(PYTHON), "manage.py", "wms_config"], cwd=ROOT, env=env, check=True, capture_output=True)
    config = yaml.safe_load((ours_dir / "mapproxy.yaml").read_text())
    config["globals"]["cache"] |= {
        "base_dir": str(peer_dir / "cache"),
        "lock_dir": str(peer_dir / "cache" / "locks"),
        "tile_lock_dir": str(peer_dir / "cache" / "tile_locks"),
    }
    peer_dir.mkdir(parents=True, exist_ok=True)
    (peer_dir / "mapproxy.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    peer_env = os.environ | {
        "MAPPROXY_CONFIG": str(peer_dir / "mapproxy.yaml"),
        "MAPSERVER_CONFIG_FILE": str(ours_dir / "mapserver.conf"),
    }
    servers = [
        Server("ours", "config.wsgi:application", env, "/ows/service", ours_dir / "cache"),
        Server("peer", "bench.wms_peer_app:application", peer_env, "/service", peer_dir / "cache"),
    ]
    results: dict[str, dict[str, dict[str, float]]] = {}
    try:
        for size in (256, 1024):
            maps = bboxes(options.samples, span=size * 2.0)  # about 2 m per pixel
            for server in servers:
                server.clear()
            for server in servers:  # cold: one at a time, every map once
                urls = [getmap_url(server.base, bbox, size) for bbox in maps]
                started = time.perf_counter()
                latencies = [fetch(url) for url in urls]
                results.setdefault(f"GetMap {size}px cold", {})[server.name] = summary(
                    latencies, time.perf_counter() - started
                )
            for server in servers:  # cached: the same maps, concurrently
                urls = [getmap_url(server.base, bbox, size) for bbox in maps]
                for url in urls:
                    fetch(url)  # warm
                wanted = [urls[index % len(urls)] for index in range(options.cached_requests)]
                started = time.perf_counter()
                with ThreadPoolExecutor(options.connections) as pool:
                    latencies = list(pool.map(fetch, wanted))
                results.setdefault(f"GetMap {size}px cached", {})[server.name] = summary(
                    latencies, time.perf_counter() - started
                )
    finally:
        for server in servers:
            server.stop()

    lines = []
    for scenario, figures in results.items():
        ours, peer = figures["ours"], figures["peer"]
        overhead = (ours["median_ms"] / peer["median_ms"] - 1) * 100 if peer["median_ms"] else 0.0
        connections = 1 if "cold" in scenario else options.connections
        line = (
            f"S6 {scenario}: ours {ours['rps']} req/s (median {ours['median_ms']} ms), "
            f"peer {peer['rps']} req/s (median {peer['median_ms']} ms), overhead {overhead:+.1f}% (target <= 10%), "
            f"{connections} connection(s), {ours['requests']} requests, Cambridge demo data"
        )
        lines.append(line)
        print(line, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "S6.json").write_text(
        json.dumps(
            {
                "scenario": "S6",
                "at": datetime.now(UTC).isoformat(),
                "options": vars(options),
                "results": results,
                "summary": lines,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
