"""Time the S5 look-ups in-process: the selectors and the DRF views (Django test client), over random parcels.

    DATABASE_URL=postgis://.../urbaplan_speed .venv/bin/python bench/profile_lookups.py [--samples 300] [--rounds 2]
    ... --profile "api constraints"     # cProfile of one look-up, written to var/profile_<kind>.pstats
    ... --compare                       # alternate client-side and server-side binding (prepared statements)

A profiling aid next to `make bench` (which measures over HTTP against pgbench): it runs on any database filled
like the bench's (parcels from `generate_parcels`, zoning from `bench.zoning.zoning_generate` followed by
`zone_pieces_refresh` / `overlay_pieces_refresh`), never the dev database unless DATABASE_URL says so.
Prints the data size, then median and p99 per call (ms) for each look-up.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402

django.setup()

import shapely  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def samples(count: int, seed: int) -> list[tuple[int, shapely.Geometry]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed / 1000])
        cursor.execute(
            "SELECT id, ST_AsBinary(geom) FROM parcels_parcel TABLESAMPLE SYSTEM (1) ORDER BY random() LIMIT %s",
            [count],
        )
        return [(parcel_id, shapely.from_wkb(bytes(wkb))) for parcel_id, wkb in cursor.fetchall()]


def calls(rows: list[tuple[int, shapely.Geometry]]) -> dict[str, list[Callable[[], Any]]]:
    from parcels import selectors
    from parcels.precheck import project_from_input, zoning_precheck

    client = Client()
    result: dict[str, list[Callable[[], Any]]] = {
        name: []
        for name in ("selector at_point", "selector constraints", "selector precheck", "api at_point",
                     "api constraints", "api precheck")
    }  # fmt: skip
    for parcel_id, geometry in rows:
        point = shapely.point_on_surface(geometry)
        footprint = shapely.affinity.scale(shapely.get_geometry(geometry, 0), 0.6, 0.6, origin=point)
        project = {
            "footprint": json.loads(shapely.to_geojson(footprint)),
            "height_m": 9,
            "floors": 3,
            "gross_floor_area_m2": round(shapely.area(footprint) * 1e10 * 0.8),
            "use": "residential",
        }
        body = json.dumps({"parcel": parcel_id, "project": project})

        def precheck(parcel_id: int = parcel_id, project: dict[str, Any] = project) -> Any:
            site = selectors.site_of_parcel(parcel_id=parcel_id)
            return zoning_precheck(site=site, project=project_from_input(**project))

        result["selector at_point"].append(partial(selectors.parcels_at_point, x=point.x, y=point.y))
        result["selector constraints"].append(partial(selectors.constraints_for_parcel, parcel_id=parcel_id))
        result["selector precheck"].append(precheck)
        result["api at_point"].append(partial(client.get, f"/api/parcels/at/?lon={point.x:.8f}&lat={point.y:.8f}"))
        result["api constraints"].append(partial(client.get, f"/api/parcels/{parcel_id}/constraints/"))
        result["api precheck"].append(
            partial(client.post, "/api/precheck/", data=body, content_type="application/json")
        )
    return result


def timed(functions: list[Callable[[], Any]]) -> list[float]:
    times = []
    for function in functions:
        started = time.perf_counter()
        response = function()
        times.append((time.perf_counter() - started) * 1000)
        status = getattr(response, "status_code", 200)
        if status != 200:
            raise RuntimeError(f"status {status}: {response.content[:300]!r}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", help="name of one look-up to profile, e.g. 'api constraints'")
    parser.add_argument("--compare", action="store_true", help="alternate client and server-side binding")
    options = parser.parse_args()
    print("database options:", connection.settings_dict["OPTIONS"])
    rows = samples(options.samples, options.seed)
    kinds = calls(rows)
    for functions in kinds.values():  # warm: caches, connection, prepared statements
        timed(functions[:20])
    if options.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        timed(kinds[options.profile])
        profiler.disable()
        output = ROOT / "var" / f"profile_{options.profile.replace(' ', '_')}.pstats"
        profiler.dump_stats(output)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM parcels_parcel")
        parcels = cursor.fetchone()[0]
        cursor.execute("SELECT count(*), sum(ST_NPoints(geom)) FROM parcels_zone")
        zones, zone_vertices = cursor.fetchone()
        cursor.execute("SELECT count(*), sum(ST_NPoints(effective_geom)) FROM parcels_overlay")
        overlays, overlay_vertices = cursor.fetchone()
    print(f"data: {parcels:,} parcels, {zones} zones ({zone_vertices:,} vertices), {overlays} overlays "
          f"({overlay_vertices:,} vertices); {len(rows)} distinct parcels, {options.rounds} rounds")  # fmt: skip
    modes = {"as configured": dict(connection.settings_dict["OPTIONS"])}
    if options.compare:
        modes = {
            "client binding": {},
            "server binding, prepared": {"server_side_binding": True, "prepare_threshold": 2},
        }
    results: dict[tuple[str, str], list[float]] = {(mode, name): [] for mode in modes for name in kinds}
    for _ in range(options.rounds):  # interleaved, so machine noise spreads over every kind and mode
        for batch in range(0, len(rows), 50):
            for mode, database_options in modes.items():
                if options.compare:
                    connection.close()
                    connection.settings_dict["OPTIONS"] = dict(database_options)
                    for functions in kinds.values():
                        timed(functions[:3])
                for name, functions in kinds.items():
                    results[mode, name].extend(timed(functions[batch : batch + 50]))
    for (mode, name), times in results.items():
        times.sort()
        p99 = times[min(len(times) - 1, round(0.99 * len(times)) - 1)]
        print(f"{mode:26s} {name:22s} median {statistics.median(times):7.2f} ms   p99 {p99:7.2f} ms   n={len(times)}")


if __name__ == "__main__":
    main()
