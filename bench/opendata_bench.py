"""O1, the open-data portal at scale (issue 13): generated files, the indicator refresh, the dashboard JSON under
load, and the authorised projects' GeoPackage and GeoParquet against ogr2ogr and geopandas, in one run.

- data: a database of its own (`urbaplan_bench_o1`, `urbaplan_bench_o1_quick` below 1M files, on the server of
  DATABASE_URL), created and migrated here, with the procedure catalogue, the 13 communes of Skhirate-Témara (HCP
  `cc` 501...) under one province and region (the tests' demo commune without ../shared), and `--count` files
  from `generate_dossiers` over `--days`; dropped at the end unless `--keep`.
- refresh, each in its own process: the nightly one first, `opendata_refresh --date <yesterday>` (the day, its
  month and its year to date: what the dashboard reads), and last `--from <first day> --to <yesterday>` (every
  day, then each month and year): wall time and peak RSS of the process (GNU time; PostgreSQL's own memory is
  not in it), and the refresh's own time from its `RefreshRun` rows (without the process's start-up).
- dashboard: `/opendata/dashboard.json` with six filter combinations, served by gunicorn as S5 (gthread, 2 x 4,
  preloaded), under wrk at `--connections` after a warm-up; p50, p99, requests/s.
- downloads: the authorised projects cut to `--projects` (the others set back to `signed` after the refresh
  figures), each format from a fresh gunicorn (the same options): time to the last byte, and the growth of the
  serving worker's peak RSS (`VmHWM`); in the same run, `ogr2ogr -f GPKG` and `geopandas.to_parquet` (after
  `read_postgis`) on the very SQL of our batches without its keyset, as `geoportal_reader`, wall time and peak RSS.
The load average of the machine is recorded with each figure. Alone:

    .venv/bin/python bench/opendata_bench.py [--count 1000000] [--projects 200000] [--keep]

Results in bench/results/O1.json (O1-quick.json under var/bench/ with `--count` below 1,000,000).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.plan_viewer_bench import database_create, database_drop, database_url, libpq  # noqa: E402
from bench.run import COMMITTED, PYTHON, WORK, Bench, log, run, timed  # noqa: E402

DATABASE = "urbaplan_bench_o1"  # urbaplan_bench_o1_quick below FULL_COUNT files, so both may run at once
FULL_COUNT = 1_000_000
HCP_COMMUNES = Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data")) / "morocco"
PROVINCE_CC = (50_100_000, 50_200_000)  # Skhirate-Témara's communes
FILTERS = (  # the dashboard's selections measured, `{commune}` and `{month}` filled in
    "",
    "period={month}",
    "territory=O1-PROV",
    "territory={commune}&period={month}",
    "procedure=building-permit",
    "territory=O1-REG&procedure=building-permit&period={month}",
)
GEOPANDAS_PEER = """
import sys, geopandas, psycopg
with psycopg.connect(sys.argv[1]) as connection:
    frame = geopandas.read_postgis(sys.argv[2], connection, geom_col="geometry", crs="EPSG:4326")
