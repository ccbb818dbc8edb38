"""How long a filing waits for the audit chain while a commission decision is recorded (not a timed test).

`examination_decide` records the decision and, in the same transaction, renders the PV and the decision with
WeasyPrint, stores them, stamps them and the authorised plans with their QR codes. Every audit writer serialises
on the chain head: while that transaction holds the head, any other service of the platform (here
`dossier_submit`, on another file) waits. This script measures that wait on a throw-away database:

- thread A decides one file (a session held, two members present, two plan pages to stamp);
- thread B, started just after A, files one draft after another (documents uploaded beforehand) until A is done;
- each filing's duration is compared with the same filing alone (no decision running).

Run: `.venv/bin/python bench/audit_lock_wait.py [--rounds 3] [--plans 4]` (the database `urbaplan_bench_audit_lock`
on the server of DATABASE_URL is created, migrated and dropped at the end).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import override_settings, setup_databases, teardown_databases  # noqa: E402

from config.celery import app as celery_app  # noqa: E402
from gis_core.signing.pki import DevelopmentPki  # noqa: E402
from permits import services as permit_services  # noqa: E402
from permits.commissions import services as commission_services  # noqa: E402
from permits.commissions.pdf import render_pdf  # noqa: E402
from permits.models import DossierStatus  # noqa: E402
from tests.commissions.conftest import build_world  # noqa: E402
from tests.commissions.helpers import hold_session  # noqa: E402
from tests.permits.factories import (  # noqa: E402
    ADDRESS,
    DossierFactory,
    advance,
    application_signature_write,
    documents_attach_mandatory,
    send_to_commission,
    upload_file,
)
from tests.signing.pdf_factory import sample_pdf  # noqa: E402

DATABASE = "urbaplan_bench_audit_lock"


def timed_submit(dossier: Any) -> float:
    started = time.perf_counter()
    permit_services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    return time.perf_counter() - started


def one_round(world: Any, session: Any, slot: int, plans: int, drafts: int) -> dict[str, Any]:
    dossier = DossierFactory.create(procedure=world.procedure)
    for number in range(plans):  # each plan is copied, stamped and later signed by the president
        permit_services.document_upload(
            actor=dossier.applicant,
            address=ADDRESS,
            dossier=dossier,
            document_type="architectural-plans",
            uploaded_file=upload_file(f"plans-{number}.pdf", sample_pdf(2)),
        )
    advance(dossier, DossierStatus.UNDER_INSTRUCTION)
    commission_services.booking_create(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=session.slots.get(number=slot)
    )
    send_to_commission(dossier, world.staff["desk_agent"])
    dossier.refresh_from_db()
    examination = hold_session(world, session, dossier)
    waiting = [DossierFactory.create(procedure=world.procedure) for _ in range(drafts)]
    for draft in waiting:
        documents_attach_mandatory(draft)
        application_signature_write(draft)  # the applicant's signature of the form, as test data
    alone = [DossierFactory.create(procedure=world.procedure) for _ in range(3)]
    for draft in alone:
        documents_attach_mandatory(draft)
        application_signature_write(draft)
    baseline = [timed_submit(draft) for draft in alone]

    decided = threading.Event()
    filing = threading.Event()
    result: dict[str, Any] = {"lock_waits": []}

    def decide() -> None:
        started = time.perf_counter()
        try:
            commission_services.examination_decide(
                actor=world.staff["commission_president"],
                address=ADDRESS,
                examination=examination,
                decision="favourable",
            )
        finally:
            result["decide"] = time.perf_counter() - started
            decided.set()
            connection.close()

    def file_drafts() -> None:
        durations = []
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                result["pid"] = cursor.fetchone()[0]
            filing.set()
            for draft in waiting:
                durations.append(timed_submit(draft))
                if decided.is_set():
                    break
        finally:
            result["submits"] = durations
            filing.set()
            connection.close()

    def watch_locks() -> None:
        """Sample thread B's backend every 2 ms: each continuous stretch waiting for a lock is one wait."""
        filing.wait()
        current = None
        try:
            with connection.cursor() as cursor:
                while thread_b.is_alive():
                    cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [result.get("pid")])
                    row = cursor.fetchone()
                    now = time.perf_counter()
                    if row and row[0] == "Lock":
                        current = current or now
                    elif current is not None:
                        result["lock_waits"].append(now - current)
                        current = None
                    time.sleep(0.002)
        finally:
            connection.close()

    thread_a = threading.Thread(target=decide)
    thread_b = threading.Thread(target=file_drafts)
    watcher = threading.Thread(target=watch_locks)
    thread_a.start()
    time.sleep(0.05)  # A has begun (its first statements run well within this)
    thread_b.start()
    watcher.start()
    thread_a.join()
    thread_b.join()
    watcher.join()
    return {"baseline": baseline, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--plans", type=int, default=2, help="plan documents of the decided file (each stamped)")
    parser.add_argument("--drafts", type=int, default=40, help="drafts ready to file in each round (an upper bound)")
    arguments = parser.parse_args()

    connections["default"].settings_dict["TEST"]["NAME"] = DATABASE
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = False
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        store = directory / "documents"
        store.mkdir()
        pki = DevelopmentPki(directory / "pki")
        pki.ensure()
        overrides = {
            "STORAGES": {
                **settings.STORAGES,
                "documents": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(store), "base_url": None},
                },
            },
            "FILE_UPLOAD_TEMP_DIR": str(directory),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "SIGNING_PKI_DIR": pki.directory,
            "SIGNING_TRUST_ROOTS": [pki.directory / "root-ca.pem"],
            "SIGNING_INTERMEDIATES": [pki.directory / "intermediate-ca.pem"],
            "SIGNING_TSA_URL": "",
            "SIGNING_TSA_LOCAL": True,
            "SIGNING_SIGNER_BACKEND": "gis_core.signing.signers.Pkcs12Backend",
        }
        databases = setup_databases(verbosity=0, interactive=False, aliases={"default": False})
        try:
            with override_settings(**overrides):
                render_pdf(template_names=["commissions/pdf/agenda.html"], context={})  # WeasyPrint loaded once
                world = build_world()
                session = world.sessions()[0]
                rounds = [
                    one_round(world, session, slot, arguments.plans, arguments.drafts)
                    for slot in range(arguments.rounds)
                ]
        finally:
            connection.close()
            teardown_databases(databases, verbosity=0)
    baseline = [value for item in rounds for value in item["baseline"]]
    print(f"dossier_submit alone: median {statistics.median(baseline) * 1000:.0f} ms ({len(baseline)} filings)")
    for number, item in enumerate(rounds, start=1):
        submits, waits = item["submits"], item["lock_waits"]
        print(
            f"round {number}: examination_decide {item['decide'] * 1000:.0f} ms; "
            f"{len(submits)} filing(s) meanwhile, longest {max(submits) * 1000:.0f} ms; "
            f"waiting for a lock: {sum(waits) * 1000:.0f} ms in all, longest wait {max(waits, default=0) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
