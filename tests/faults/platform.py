"""The platform as `make run` runs it, in processes of the test's own: the web app under gunicorn and the Celery
worker (with beat) under its supervisor (`scripts/worker.sh`), both on the test database and a Redis of the test's
(broker, result backend and tile cache), their files (WMS, OGC API, documents, pids, logs) under a temporary folder.
Everything listens on 127.0.0.1 only."""

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection, connections

from tests.faults.redis_server import RedisServer, free_port

WORKER_SCRIPT = Path(settings.BASE_DIR) / "scripts" / "worker.sh"
GUNICORN = Path(settings.BASE_DIR) / ".venv" / "bin" / "gunicorn"
BROKER_DATABASE = 1


def wait_for(condition: Callable[[], bool], what: str, timeout: float, details: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{details()}")
        time.sleep(0.1)


def platform_environment(*, redis: RedisServer, directory: Path, smtp_port: int) -> dict[str, str]:
    """The environment of the web and worker processes: the test database, the test's Redis, SMTP and folders."""
    database = connection.settings_dict
    reader = connections["geoportal"].settings_dict  # the test database's mirror, as the read-only role
    credentials = quote(str(database.get("USER") or ""), safe="")
    if database.get("PASSWORD"):
        credentials += ":" + quote(str(database["PASSWORD"]), safe="")
    host = str(database.get("HOST") or "127.0.0.1")
    server = f"{quote(host, safe='') if host.startswith('/') else host}:{database.get('PORT') or 5432}"  # a socket
    broker = redis.url(BROKER_DATABASE)
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": f"postgis://{credentials}@{server}/{quote(str(database['NAME']), safe='')}",
        "GEOPORTAL_DATABASE_URL": "",  # the same server and database, as:
        "GEOPORTAL_DATABASE_USER": str(reader.get("USER") or "geoportal_reader"),
        "GEOPORTAL_DATABASE_PASSWORD": str(reader.get("PASSWORD") or ""),
        "REDIS_URL": redis.url(0),
        "TILES_CACHE_URL": redis.url(0),
        "TILES_CACHE_RETRY_AFTER_SECONDS": "1",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CELERY_CONCURRENCY": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
        "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
        "NOTIFICATIONS_RETRY_MAX_SECONDS": "5",
        "WMS_DIR": str(directory / "wms"),
        "WMS_CACHE_DIR": str(directory / "wms" / "cache"),
        "WMS_RASTER_DIR": str(directory / "wms" / "rasters"),
        "WMS_DEMO": "false",
        "OGC_CONFIG_DIR": str(directory / "ogc"),
        "MEDIA_DIR": str(directory / "media"),
        "RUN_DIR": str(directory / "run"),
        "LOG_DIR": str(directory / "log"),
        "LOG_LEVEL": "WARNING",
    }


@dataclass
class WebServer:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def web_start(*, environment: dict[str, str], directory: Path, workers: int, threads: int) -> WebServer:
    port = free_port()
    log = directory / "gunicorn.log"
    command = [
        str(GUNICORN),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "5",
        "--timeout",
        "120",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    server = WebServer(process=process, url=f"http://127.0.0.1:{port}", log=log)

    def answers() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited ({process.returncode}):\n{server.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/tiles/", timeout=5) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    wait_for(answers, "gunicorn to answer", 90, lambda: server.log_text()[-3000:])
    return server


def web_stop(server: WebServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@dataclass
class SupervisedWorker:
    """The worker under `scripts/worker.sh`: its own session (killed whole at the end), pid files and log."""

    starter: subprocess.Popen[bytes]
    run_dir: Path
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def starts(self) -> int:
        """How many times a worker process became ready."""
        return self.log_text().count(" ready.")

    def worker_pid(self) -> int:
        return int((self.run_dir / "celery-worker.pid").read_text().strip())

    def kill_worker(self) -> int:
        """SIGKILL the worker process (a crash): its supervisor starts another one. Returns the dead pid."""
        pid = self.worker_pid()
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_ready(self, starts: int, timeout: float = 90) -> None:
        wait_for(lambda: self.starts() >= starts, f"worker start #{starts}", timeout, lambda: self.log_text()[-3000:])


def worker_start(*, environment: dict[str, str]) -> SupervisedWorker:
    starter = subprocess.Popen(
        ["bash", str(WORKER_SCRIPT)], cwd=settings.BASE_DIR, env=environment, start_new_session=True
    )
    starter.wait(timeout=30)
    worker = SupervisedWorker(
        starter=starter, run_dir=Path(environment["RUN_DIR"]), log=Path(environment["LOG_DIR"]) / "celery.log"
    )
    worker.wait_ready(1)
    return worker


def worker_stop(worker: SupervisedWorker) -> None:
    """Stop the supervisor (what `make stop` does), then whatever is left of the session it started."""
    supervisor = worker.run_dir / "celery.pid"
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(supervisor.read_text().strip()), signal.SIGTERM)
        time.sleep(2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.starter.pid, signal.SIGKILL)  # the session the script started: its own process group
