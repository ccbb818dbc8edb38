"""The known extents (`ogc_services.extents`, `extents.json`) are grown by imports in any process, at any time: with
several processes, each with two threads, growing the same layer's extent at once, no growth is lost, no writer
fails, and a reader never meets half a file."""

import json
import multiprocessing
import os
import threading
from pathlib import Path
from typing import Any

from django.db import connections

from ogc_services.extents import extent_grow

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


def grow_in_threads(process: int) -> None:
    """A child process: two threads growing at once; exit code 1 if any growth raised."""
    failures: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            for step in range(1, STEPS + 1):
                extent_grow(layer_name="parcels", bbox=growth(index, step))
        except BaseException as error:  # reported through the exit code
            failures.append(error)

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

    context = multiprocessing.get_context("fork")
    children = [context.Process(target=grow_in_threads, args=(process,)) for process in range(PROCESSES)]
    for child in children:
        child.start()
    stop, torn = threading.Event(), []
    reader = threading.Thread(target=read_while_written, args=(path, stop, torn))  # after the forks
    reader.start()
    for child in children:
        child.join(timeout=120)
    stop.set()
    reader.join()

    assert [child.exitcode for child in children] == [0] * PROCESSES, "no writer failed"
    assert torn == [], "a reader never meets half a file"
    stored = json.loads(path.read_text())
    assert stored[key]["bbox"] == expected(), "every growth of every writer is kept"
    assert stored["other:zones"] == other, "the other layers' extents are kept"
    assert sorted(p.name for p in settings.OGC_CONFIG_DIR.iterdir()) == ["extents.json", "extents.lock"]
