"""S9, the viewer case (issue 12): page 1 of a 50-page, ~50 MB plan SHOWN by our plan viewer (PDF.js in Debian's
Chromium, driven by Playwright) over loopback, against the same viewer opening the same file once fully downloaded.

- data: a database of its own (`urbaplan_bench_s9_viewer` on the server of DATABASE_URL), created and migrated here,
  holding a file under instruction whose architectural plans are the 50 MB plan of `tests/plans/plan_files.py`, and
  its desk agent signed in (a session that passed the second factor); documents in a temporary directory; the
  database is dropped at the end. Celery's broker points at a closed port: nothing is enqueued for another worker.
  The throttle is off, as in bench/run.py (every request comes from 127.0.0.1).
- server: the whole Django application (`config.wsgi`, DEBUG off, static files by WhiteNoise) in a threaded WSGI
  server on two loopback ports: as it is (the viewer asks for the chunks that open the plan in one request of
  several ranges, then for 16 KB chunks as PDF.js needs them, contiguous ones in one request), and behind a wrapper
  that drops the request's `Range` and the answer's `Accept-Ranges`, so that the whole file is downloaded before
  PDF.js opens it (the peer: same viewer, same page, same server, same run).
- each round, for each: a new browser context (cold cache) opens `/office/files/<id>/plans/?document=<doc>`; the
  time is the stage's `data-first-page-shown` (ms from navigation start to page 1 drawn, set by `plan_view.js`);
  the bytes the server wrote for the document up to that instant, and its requests, are counted by the server.
Run by `bench/plans_bench.py` in a process of its own; alone: `.venv/bin/python bench/plan_viewer_bench.py
--pages 50 --hatch-bytes 1000000 [--rounds 5]` (prints its result as JSON on its last line).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "urbaplan_bench_s9_viewer"
SHOWN = "() => document.getElementById('plan-stage').dataset.firstPageShown !== undefined"


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def libpq(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def database_create(name: str = DATABASE) -> None:
    """A new, empty PostGIS database `name` on the server of DATABASE_URL (dropped first if it exists)."""
    import psycopg

    with psycopg.connect(libpq(database_url("postgres")), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(libpq(database_url(name)), autocommit=True) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def database_drop(server_url: str, name: str = DATABASE) -> None:
    import psycopg

    with psycopg.connect(libpq(server_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class DocumentBytes:
    """WSGI wrapper counting, with their time, the bytes written for one path (the document's download)."""

    def __init__(self, application: Any, path: str) -> None:
        self.application, self.path = application, path
        self.lock = threading.Lock()
        self.writes: list[tuple[float, int]] = []  # (time.time(), bytes) of each chunk
        self.requests: list[float] = []  # time.time() of each request

    def reset(self) -> None:
        with self.lock:
            self.writes, self.requests = [], []

    def until(self, instant: float) -> tuple[int, int]:
        """Bytes written and requests started before `instant` (seconds since the epoch)."""
        with self.lock:
            return sum(size for at, size in self.writes if at <= instant), sum(at <= instant for at in self.requests)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path:
            return self.application(environ, start_response)
        with self.lock:
            self.requests.append(time.time())
        return self._counted(self.application(environ, start_response))

    def _counted(self, body: Iterable[bytes]) -> Iterator[bytes]:
        try:
            for chunk in body:
                with self.lock:
                    self.writes.append((time.time(), len(chunk)))
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()


def without_ranges(application: Any) -> Any:
    """The application as a server without Range support: `Range` and `If-Range` dropped, no `Accept-Ranges`."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ = {key: value for key, value in environ.items() if key not in ("HTTP_RANGE", "HTTP_IF_RANGE")}

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            return start_response(status, [(k, v) for k, v in headers if k.lower() != "accept-ranges"], *exc_info)

        return application(environ, start)

    return wrapped


def plan_file(data: bytes) -> tuple[int, int, str]:
    """A file under instruction whose architectural plans are `data`: (file id, document id, desk agent's session)."""
    from django.test import Client

    from permits import services
    from permits.models import DossierStatus, RequiredDocument
    from tests.permits.factories import DossierFactory, ProcedureFactory, advance, staff_for, upload_file
    from web.accounts.middleware import SESSION_CACHE_KEY

    procedure = ProcedureFactory.create(code="building-permit", name_fr="Permis de construire")
    RequiredDocument.objects.create(
        procedure=procedure, code="architectural-plans", label_fr="Plans architecturaux",
        label_ar="التصاميم المعمارية", label_en="Architectural plans", accepted_formats=["pdf"],
    )  # fmt: skip
    dossier = DossierFactory.create(procedure=procedure)
    document = services.document_upload(
        actor=dossier.applicant, address="127.0.0.1", dossier=dossier, document_type="architectural-plans",
        uploaded_file=upload_file("plans-50-pages.pdf", data),
    )  # fmt: skip
    advance(dossier, DossierStatus.UNDER_INSTRUCTION)
    client = Client()
    client.force_login(staff_for(dossier.commune)["desk_agent"])
    session = client.session
    session[SESSION_CACHE_KEY] = True  # as after the TOTP code (web.accounts.middleware)
    session.save()
    return dossier.pk, document.pk, session.session_key or ""


def shown_once(browser: Any, url: str, session: str, counter: DocumentBytes) -> dict[str, Any]:
    """One cold opening of the viewer: ms to page 1 shown, the document's bytes and requests until then."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    context.add_cookies([{"name": "sessionid", "value": session, "domain": "127.0.0.1", "path": "/"}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    counter.reset()
    page.goto(url)
    page.wait_for_function(SHOWN, timeout=120_000)
    milliseconds, origin = page.evaluate(
        "() => [Number(document.getElementById('plan-stage').dataset.firstPageShown), performance.timeOrigin]"
    )
    written, requests = counter.until((origin + milliseconds) / 1000)
    context.close()
    if errors:
        raise RuntimeError(f"the viewer failed: {errors}")
    return {"seconds": milliseconds / 1000, "bytes_before_first_page": written, "requests_before_first_page": requests}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "median_seconds": statistics.median(run["seconds"] for run in runs),
        "median_bytes_before_first_page": statistics.median(run["bytes_before_first_page"] for run in runs),
        "runs": runs,
    }


def measure(rounds: int, pages: int, hatch_bytes: int) -> dict[str, Any]:
    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    from bench.loopback import serve
    from config.wsgi import application
    from tests.plans.plan_files import plan_pdf
    from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

    call_command_quiet("migrate")
    data = plan_pdf(pages=pages, hatch_bytes=hatch_bytes)
    dossier, document, session = plan_file(data)
    counter = DocumentBytes(application, f"/api/dossiers/{dossier}/documents/{document}/download/")
    ranged_server, ranged_port = serve(counter)
    full_server, full_port = serve(without_ranges(counter))
    path = f"/office/files/{dossier}/plans/?document={document}"
    ranged: list[dict[str, Any]] = []
    full: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shown_once(browser, f"http://127.0.0.1:{ranged_port}{path}", session, counter)  # warm-up: server, not browser
        for _ in range(rounds):
            ranged.append(shown_once(browser, f"http://127.0.0.1:{ranged_port}{path}", session, counter))
            full.append(shown_once(browser, f"http://127.0.0.1:{full_port}{path}", session, counter))
        browser.close()
    ranged_server.shutdown()
    full_server.shutdown()
    return {"plan_bytes": len(data), "pages": pages, "range": summary(ranged), "full_download": summary(full)}


def call_command_quiet(name: str) -> None:
    from django.core.management import call_command

    call_command(name, interactive=False, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", type=int, required=True, help="pages of the plan (plans_bench's large plan)")
    parser.add_argument("--hatch-bytes", type=int, required=True, help="raster bytes per page")
    args = parser.parse_args()
    server_url = database_url("postgres")
    database_create()
    with tempfile.TemporaryDirectory(prefix="s9-viewer-") as directory:
        os.environ.update(
            DATABASE_URL=database_url(DATABASE), DJANGO_DEBUG="0", DOCUMENTS_DIR=directory,
            CELERY_BROKER_URL="redis://127.0.0.1:9/0", CELERY_RESULT_BACKEND="redis://127.0.0.1:9/0",
            DJANGO_SETTINGS_MODULE="config.settings", THROTTLE_ENABLED="false",
        )  # fmt: skip
        try:
            result = measure(args.rounds, args.pages, args.hatch_bytes)
        finally:
            from django.db import connections

            connections.close_all()
            database_drop(server_url)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
