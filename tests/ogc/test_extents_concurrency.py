"""The known extents (`ogc_services.extents`, `extents.json`) are grown by imports in any process, at any time: with
several processes, each with two threads, growing the same layer's extent at once, no growth is lost, no writer
fails, and a reader never meets half a file.

The writers are processes of their own (Django set up afresh, `OGC_CONFIG_DIR` from the environment, the test
database's name for the key of the layer), as serving processes and workers are."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.db import connections

PROCESSES = 4
THREADS = 2
STEPS = 60
START = (-1.0, -1.0, 1.0, 1.0)


def growth(writer: int, step: int) -> tuple[float, float, float, float]:
    """Writer `writer` pushes one side of the box (west, south, east or north) a little further at each step."""
    reach = 1.0 + step + writer / 100  # the two writers of a side end at different reaches: both must be kept
    side = writer % 4
    west, south, east, north = START
    return (
        -reach if side == 0 else west,
        -reach if side == 1 else south,
        reach if side == 2 else east,
        reach if side == 3 else north,
    )


def expected() -> list[float]:
    boxes = [growth(writer, STEPS) for writer in range(PROCESSES * THREADS)]
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


# A writer process: Django set up, then `grow_in_threads(process, start_line)`.
CHILD = (
    "import sys, django; django.setup(); "
    "from django.db import connections; connections['geoportal'].settings_dict['NAME'] = sys.argv[2]; "
    "from tests.ogc.test_extents_concurrency import grow_in_threads; grow_in_threads(int(sys.argv[1]), sys.argv[3])"
)


def grow_in_threads(process: int, start_line: str) -> None:
    """In a writer process: once every writer is ready (`start_line`/ready-<n>, then `go`), two threads growing at
    once; exit code 1 if any growth raised."""
    from ogc_services.extents import extent_grow

    failures: list[BaseException] = []
    line = Path(start_line)
    (line / f"ready-{process}").touch()
    while not (line / "go").exists():
        time.sleep(0.005)

    def writer(index: int) -> None:
        try:
            for step in range(1, STEPS + 1):
                extent_grow(layer_name="parcels", bbox=growth(index, step))
        except BaseException as error:  # reported through the exit code
            failures.append(error)
            print(repr(error), file=sys.stderr)

    threads = [threading.Thread(target=writer, args=(process * THREADS + t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    os._exit(1 if failures else 0)


def read_while_written(path: Path, stop: threading.Event, torn: list[str]) -> None:
    while not stop.is_set():
        try:
            json.loads(path.read_text())
        except FileNotFoundError:
            continue
        except ValueError as error:
            torn.append(str(error))


def test_processes_and_threads_growing_extents_at_once_lose_nothing(settings: Any, tmp_path: Path) -> None:
    settings.OGC_CONFIG_DIR = tmp_path / "ogc"
    settings.OGC_CONFIG_DIR.mkdir()
    key = f"{connections['geoportal'].settings_dict['NAME']}:parcels"
    other = {"bbox": [10.0, 10.0, 11.0, 11.0], "begin": None, "end": None}
    path = settings.OGC_CONFIG_DIR / "extents.json"
    path.write_text(json.dumps({key: {"bbox": list(START), "begin": None, "end": None}, "other:zones": other}))

    environment = {
        **os.environ,
        "OGC_CONFIG_DIR": str(settings.OGC_CONFIG_DIR),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    database = str(connections["geoportal"].settings_dict["NAME"])
    start_line = tmp_path / "start"
    start_line.mkdir()
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(process), database, str(start_line)],
            cwd=django_settings.BASE_DIR,
            env=environment,
            stderr=subprocess.PIPE,
            text=True,
        )
        for process in range(PROCESSES)
    ]
    deadline = time.monotonic() + 120
    while len(list(start_line.glob("ready-*"))) < PROCESSES and time.monotonic() < deadline:
        time.sleep(0.05)
    stop, torn = threading.Event(), list[str]()
    reader = threading.Thread(target=read_while_written, args=(path, stop, torn))
    reader.start()
    (start_line / "go").touch()  # every writer at once
    errors = [child.communicate(timeout=180)[1] for child in children]
    stop.set()
    reader.join()

    assert [child.returncode for child in children] == [0] * PROCESSES, errors
    assert torn == [], "a reader never meets half a file"
    stored = json.loads(path.read_text())
    assert stored[key]["bbox"] == expected(), "every growth of every writer is kept"
    assert stored["other:zones"] == other, "the other layers' extents are kept"
    assert not list(settings.OGC_CONFIG_DIR.glob("*.tmp")), "no temporary file left behind"
