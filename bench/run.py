"""`make bench`: every scenario of ../shared/brief/benchmarks.md in one go (S1..S8, and S9 of issue 12), results in
bench/results/.

    .venv/bin/python bench/run.py                                 # everything, 1,000,000 parcels
    .venv/bin/python bench/run.py --quick                         # 20,000 parcels, short runs (a smoke test)
    .venv/bin/python bench/run.py --scenarios S1 S2 --parcels 200000
    .venv/bin/python bench/run.py --prepare-only                  # the bench database alone
    .venv/bin/python bench/run.py --scenarios S3 S5 --limits      # the abuse limits in the path too

S1-S5 use the bench database (`urbaplan_bench`, `urbaplan_bench_quick` with --quick, on the server of
DATABASE_URL), created, migrated and filled here once: reused while its parcels and zoning are complete; the dev
database is never touched. S7 (bulk import vs ogr2ogr) runs first since it re-imports the parcels. S5 and S7 run
here; the others are their own scripts, run as subprocesses (each still runnable alone): bench/tiles_bench.py
(S1, S2; parcels z14-16 and zones z12-16), bench/ogc_features.py (S3, S4), bench/wms_bench.py (S6, on the dev
database's demo data), bench/signing_bench.py (S8, its own PKI and PDFs), bench/plans_bench.py (S9, plan review:
its own generated plans), bench/opendata_bench.py (O1, the open-data portal of issue 13: its own database of
generated files). Every scenario prints one summary line
(ours, the peer, the ratio, the connections, the data size); the lines of the latest run of each are kept in
bench/results/summary_lines.json and listed in bench/results/summary.md. Load only targets 127.0.0.1 and every run
is bounded in time. A --quick run writes under var/bench/results-quick/, never over bench/results/.

The servers measured read the public data as production does: through the `geoportal` alias (the read-only
`geoportal_reader` role, statements prepared after 5 runs, the public statement timeout). The abuse limits
(`gis_core.limits`) are off by default, since every request of the load comes from 127.0.0.1 and the limiter
would refuse it; `--limits` puts them in the path as production has them: the throttle on (its Redis script run
for every public request) with the public-api and ogc scopes at `LIMITS_RATE` (never reached by a bench: the
limiter's cost, not its refusals), the body caps and the statement timeout as configured; the figures go to
bench/results/with-limits/ (var/bench/results-quick/with-limits/ with --quick), beside those without.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "bench" / "results"
RESULTS = COMMITTED  # --quick: var/bench/results-quick/; --limits: .../with-limits/
# --limits: the public scopes' rate. GCRA lets a client send `count` requests at once (then one per interval,
# at least 1 ms): a billion a day is never reached by a bench, so every request pays the limiter and none is refused.
LIMITS_RATE = "1000000000/day"
LIMITED_SCOPES = ("THROTTLE_RATE_PUBLIC_API", "THROTTLE_RATE_OGC")
WORK = ROOT / "var" / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
HCP_COMMUNES = (
    Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data")) / "morocco" / "hcp_admin_2014.gpkg"
)
# Sidi Yahya Zaer (Skhirate-Témara, 585 km², between Rabat and Casablanca): Casablanca-Anfa (16.6 km²) holds
# only ~47,000 lots of 100-2,000 m², the largest commune near Casablanca (Sahel Oulad H'Riz, 409 km²) ~1.2M.
DEFAULT_HCP_COMMUNE = "50103112"
SCENARIOS = ("S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "O1")
# S1/S2 layers and zooms: the parcels layer starts at z14; the zones one (large polygons, read from their pieces)
# at z10, measured from z12 as the brief says.
TILE_RUNS = (("parcels", "14-16"), ("zones", "12-16"))
REQUEST_SAMPLES = 100  # distinct requests per endpoint; pgbench takes at most 128 scripts
ENDPOINTS = ("parcel_at_point", "parcel_constraints", "precheck")
# S5 serving: one worker per core, threads so a worker's Python overlaps its requests' database time; the app
# is loaded before forking (`--preload`), so workers start at once; keep-alive as wrk (and browsers) use it.
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 4
GUNICORN_OPTIONS = ("--worker-class", "gthread", "--workers", str(GUNICORN_WORKERS), "--threads",
                    str(GUNICORN_THREADS), "--keep-alive", "30", "--preload")  # fmt: skip
WARM_UP_SECONDS = 3


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S} UTC] {message}", flush=True)


def database_urls(name: str) -> tuple[str, str]:
    """(Django URL, libpq URL) of the bench database on the server of DATABASE_URL."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit("DATABASE_URL is not set: run through `make bench` or source var/services.env")
    parts = urlsplit(base)
    django_url = urlunsplit(parts._replace(path=f"/{name}"))
    return django_url, urlunsplit(parts._replace(scheme="postgresql", path=f"/{name}"))


