"""The Celery worker that `make run` starts is supervised (`scripts/worker.sh`): a worker that dies is started
again, and stopping the supervisor stops the worker for good. Real processes, a real Redis broker."""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

WORKER_SCRIPT = Path(settings.BASE_DIR) / "scripts" / "worker.sh"
TEST_BROKER_DATABASE = "15"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


@pytest.fixture
def supervised_worker(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    broker = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + f"/{TEST_BROKER_DATABASE}"
    environment = {
        **os.environ,
        "RUN_DIR": str(tmp_path / "run"),
        "LOG_DIR": str(tmp_path / "log"),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CELERY_CONCURRENCY": "1",
    }
    starter = subprocess.Popen(["bash", str(WORKER_SCRIPT)], env=environment, start_new_session=True)
    starter.wait(timeout=30)
    try:
        yield tmp_path / "run", tmp_path / "log" / "celery.log"
    finally:
        with contextlib.suppress(ProcessLookupError):  # nothing left is the normal case
            os.killpg(starter.pid, signal.SIGKILL)  # whatever is left of the session the script started


def test_a_dead_worker_is_started_again_and_stopping_the_supervisor_stops_it(
    supervised_worker: tuple[Path, Path],
) -> None:
    run_dir, log = supervised_worker
    supervisor = read_pid(run_dir / "celery.pid")
    assert supervisor is not None and alive(supervisor)
    wait_for(lambda: log.exists() and log.read_text().count(" ready.") == 1, "the worker to be ready")
    first = read_pid(run_dir / "celery-worker.pid")
    assert first is not None and alive(first)

    os.kill(first, signal.SIGKILL)  # a crash the worker cannot handle
    wait_for(lambda: log.read_text().count(" ready.") == 2, "the worker to be started again and ready")
    second = read_pid(run_dir / "celery-worker.pid")
    assert second is not None and second != first and alive(second)
    assert "supervisor: the celery worker exited" in log.read_text()

    os.kill(supervisor, signal.SIGTERM)  # what `make stop` does
    wait_for(lambda: not alive(supervisor) and not alive(second), "the supervisor and the worker to stop")
    time.sleep(3)  # longer than the supervisor's pause before a restart
    assert read_pid(run_dir / "celery-worker.pid") == second
