"""The generated WMS configuration is written safely by concurrent requests: the first requests of a fresh server
(gunicorn threads of one process, and other processes) all regenerate it at once, and none fails on another's
temporary file (found by the fault test: a 500 on `/ows/` right after the start)."""

import threading
from pathlib import Path

import pytest

from ogc_services.wms.configuration import FINGERPRINT_FILE, configuration_write

pytestmark = pytest.mark.django_db


def write_when_all_are_ready(start: threading.Barrier, failures: list[BaseException]) -> None:
    start.wait()
    try:
        configuration_write()
    except OSError as error:  # collected for the assertion
        failures.append(error)


def test_threads_writing_the_configuration_at_once_all_succeed(wms_directory: Path) -> None:
    threads, rounds = 8, 5
    failures: list[BaseException] = []
    for _ in range(rounds):
        start = threading.Barrier(threads)
        workers = [threading.Thread(target=write_when_all_are_ready, args=(start, failures)) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    assert failures == []
    assert (wms_directory / FINGERPRINT_FILE).exists()
    assert not list(wms_directory.glob(".*.tmp")), "no temporary file left behind"