def run(command: list[str], env: dict[str, str] | None = None, timeout: float = 3600) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}... failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def one_line(sql: str) -> str:
    """A query on one line for a pgbench script: `--` comments dropped (the project's SQL files have them)."""
    return " ".join(re.sub(r"--[^\n]*", "", line).strip() for line in sql.splitlines()).strip()


def timed(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall seconds and peak resident memory (MB) of a command, from GNU time."""
    started = time.monotonic()
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command], env=env, capture_output=True, text=True, timeout=7200, check=False
    )
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    peak_kb = float(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))  # type: ignore[union-attr]
    return {"seconds": round(wall, 2), "peak_rss_mb": round(peak_kb / 1024, 1)}


class Bench:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.django_url, self.pg_url = database_urls(options.database)
        self.env = {**os.environ, "DATABASE_URL": self.django_url, "DJANGO_DEBUG": "0", "PYTHONUNBUFFERED": "1"}
        WORK.mkdir(parents=True, exist_ok=True)
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.commune_code = ""
        self.commune_id = 0
        self.zoning: dict[str, int] | None = None
        self.lines: dict[str, list[str]] = {}  # summary lines of this run, per group of scenarios
        self.group = ""

    def report(self, line: str) -> None:
        """Print one summary line and keep it for bench/results/summary_lines.json."""
        print(line, flush=True)
        self.lines.setdefault(self.group, []).append(line)

    # --- preparation -------------------------------------------------------------------------------------
    def manage(self, *arguments: str, timeout: float = 3600) -> str:
        return run([str(PYTHON), str(ROOT / "manage.py"), *arguments], env=self.env, timeout=timeout)

    def psql(self, sql: str, database_url: str | None = None) -> str:
        return run(["psql", database_url or self.pg_url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]).strip()

    def prepare_database(self) -> None:
        server = urlunsplit(urlsplit(self.pg_url)._replace(path="/postgres"))
        if not self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.options.database}'", server):
            self.psql(f'CREATE DATABASE "{self.options.database}"', server)
        self.psql("CREATE EXTENSION IF NOT EXISTS postgis")
        # No JIT for anyone on the bench database (ours, tipg, pygeoapi, MapServer, pgbench): our connections turn it
        # off (config.settings), and the peers must not pay ~250 ms of compilation per large query that we skip.
        self.psql(f'ALTER DATABASE "{self.options.database}" SET jit = off', server)
        self.manage("migrate", "--no-input", "-v", "0")
        log(f"database {self.options.database} migrated")

    def prepare_commune(self) -> None:
        if HCP_COMMUNES.exists():
            import pyogrio.raw

            source = WORK / "commune.gpkg"
            meta, _, geometries, fields = pyogrio.raw.read(
                HCP_COMMUNES, layer="communes", columns=["com_fr", "cc"], where=f"cc = {self.options.hcp_commune}"
            )
            if len(geometries) != 1:
                sys.exit(f"commune cc={self.options.hcp_commune} is not in {HCP_COMMUNES}")
            pyogrio.raw.write(source, geometries, fields, fields=list(meta["fields"]), layer="communes",
                              driver="GPKG", geometry_type="MultiPolygon", crs="EPSG:4326")  # fmt: skip
            log(self.manage("import_layer", "territories", str(source), "--level", "commune").splitlines()[0])
            self.commune_code = self.psql(
                f"SELECT code FROM gis_core_territory WHERE code LIKE '{self.options.hcp_commune}%'"
            )
        else:
            self.manage("load_demo")
            self.commune_code = self.psql(
                "SELECT code FROM gis_core_territory WHERE level = 'commune' ORDER BY area_m2 DESC LIMIT 1"
            )
        self.commune_id = int(self.psql(f"SELECT id FROM gis_core_territory WHERE code = '{self.commune_code}'"))
        log(f"commune {self.commune_code} (id {self.commune_id})")

    def parcels_file(self) -> Path:
        path = WORK / f"parcels_{self.options.parcels}_seed{self.options.seed}.gpkg"
        if not path.exists():
            log(f"generating {self.options.parcels:,} parcels into {path}")
            result = timed(
                [str(PYTHON), str(ROOT / "manage.py"), "generate_parcels", "--count", str(self.options.parcels),
                 "--commune", self.commune_code, "--seed", str(self.options.seed), "--output", str(path)],
                self.env,
            )  # fmt: skip
            log(f"generated in {result['seconds']} s, peak {result['peak_rss_mb']} MB")
            (WORK / f"{path.stem}.generate.json").write_text(json.dumps(result))
        return path

    def parcel_count(self) -> int:
        return int(self.psql(f"SELECT count(*) FROM parcels_parcel WHERE commune_id = {self.commune_id}"))

    def ensure_parcels(self) -> None:
        if self.parcel_count() != self.options.parcels:
            self.psql(f"DELETE FROM parcels_parcel WHERE commune_id = {self.commune_id}")
            log(f"importing {self.options.parcels:,} parcels for S5")
            self.manage("import_layer", "parcels", str(self.parcels_file()), "--commune", self.commune_code)

    # --- S7 ----------------------------------------------------------------------------------------------
    def s7(self) -> dict[str, Any]:
        source = self.parcels_file()
        ours_command = [str(PYTHON), str(ROOT / "manage.py"), "import_layer", "parcels", str(source),
                        "--commune", self.commune_code]  # fmt: skip
        libpq = urlsplit(self.pg_url)
        pg = f"PG:host={libpq.hostname} port={libpq.port} dbname={self.options.database} user={libpq.username}"
        peer_command = ["ogr2ogr", "-f", "PostgreSQL", pg, str(source), "parcels", "-nln", "bench_ogr_parcels",
                        "-lco", "GEOMETRY_NAME=geom", "-overwrite"]  # fmt: skip
        runs: dict[str, list[dict[str, float]]] = {"ours": [], "peer": []}
        for round_number in range(self.options.s7_rounds):
            self.psql(f"DELETE FROM parcels_parcel WHERE commune_id = {self.commune_id}")
            self.psql("VACUUM parcels_parcel")
            self.psql("CHECKPOINT")
            runs["ours"].append(timed(ours_command, self.env))
            log(f"S7 round {round_number + 1} ours: {runs['ours'][-1]}")
            self.psql("DROP TABLE IF EXISTS bench_ogr_parcels")
            self.psql("CHECKPOINT")
            runs["peer"].append(timed(peer_command, self.env))
            log(f"S7 round {round_number + 1} ogr2ogr: {runs['peer'][-1]}")
        self.psql("DROP TABLE IF EXISTS bench_ogr_parcels")
        imported = self.parcel_count()
        ours = statistics.median(run["seconds"] for run in runs["ours"])
        peer = statistics.median(run["seconds"] for run in runs["peer"])
        result = {
            "scenario": "S7",
            "what": "bulk import of generated parcels (validation, repair, upsert) vs ogr2ogr -f PostgreSQL (COPY)",
            "parcels": self.options.parcels,
            "imported": imported,
            "source_bytes": source.stat().st_size,
            "runs": runs,
            "ours_median_s": ours,
            "peer_median_s": peer,
            "speed_ratio": round(peer / ours, 3),  # > 1: ours faster
            "ours_peak_rss_mb_max": max(run["peak_rss_mb"] for run in runs["ours"]),
            "peer_peak_rss_mb_max": max(run["peak_rss_mb"] for run in runs["peer"]),
            "goal": ">= 1x ogr2ogr's speed, peak memory < 1 GB",
        }
        self.report(
            f"S7 import {self.options.parcels:,} parcels: ours {ours:.1f} s (peak {result['ours_peak_rss_mb_max']} MB)"
            f" | ogr2ogr {peer:.1f} s (peak {result['peer_peak_rss_mb_max']} MB) | speed ratio {result['speed_ratio']}x"
            f" | connections 1 | size {self.options.parcels:,} parcels, {source.stat().st_size / 1e6:.0f} MB GeoPackage"
        )
        return result

    # --- S5 ----------------------------------------------------------------------------------------------
    def prepare_zoning(self) -> dict[str, int]:
        os.environ["DATABASE_URL"] = self.django_url
        os.environ["DJANGO_DEBUG"] = "0"
        import django

        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup()
        from bench.zoning import zoning_generate
        from gis_core.models import Territory

        if not self.options.regenerate_zoning:
            zones = int(self.psql(f"SELECT count(*) FROM parcels_zone WHERE commune_id = {self.commune_id}"))
            overlays = int(self.psql(f"SELECT count(*) FROM parcels_overlay WHERE commune_id = {self.commune_id}"))
            if zones and overlays:
                zone_vertices = self.psql(
                    f"SELECT sum(ST_NPoints(geom)) FROM parcels_zone WHERE commune_id = {self.commune_id}"
                )
                overlay_vertices = self.psql(
                    f"SELECT sum(ST_NPoints(geom)) FROM parcels_overlay WHERE commune_id = {self.commune_id}"
                )
                log(f"reusing the zoning already in the bench database ({zones} zones, {overlays} overlays)")
                return {"zones": zones, "zone_vertices": int(zone_vertices), "overlays": overlays,
                        "overlay_vertices": int(overlay_vertices)}  # fmt: skip
        log(f"generating {self.options.zones} zones and {self.options.overlays} overlays")
        counts = zoning_generate(
            commune=Territory.objects.get(code=self.commune_code), zones=self.options.zones,
            overlays=self.options.overlays, seed=self.options.seed, min_vertices=self.options.min_vertices,
            max_vertices=self.options.max_vertices,
        )  # fmt: skip
        self.psql("VACUUM ANALYZE")
        log(f"zoning: {counts}")
        return counts

    def sample_requests(self) -> dict[str, list[tuple[str, str, str, list[str]]]]:
        """Per endpoint, (method, path, body, captured SQL) of distinct requests over random parcels."""
        import shapely
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, ST_AsBinary(geom) FROM parcels_parcel TABLESAMPLE SYSTEM (2) REPEATABLE (7) "
                "WHERE commune_id = %s LIMIT %s",
                [self.commune_id, REQUEST_SAMPLES],
            )
            rows = cursor.fetchall()
        client = Client()
        requests: dict[str, list[tuple[str, str, str, list[str]]]] = {name: [] for name in ENDPOINTS}
        for parcel_id, wkb in rows:
            geometry = shapely.from_wkb(bytes(wkb))
            point = shapely.point_on_surface(geometry)
            footprint = shapely.affinity.scale(shapely.get_geometry(geometry, 0), 0.6, 0.6, origin=point)
            body = json.dumps({
                "parcel": parcel_id,
                "project": {"footprint": json.loads(shapely.to_geojson(footprint)), "height_m": 9, "floors": 3,
                            "gross_floor_area_m2": round(shapely.area(footprint) * 1e10 * 0.8), "use": "residential"},
            })  # fmt: skip
            specs = {
                "parcel_at_point": ("GET", f"/api/parcels/at/?lon={point.x:.8f}&lat={point.y:.8f}", ""),
                "parcel_constraints": ("GET", f"/api/parcels/{parcel_id}/constraints/", ""),
                "precheck": ("POST", "/api/precheck/", body),
            }
            for name, (method, path, payload) in specs.items():

                def send(method: str = method, path: str = path, payload: str = payload) -> Any:
                    if method == "GET":
                        return client.get(path)
                    return client.post(path, data=payload, content_type="application/json")

                send()  # warm
                with CaptureQueriesContext(connection) as captured:
                    response = send()
                if response.status_code != 200:
                    raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.content[:500]!r}")
                requests[name].append((method, path, payload, [query["sql"] for query in captured.captured_queries]))
        return requests

    def start_server(self, ready_path: str) -> tuple[subprocess.Popen[bytes], int]:
        """gunicorn on a free port, returned once it answers `ready_path` (the socket alone opens before the app)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                   *GUNICORN_OPTIONS, "--access-logfile", "/dev/null",
                   "--error-logfile", str(WORK / "gunicorn.log")]  # fmt: skip
        server = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=5) as response:
                    if response.status == 200:
                        return server, port
            except OSError:
                time.sleep(0.2)
        os.killpg(server.pid, signal.SIGTERM)
        raise RuntimeError("gunicorn did not answer within 120 s")

    def wrk(self, port: int, requests_file: Path, connections: int, seconds: int) -> dict[str, Any]:
        threads = min(connections, 2)
        output = run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
                      "--timeout", "5s", "-s", str(ROOT / "bench" / "requests.lua"), f"http://127.0.0.1:{port}",
                      "--", str(requests_file)], timeout=seconds + 30)  # fmt: skip

        def milliseconds(label: str) -> float:
            value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()  # type: ignore[union-attr]
            return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 3)

        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        socket_errors = re.search(r"Socket errors: (.*)", output)
        return {
            "connections": connections,
            "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
            "p50_ms": milliseconds("50%"),
            "p99_ms": milliseconds("99%"),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "",
        }

    def pgbench(self, scripts: list[Path], clients: int, seconds: int) -> dict[str, float]:
        command = ["pgbench", "-n", "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds), "-r"]
        for script in scripts:
            command += ["-f", str(script)]
        # The session settings our connections use (config.settings: no JIT), so the ceiling runs the same plans.
        output = run([*command, self.pg_url], env={**os.environ, "PGOPTIONS": "-c jit=off"}, timeout=seconds + 60)
        tps = float(re.search(r"tps = ([\d.]+)", output).group(1))  # type: ignore[union-attr]
        latency = float(re.search(r"latency average = ([\d.]+) ms", output).group(1))  # type: ignore[union-attr]
        return {"clients": clients, "transactions_per_s": tps, "latency_average_ms": latency}

    def prepare_data(self) -> dict[str, int]:
        """The data of S1-S5, once: the parcels (imported unless all there), the zoning (generated unless there),
        the tiles' pieces of the zoning layers (built unless there), fresh planner statistics."""
        if self.zoning is None:
            self.ensure_parcels()
            pieces = int(self.psql("SELECT count(*) FROM geoportal_tiles.zones_pieces"))
            zones = int(self.psql(f"SELECT count(*) FROM parcels_zone WHERE commune_id = {self.commune_id}"))
            self.zoning = self.prepare_zoning()
            if not pieces or not zones or self.options.regenerate_zoning:
                log("building the tiles' pieces of the zoning layers")
                self.manage("tiles_invalidate", "zones", "overlays")
            self.psql("ANALYZE")
        return self.zoning

    def script(self, group: str, command: list[str], env: dict[str, str], writes: tuple[str, ...] = ()) -> None:
        """Run a bench script (streaming its output), keeping its summary lines (`S<n> ...` at a line's start).
        `writes`: result files it writes straight into bench/results/; a --quick run moves them to its own
        folder and puts back the committed ones."""
        log(f"{group}: {' '.join(command[1:])}")
        kept = {name: (COMMITTED / name).read_bytes() for name in writes if (COMMITTED / name).exists()}
        lines: list[str] = []
        with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as process:
            assert process.stdout is not None
            for line in process.stdout:
                print(line, end="", flush=True)
                if re.match(r"[SO]\d ", line):
                    lines.append(line.rstrip("\n"))
        if RESULTS != COMMITTED:
            for name in writes:
                if (COMMITTED / name).exists():
                    shutil.move(COMMITTED / name, RESULTS / name)
                if name in kept:
                    (COMMITTED / name).write_bytes(kept[name])
        if process.returncode != 0:
            lines.append(f"{group}: FAILED (exit {process.returncode}), see the output above")
            print(lines[-1], flush=True)
        self.lines[group] = lines

    def s1_s2(self) -> None:
        self.prepare_data()
        quick = ["--tiles", "300", "--rounds", "1", "--seconds", "3", "--hot-connections", "8"]
        for layer, zooms in TILE_RUNS:
            command = [str(PYTHON), "bench/tiles_bench.py", "--database", self.options.database, "--layer", layer,
                       "--zooms", zooms, "--results", str(RESULTS)]  # fmt: skip
            if self.options.quick:
                command += quick
            self.script(f"S1 S2 {layer}", command, {**os.environ, "PYTHONUNBUFFERED": "1"})

    def s3_s4(self) -> None:
        self.prepare_data()
        command = [str(PYTHON), "bench/ogc_features.py", "--database", self.options.database]
        if self.options.quick:
            command += ["--duration", "3", "--connections", "8"]
        self.script("S3 S4", command, {**os.environ, "PYTHONUNBUFFERED": "1"}, writes=("ogc_S3_S4.json",))

    def s5(self) -> dict[str, Any]:
        zoning = self.prepare_data()
        requests = self.sample_requests()
        directory = WORK / "s5"
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir()
        files: dict[str, tuple[Path, list[Path]]] = {}
        for name, specs in requests.items():
            requests_file = directory / f"{name}.requests"
            requests_file.write_text("".join(f"{method}\t{path}\t{body}\n" for method, path, body, _ in specs))
            scripts = []
            for index, (_, _, _, queries) in enumerate(specs):
                script = directory / f"{name}_{index:03d}.sql"
                script.write_text("".join(f"{one_line(query)};\n" for query in queries))
                scripts.append(script)
            files[name] = (requests_file, scripts)
        (directory / "captured_sql_example.json").write_text(
            json.dumps({name: specs[0][3] for name, specs in requests.items()}, indent=1)
        )
        load_before = os.getloadavg()
        server, port = self.start_server(requests["parcel_at_point"][0][1])
        measurements: dict[str, dict[str, list[dict[str, Any]]]] = {
            name: {"ours": [], "ceiling": []} for name in ENDPOINTS
        }
        seconds = self.options.duration
        try:
            for name in ENDPOINTS:  # every thread of every worker: its connection, caches, prepared statements
                self.wrk(port, files[name][0], max(self.options.connections), WARM_UP_SECONDS)
            for round_number in range(self.options.s5_rounds):
                for name in ENDPOINTS:
                    requests_file, scripts = files[name]
                    for connections in self.options.connections:
                        measurement = self.wrk(port, requests_file, connections, seconds)
                        measurements[name]["ours"].append(measurement)
                        log(f"S5 {name} round {round_number + 1} ours @{connections}: {measurement}")
                    ceiling = self.pgbench(scripts, 8, seconds)
                    measurements[name]["ceiling"].append(ceiling)
                    log(f"S5 {name} round {round_number + 1} pgbench @8: {ceiling}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        summary: dict[str, Any] = {}
        for name in ENDPOINTS:
            per_level = {}
            for connections in self.options.connections:
                runs = [m for m in measurements[name]["ours"] if m["connections"] == connections]
                per_level[str(connections)] = {
                    "requests_per_s": statistics.median(m["requests_per_s"] for m in runs),
                    "p50_ms": round(statistics.median(m["p50_ms"] for m in runs), 3),
                    "p99_ms": round(statistics.median(m["p99_ms"] for m in runs), 3),
                }
            ceiling = statistics.median(m["transactions_per_s"] for m in measurements[name]["ceiling"])
            at_8 = per_level.get("8", next(iter(per_level.values())))
            summary[name] = {
                "ours": per_level,
                "ceiling_pgbench_tps_8_clients": ceiling,
                "share_of_ceiling_at_8": round(at_8["requests_per_s"] / ceiling, 4),
                "queries_per_request": len(requests[name][0][3]),
                "p99_under_10ms_at_8": at_8["p99_ms"] < 10,
            }
            self.report(
                f"S5 {name}: ours {at_8['requests_per_s']:.0f} req/s p50 {at_8['p50_ms']} ms p99 {at_8['p99_ms']} ms"
                f" | pgbench ceiling {ceiling:.0f} tps | ratio {summary[name]['share_of_ceiling_at_8']:.1%}"
                f" | connections 8 (1: {per_level.get('1', {}).get('requests_per_s', 0):.0f} req/s,"
                f" 32: {per_level.get('32', {}).get('requests_per_s', 0):.0f} req/s)"
                f" | size {self.options.parcels:,} parcels, {zoning['zones'] + zoning['overlays']} zones+overlays"
            )
        return {
            "scenario": "S5",
            "what": "parcel at a point, constraints (zones/overlays) of a parcel, zoning pre-check; HTTP API "
            f"(gunicorn gthread, {GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads, preloaded, keep-alive; wrk)"
            " vs pgbench of the same captured SQL (8 clients, 2 threads)",
            "server": " ".join(GUNICORN_OPTIONS),
            "cpus": os.cpu_count(),
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in os.getloadavg()],
            "parcels": self.options.parcels,
            "zoning": zoning,
            "distinct_requests_per_endpoint": len(requests[ENDPOINTS[0]]),
            "duration_s": seconds,
            "summary": summary,
            "runs": measurements,
            # --limits: the throttle on (never refusing: no response may be a 429, `non_2xx` says), else off
            "limits": {
                "throttle": os.environ.get("THROTTLE_ENABLED", "true"),
                **{name: os.environ.get(name, "") for name in LIMITED_SCOPES},
                "non_2xx": sum(m["non_2xx"] for runs in measurements.values() for m in runs["ours"]),
            },
            "goal": "p99 < 10 ms at 8 connections, >= 70% of the ceiling",
        }


def summary_lines(lines: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """This run's summary lines merged into those of earlier runs (bench/results/summary_lines.json)."""
    path = RESULTS / "summary_lines.json"
    kept: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.exists() else {}
    now = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    kept |= {group: {"run": now, "load_average_after": os.getloadavg(), "lines": group_lines}
             for group, group_lines in lines.items()}  # fmt: skip
    ordered = dict(sorted(kept.items()))
    path.write_text(json.dumps(ordered, indent=1) + "\n")
    return ordered


def write_summary(results: dict[str, Any], options: argparse.Namespace, lines_kept: dict[str, Any]) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs; {options.parcels:,} generated parcels;"
        " the same PostgreSQL 15 / PostGIS for ours and the peer. Raw figures: the JSON files beside this one.",
        f"Load average when the run ended: {', '.join(f'{value:.1f}' for value in os.getloadavg())} "
        "(other processes on the machine make the figures noisy; compare ratios, not absolutes).",
        "",
        "## One line per scenario (the latest run of each)",
        "",
    ]
    for group, kept in lines_kept.items():
        lines += [f"- {group} ({kept['run']}, load average after {kept['load_average_after'][0]:.1f}):"]
        lines += [f"  - `{line}`" for line in kept["lines"]]
    lines.append("")
    if "S7" in results:
        s7 = results["S7"]
        lines += [
            "## S7: bulk import (ours: `import_layer parcels`, peer: `ogr2ogr -f PostgreSQL`, alternating)",
            "",
            "| | median wall time (s) | peak RSS (MB) | runs (s) |",
            "|---|---|---|---|",
            f"| ours | {s7['ours_median_s']} | {s7['ours_peak_rss_mb_max']} | "
            f"{', '.join(str(r['seconds']) for r in s7['runs']['ours'])} |",
            f"| ogr2ogr | {s7['peer_median_s']} | {s7['peer_peak_rss_mb_max']} | "
            f"{', '.join(str(r['seconds']) for r in s7['runs']['peer'])} |",
            "",
            f"Speed ratio (ogr2ogr time / our time): **{s7['speed_ratio']}x** (goal >= 1x, peak < 1 GB).",
            "",
        ]
    if "S5" in results:
        s5 = results["S5"]
        lines += [
            "## S5: look-ups and pre-check over HTTP vs the pgbench ceiling of the same SQL",
            "",
            f"Zoning: {s5['zoning']}. {s5['distinct_requests_per_endpoint']} distinct requests per endpoint, "
            f"{s5['duration_s']} s per measurement. Server: gunicorn `{s5.get('server', '')}`. Load average before / "
            f"after S5: {s5.get('load_average_before')} / {s5.get('load_average_after')} on {s5.get('cpus')} CPUs "
            "(PostgreSQL, gunicorn, wrk and other processes share them).",
            "",
            "| endpoint | conns | req/s | p50 ms | p99 ms | pgbench tps (8) | share of ceiling at 8 |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, figures in s5["summary"].items():
            for connections, level in figures["ours"].items():
                share = f"{figures['share_of_ceiling_at_8']:.1%}" if connections == "8" else ""
                ceiling = f"{figures['ceiling_pgbench_tps_8_clients']:.0f}" if connections == "8" else ""
                lines.append(
                    f"| {name} | {connections} | {level['requests_per_s']:.0f} | {level['p50_ms']:.2f} | "
                    f"{level['p99_ms']:.2f} | {ceiling} | {share} |"
                )
        lines.append("")
    (RESULTS / "summary.md").write_text("\n".join(lines))


def limits_apply(*, enabled: bool) -> None:
    """The abuse limits of the servers the bench starts (module docstring); `enabled`: in the path, never refusing."""
    global RESULTS
    if not enabled:  # every request of the load comes from 127.0.0.1: the limits would measure themselves
        os.environ.setdefault("THROTTLE_ENABLED", "false")
        return
    os.environ["THROTTLE_ENABLED"] = "true"
    for name in LIMITED_SCOPES:
        os.environ[name] = LIMITS_RATE
    RESULTS = RESULTS / "with-limits"
    RESULTS.mkdir(parents=True, exist_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS,
                        help="S1 and S2 run together, as S3 and S4 do")  # fmt: skip
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 parcels, 200 zones/overlays, short runs")
    parser.add_argument("--database", default=None, help="default: urbaplan_bench (urbaplan_bench_quick with --quick)")
    parser.add_argument("--hcp-commune", default=DEFAULT_HCP_COMMUNE, help="HCP `cc` code of the commune")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--zones", type=int, default=1_400)
    parser.add_argument("--overlays", type=int, default=600)
    parser.add_argument("--min-vertices", type=int, default=1_000)
    parser.add_argument("--max-vertices", type=int, default=50_000)
    parser.add_argument("--regenerate-zoning", action="store_true", help="new zones/overlays even if some exist")
    parser.add_argument("--s7-rounds", type=int, default=2)
    parser.add_argument("--s5-rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk/pgbench measurement")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--prepare-only", action="store_true", help="prepare the bench database, measure nothing")
    parser.add_argument(
        "--limits", action="store_true", help="the abuse limits in the path (never refusing); results in with-limits/"
    )
    options = parser.parse_args()
    options.database = options.database or ("urbaplan_bench_quick" if options.quick else "urbaplan_bench")
    if options.quick:  # a smoke test: results go under var/bench/, not into the committed bench/results/
        global RESULTS
        RESULTS = WORK / "results-quick"
        options.parcels, options.zones, options.overlays = 20_000, 140, 60
        options.max_vertices, options.duration, options.s5_rounds, options.s7_rounds = 5_000, 3, 1, 2
    limits_apply(enabled=options.limits)
    wanted = set(options.scenarios)
    bench = Bench(options)
    bench.prepare_database()
    bench.prepare_commune()
    if options.prepare_only:
        log(f"bench database ready: {bench.prepare_data()}")
        return
    results: dict[str, Any] = {}
    for path in RESULTS.glob("S[57].json"):
        results[path.stem] = json.loads(path.read_text())
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if "S7" in wanted:  # first: it re-imports the parcels the others read
        bench.group = "S7"
        results["S7"] = bench.s7()
        (RESULTS / "S7.json").write_text(json.dumps(results["S7"], indent=1))
    if wanted & {"S1", "S2"}:
        bench.s1_s2()
    if wanted & {"S3", "S4"}:
        bench.s3_s4()
    if "S5" in wanted:
        bench.group = "S5"
        results["S5"] = bench.s5()
        (RESULTS / "S5.json").write_text(json.dumps(results["S5"], indent=1))
    if "S6" in wanted:
        command = [str(PYTHON), "bench/wms_bench.py"]
        if options.quick:
            command += ["--samples", "4", "--cached-requests", "50"]
        bench.script("S6", command, env, writes=("S6.json",))
    if "S8" in wanted:
        command = [str(PYTHON), "bench/signing_bench.py"]
        if options.quick:
            command += ["--rounds", "2", "--cli-rounds", "1"]
        bench.script("S8", command, env, writes=("S8.json",))
    if "S9" in wanted:
        command = [str(PYTHON), "bench/plans_bench.py"]
        if options.quick:
            command += ["--rounds", "1"]
        bench.script("S9", command, env, writes=("S9.json",))
    if "O1" in wanted:  # its own database of generated files (quick: 20,000, results under var/bench/)
        command = [str(PYTHON), "bench/opendata_bench.py"]
        if options.quick:
            command += ["--count", "20000", "--projects", "5000", "--seconds", "5", "--verify"]
        bench.script("O1", command, env, writes=("O1.json",))
    write_summary(results, options, summary_lines(bench.lines))
    log(f"results in {RESULTS}")


if __name__ == "__main__":
    main()
