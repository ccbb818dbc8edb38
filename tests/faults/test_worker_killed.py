"""A Celery worker killed hard (SIGKILL, the OOM killer) takes its embedded beat with it: its supervisor
(`scripts/worker.sh`) kills the dead worker's process group, so a single beat sends the periodic tasks after the
restart (an orphaned beat would go on sending them next to the new worker's). Real processes, a Redis of the
test's own as the broker, the test database."""

from pathlib import Path

import pytest

from tests.faults.platform import platform_environment, wait_for, worker_start, worker_stop
from tests.faults.redis_server import free_port, redis_server

pytestmark = pytest.mark.django_db(transaction=True)


def processes_with(text: str) -> dict[int, int]:
    """pid -> parent pid of the live processes whose command line holds `text`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            status = (entry / "status").read_text()
        except OSError:
            continue
        if text in command and "State:\tZ" not in status:
            found[int(entry.name)] = int(status.split("PPid:\t", 1)[1].split()[0])
    return found


def family_of(worker: int, text: str) -> bool:
    """Whether the processes running `text` are the worker and its children only (its beat, its pool)."""
    processes = processes_with(text)
    return worker in processes and all(pid == worker or parent == worker for pid, parent in processes.items())


def test_a_worker_killed_hard_leaves_no_beat_behind(tmp_path: Path) -> None:
    with redis_server(tmp_path / "redis") as redis:
        environment = platform_environment(redis=redis, directory=tmp_path, smtp_port=free_port())
        worker = worker_start(environment=environment)
        schedule = f"--schedule={environment['RUN_DIR']}/celerybeat-schedule"
        try:
            first = worker.worker_pid()
            assert family_of(first, schedule), "the worker, its beat and its pool process"
            worker.kill_worker()
            worker.wait_ready(2)
            second = worker.worker_pid()
            assert second != first
            wait_for(
                lambda: family_of(second, schedule),
                "only the new worker's processes",
                10,
                lambda: str(processes_with(schedule)),
            )
            assert worker.log_text().count("beat: Starting") == 2
        finally:
            worker_stop(worker)