frame.to_parquet(sys.argv[3], compression="zstd")
print(len(frame))
"""


def load_average() -> list[float]:
    return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]


def territories_load() -> str:
    """The communes (and their province and region); the code of the largest commune."""
    import django

    django.setup()
    from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
    from django.core.management import call_command

    from gis_core.models import Territory, TerritoryLevel

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_procedures", verbosity=0)
    source = HCP_COMMUNES / "hcp_admin_2014.gpkg"
    if not source.exists():
        from tests.permits.factories import commune_tree

        return str(commune_tree("O1").code)
    import pyogrio.raw

    low, high = PROVINCE_CC
    _meta, _fids, geometries, (codes, names) = pyogrio.raw.read(
        source, layer="communes", columns=["cc", "com_fr"], where=f"cc >= {low} AND cc < {high}"
    )
    read = [GEOSGeometry(memoryview(wkb), srid=4326) for wkb in geometries]
    shapes = [shape if isinstance(shape, MultiPolygon) else MultiPolygon(shape, srid=4326) for shape in read]
    union = shapes[0].unary_union
    for shape in shapes[1:]:
        union = union.union(shape)
    whole = union if isinstance(union, MultiPolygon) else MultiPolygon(union, srid=4326)
    region = Territory.objects.create(
        level=TerritoryLevel.REGION, code="O1-REG", name_fr="Région O1", geom=whole, area_m2=0
    )
    province = Territory.objects.create(
        level=TerritoryLevel.PROVINCE, code="O1-PROV", name_fr="Skhirate-Témara", parent=region, geom=whole, area_m2=0
    )
    for code, name, shape in zip(codes, names, shapes, strict=True):
        Territory.objects.create(
            level=TerritoryLevel.COMMUNE, code=str(int(code)), name_fr=name, parent=province, geom=shape, area_m2=0
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE gis_core_territory SET area_m2 = ST_Area(geom::geography)")
    largest = Territory.objects.filter(level=TerritoryLevel.COMMUNE).order_by("-area_m2").first()
    assert largest is not None
    return largest.code


class OpendataBench:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.env = {
            **os.environ, "DATABASE_URL": database_url(options.database), "DJANGO_DEBUG": "0", "PYTHONUNBUFFERED": "1",
            "CELERY_BROKER_URL": "redis://127.0.0.1:9/0", "CELERY_RESULT_BACKEND": "redis://127.0.0.1:9/0",
            "THROTTLE_ENABLED": "false", "DJANGO_SETTINGS_MODULE": "config.settings",
        }  # fmt: skip
        self.server = Bench(argparse.Namespace(database=options.database))
        self.server.env = self.env
        self.pg_url = libpq(database_url(options.database))
        self.today = date.today()
        self.first_day = self.today - timedelta(days=options.days)
        self.port = 0

    def manage(self, *arguments: str) -> dict[str, Any]:
        figures: dict[str, Any] = timed([str(PYTHON), str(ROOT / "manage.py"), *arguments], self.env)
        return {**figures, "load_average": load_average()}

    def psql(self, sql: str) -> str:
        return run(["psql", self.pg_url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]).strip()

    def counts(self) -> dict[str, int]:
        tables = ("permits_dossier", "permits_auditevent", "permits_consultation", "commissions_session",
                  "commissions_slot", "commissions_booking", "commissions_examination")  # fmt: skip
        return {table: int(self.psql(f'SELECT count(*) FROM "{table}"')) for table in tables}

    def generate(self) -> dict[str, Any]:
        log(f"generating {self.options.count:,} files over {self.options.days} days")
        figures = self.manage("generate_dossiers", "--count", str(self.options.count), "--seed",
                              str(self.options.seed), "--days", str(self.options.days),
                              "--from", self.first_day.isoformat())  # fmt: skip
        figures["rows"] = self.counts()
        log(f"generated: {figures}")
        started = time.monotonic()
        self.psql("VACUUM ANALYZE")
        figures["vacuum_analyze_seconds"] = round(time.monotonic() - started, 1)
        if self.options.verify:
            figures["verify_audit"] = self.manage("verify_audit")
            log(f"verify_audit: {figures['verify_audit']}")
        return figures

    def runs_seconds(self, after: int) -> dict[str, float]:
        """The refresh's own time (its `RefreshRun` rows after id `after`, per period), without the process's
        start-up (Django's, ~5 s, up to 20 s on the loaded machine) that the nightly task in a worker does not pay."""
        rows = self.psql(
            "SELECT period, sum(extract(epoch FROM finished_at - started_at)) FROM opendata_refreshrun "
            f"WHERE id > {after} AND outcome = 'succeeded' GROUP BY period"
        )
        return {period: round(float(seconds), 2) for period, seconds in (row.split("|") for row in rows.splitlines())}

    def last_run(self) -> int:
        return int(self.psql("SELECT coalesce(max(id), 0) FROM opendata_refreshrun"))

    def one_day(self) -> dict[str, Any]:
        """The nightly refresh: yesterday, then its month and its year to date (what the dashboard reads)."""
        yesterday, after = self.today - timedelta(days=1), self.last_run()
        nightly = self.manage("opendata_refresh", "--date", yesterday.isoformat())
        nightly["refresh_seconds_by_period"] = self.runs_seconds(after)
        log(f"one-day refresh: {nightly}")
        return nightly

    def full(self) -> dict[str, Any]:
        """Every day of the span, then each month and year; stopped after `--full-timeout` seconds (reported)."""
        yesterday = self.today - timedelta(days=1)
        log(f"full refresh {self.first_day} .. {yesterday}")
        after = self.last_run()
        command = ["/usr/bin/time", "-v", str(PYTHON), str(ROOT / "manage.py"), "opendata_refresh", "--from",
                   self.first_day.isoformat(), "--to", yesterday.isoformat()]  # fmt: skip
        started = time.monotonic()
        process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)  # fmt: skip
        try:
            _out, errors = process.communicate(timeout=self.options.full_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            done = int(
                self.psql(f"SELECT count(*) FROM opendata_refreshrun WHERE id > {after} AND outcome = 'succeeded'")
            )
            figures = {"finished": False, "stopped_after_seconds": self.options.full_timeout, "runs_done": done,
                       "refresh_seconds_by_period": self.runs_seconds(after)}  # fmt: skip
            log(f"full refresh stopped: {figures}")
            return {**figures, "load_average": load_average()}
        if process.returncode != 0:
            raise RuntimeError(f"opendata_refresh failed:\n{errors[-3000:]}")
        peak_kb = float(re.search(r"Maximum resident set size \(kbytes\): (\d+)", errors).group(1))  # type: ignore[union-attr]
        figures = {
            "finished": True, "seconds": round(time.monotonic() - started, 2), "peak_rss_mb": round(peak_kb / 1024, 1),
            "days": (yesterday - self.first_day).days + 1, "load_average": load_average(),
            "snapshot_rows": int(self.psql("SELECT count(*) FROM opendata_indicatorsnapshot")),
            "refresh_seconds_by_period": self.runs_seconds(after),
        }  # fmt: skip
        log(f"full refresh: {figures}")
        return figures

    def requests_file(self, commune: str) -> Path:
        month = (self.today - timedelta(days=1)).strftime("%Y-%m")
        path = WORK / "o1-dashboard-requests.txt"
        lines = [f"GET\t/opendata/dashboard.json?{query.format(commune=commune, month=month)}\t" for query in FILTERS]
        path.write_text("\n".join(lines) + "\n")
        return path

    def dashboard(self, commune: str) -> dict[str, Any]:
        requests = self.requests_file(commune)
        for line in requests.read_text().splitlines():  # each answers 200 before it is measured
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{line.split(chr(9))[1]}") as response:
                assert response.status == 200, line
        self.server.wrk(self.port, requests, self.options.connections, 3)  # warm-up
        figures = self.server.wrk(self.port, requests, self.options.connections, self.options.seconds)
        figures["load_average"] = load_average()
        log(f"dashboard.json: {figures}")
        return figures

    def projects_cut(self) -> int:
        """Keep the first `--projects` authorised projects published; the others go back to `signed`."""
        self.psql(
            "UPDATE permits_dossier SET status = 'signed' WHERE id IN (SELECT id FROM geoportal.authorised_projects "
            f"ORDER BY id OFFSET {self.options.projects})"
        )
        self.psql("VACUUM ANALYZE permits_dossier")
        return int(self.psql("SELECT count(*) FROM geoportal.authorised_projects"))

    def workers_peak_kb(self, master: int) -> dict[int, int]:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        peaks = {}
        for child in children:
            status = Path(f"/proc/{child}/status").read_text()
            peaks[int(child)] = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
        return peaks

    def ours(self, extension: str, directory: Path) -> dict[str, Any]:
        """One download from a fresh gunicorn: seconds to the last byte, bytes, growth of the workers' peak RSS."""
        server, port = self.server.start_server("/opendata/dashboard.json")
        try:
            before = self.workers_peak_kb(server.pid)
            target = directory / f"ours.{extension}"
            started = time.monotonic()
            url = f"http://127.0.0.1:{port}/opendata/datasets/authorised-projects.{extension}"
            with urllib.request.urlopen(url, timeout=1800) as response, target.open("wb") as output:
                while chunk := response.read(1 << 20):
                    output.write(chunk)
            seconds = time.monotonic() - started
            after = self.workers_peak_kb(server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        growth = max(after[pid] - before.get(pid, 0) for pid in after)
        return {
            "seconds": round(seconds, 2), "bytes": target.stat().st_size,
            "worker_peak_rss_mb": round(max(after.values()) / 1024, 1),
            "worker_peak_rss_growth_mb": round(growth / 1024, 1), "load_average": load_average(),
        }  # fmt: skip

    def peers(self, directory: Path) -> dict[str, Any]:
        from gis_core.sql_files import sql_text

        batch = sql_text("opendata.downloads", "authorised_projects_batch")
        query = re.sub(r"WHERE \"id\" > %\(after\)s\s+ORDER BY \"id\"\s+LIMIT %\(limit\)s", 'ORDER BY "id"', batch)
        query = re.sub(r"--[^\n]*", "", query).strip()
        password = os.environ.get("GEOPORTAL_DATABASE_PASSWORD", "")
        user = os.environ.get("GEOPORTAL_DATABASE_USER", "geoportal_reader")
        parts = urlsplit(self.pg_url)
        netloc = f"{user}:{password}@{parts.hostname}:{parts.port or 5432}" if password else f"{user}@{parts.netloc}"
        reader = urlunsplit(parts._replace(netloc=netloc))
        gpkg = directory / "ogr2ogr.gpkg"
        ogr: dict[str, Any] = timed(["ogr2ogr", "-f", "GPKG", str(gpkg), f"PG:{reader}", "-sql", query, "-nln",
                     "authorised_projects", "-nlt", "MULTIPOLYGON", "-a_srs", "EPSG:4326"], self.env)  # fmt: skip
        ogr.update(bytes=gpkg.stat().st_size, load_average=load_average())
        parquet = directory / "geopandas.parquet"
        pandas: dict[str, Any] = timed([str(PYTHON), "-c", GEOPANDAS_PEER, reader, query, str(parquet)], self.env)
        pandas.update(bytes=parquet.stat().st_size, load_average=load_average())
        return {"ogr2ogr_gpkg": ogr, "geopandas_to_parquet": pandas}

    def downloads(self) -> dict[str, Any]:
        projects = self.projects_cut()
        log(f"downloads of {projects:,} authorised projects")
        with tempfile.TemporaryDirectory(prefix="o1-", dir=WORK) as name:
            directory = Path(name)
            figures: dict[str, Any] = {"projects": projects}
            figures["ours_gpkg"] = self.ours("gpkg", directory)
            figures["ours_parquet"] = self.ours("parquet", directory)
            figures.update(self.peers(directory))
        log(f"downloads: {figures}")
        return figures


def summary(result: dict[str, Any]) -> list[str]:
    refresh, dashboard, downloads = result["refresh"], result["dashboard"], result["downloads"]
    full, nightly = refresh["full"], refresh["one_day"]
    ours_gpkg, ogr = downloads["ours_gpkg"], downloads["ogr2ogr_gpkg"]
    ours_parquet, pandas = downloads["ours_parquet"], downloads["geopandas_to_parquet"]
    files = f"{result['count']:,} files"
    full_line = (
        f"full ({full['days']} days + months + years) {full['seconds']} s, peak RSS {full['peak_rss_mb']} MB"
        if full["finished"]
        else f"full NOT FINISHED in {full['stopped_after_seconds']} s ({full['runs_done']} periods done)"
    )
    return [
        f"O1 refresh, {files}: {full_line} (goal < 180 s); one day (day, month, year to date) "
        f"{nightly['seconds']} s with the process's start-up, "
        f"{sum(nightly.get('refresh_seconds_by_period', {}).values()):.1f} s of refresh (goal < 10), "
        f"peak RSS {nightly['peak_rss_mb']} MB (goal < 1024); generation "
        f"{result['generate']['seconds']} s; load {full['load_average'][0]}",
        f"O1 dashboard.json, {files}: p99 {dashboard['p99_ms']} ms (goal < 100), p50 {dashboard['p50_ms']} ms, "
        f"{dashboard['requests_per_s']:.0f} req/s at {dashboard['connections']} connections; "
        f"load {dashboard['load_average'][0]}",
        f"O1 GeoPackage, {downloads['projects']:,} projects: ours {ours_gpkg['seconds']} s, worker peak "
        f"+{ours_gpkg['worker_peak_rss_growth_mb']} MB; ogr2ogr {ogr['seconds']} s, {ogr['peak_rss_mb']} MB; "
        f"ratio {ogr['seconds'] / ours_gpkg['seconds']:.2f} (> 1: ours faster)",
        f"O1 GeoParquet, {downloads['projects']:,} projects: ours {ours_parquet['seconds']} s, worker peak "
        f"+{ours_parquet['worker_peak_rss_growth_mb']} MB; geopandas {pandas['seconds']} s, {pandas['peak_rss_mb']} "
        f"MB; ratio {pandas['seconds'] / ours_parquet['seconds']:.2f} (> 1: ours faster)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=FULL_COUNT, help="files generated")
    parser.add_argument("--projects", type=int, default=200_000, help="authorised projects downloaded")
    parser.add_argument("--days", type=int, default=365, help="filing days spread over this many days")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20, help="wrk measurement of the dashboard")
    parser.add_argument("--verify", action="store_true", help="time verify_audit over the generated chain too")
    parser.add_argument("--full-timeout", type=int, default=3600, help="seconds the full refresh may take")
    parser.add_argument("--keep", action="store_true", help="keep the database (urbaplan_bench_o1[_quick])")
    options = parser.parse_args()
    options.database = DATABASE if options.count >= FULL_COUNT else f"{DATABASE}_quick"
    server_url = database_url("postgres")
    database_create(options.database)
    os.environ.update(
        DATABASE_URL=database_url(options.database), DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings",
        CELERY_BROKER_URL="redis://127.0.0.1:9/0", CELERY_RESULT_BACKEND="redis://127.0.0.1:9/0",
    )  # fmt: skip
    bench = OpendataBench(options)
    target = COMMITTED / "O1.json" if options.count >= FULL_COUNT else WORK / "O1-quick.json"
    result: dict[str, Any] = {}

    def save() -> None:  # after each stage: a run stopped half-way keeps its figures
        target.write_text(json.dumps(result, indent=1))

    try:
        commune = territories_load()
        result.update(count=options.count, days=options.days, seed=options.seed, cores=os.cpu_count(),
                      started_load_average=load_average())  # fmt: skip
        result["generate"] = bench.generate()
        save()
        result["refresh"] = {"one_day": bench.one_day()}
        save()
        server, bench.port = bench.server.start_server("/opendata/dashboard.json")
        try:
            result["dashboard"] = bench.dashboard(commune)
            save()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        result["downloads"] = bench.downloads()
        save()
        result["refresh"]["full"] = bench.full()  # last: the longest, bounded by --full-timeout
        result["summary"] = summary(result)
        save()
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            database_drop(server_url, options.database)
    for line in result["summary"]:
        print(line, flush=True)
    log(f"results in {target}")


if __name__ == "__main__":
    main()
