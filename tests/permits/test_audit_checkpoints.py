"""The audit chain anchored outside the database: daily checkpoints sealed (PAdES + RFC 3161) in the document
store, checked by `verify_audit` (a history rewritten consistently after a checkpoint is caught), scheduled in
Celery beat with an alert (error log + e-mail) when the checkpoint or the verification fails."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection

from config.celery import app as celery_app
from gis_core.documents.models import StoredDocument
from gis_core.documents.services import documents_storage
from gis_core.notifications.models import Delivery
from gis_core.signing.errors import SignerUnavailable
from gis_core.signing.pki import DevelopmentPki
from permits import checkpoints, tasks
from permits.audit import GENESIS_HASH, HEAD_ID, audit_record, audit_verify, event_content, event_hash
from permits.models import AuditChainHead, AuditEvent
from tests.permits.factories import DossierFactory

pytestmark = pytest.mark.django_db

SEAL = "audit-seal"
ALERTED = "security@commune.example.ma"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevelopmentPki:
    pki = DevelopmentPki(tmp_path_factory.mktemp("audit-pki"))
    pki.ensure()
    pki.user(SEAL, display_name="Urbaplan audit seal")
    return pki


@pytest.fixture(autouse=True)
def sealing(settings: Any, pki: DevelopmentPki) -> None:
    """The development PKI (the seal's PKCS#12), the local TSA, alerts to one address."""
    settings.SIGNING_PKI_DIR = pki.directory
    settings.SIGNING_TRUST_ROOTS = [pki.directory / "root-ca.pem"]
    settings.SIGNING_INTERMEDIATES = [pki.directory / "intermediate-ca.pem"]
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_TSA_LOCAL = True
    settings.SIGNING_SIGNER_BACKEND = "gis_core.signing.signers.Pkcs12Backend"
    settings.SIGNING_PUBLIC_BASE_URL = "https://urbaplan.example.ma"
    settings.AUDIT_CHECKPOINT_SIGNER = SEAL
    settings.AUDIT_ALERT_EMAILS = [ALERTED]


@pytest.fixture
def chain() -> list[AuditEvent]:
    DossierFactory.create(under_instruction=True)
    return list(AuditEvent.objects.order_by("sequence"))


def stored_bytes(document_id: str) -> bytes:
    document = StoredDocument.objects.get(pk=document_id)
    with documents_storage().open(document.storage_key, "rb") as handle:
        return handle.read()


def verify_audit(*arguments: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *arguments, stdout=out, stderr=err)
    except SystemExit as exit_info:
        return int(exit_info.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def without_triggers(work: Callable[[Any], None]) -> None:
    """Run `work(cursor)` as someone who can switch the append-only triggers off (a database superuser)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute('ALTER TABLE "permits_auditevent" DISABLE TRIGGER USER')
        cursor.execute('ALTER TABLE "documents_storeddocument" DISABLE TRIGGER USER')
        work(cursor)
        cursor.execute('ALTER TABLE "permits_auditevent" ENABLE TRIGGER USER')
        cursor.execute('ALTER TABLE "documents_storeddocument" ENABLE TRIGGER USER')


def rechain(cursor: Any) -> None:
    """Recompute every hash from the first event, as a forger covering their tracks would, and the head."""
    previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("sequence"):
        content = event_content(
            sequence=event.sequence,
            dossier_id=event.dossier_id,
            actor_id=event.actor_id,
            action=event.action,
            at=event.at,
            address=event.address,
            payload=event.payload,
        )
        digest = event_hash(content, previous)
        cursor.execute(
            "UPDATE permits_auditevent SET previous_hash = %s, hash = %s WHERE id = %s", [previous, digest, event.pk]
        )
        previous = digest
    last = AuditEvent.objects.order_by("-sequence").first()
    AuditChainHead.objects.filter(id=HEAD_ID).update(last_sequence=last.sequence if last else 0, last_hash=previous)


# --- the checkpoint -------------------------------------------------------------------------------------------


def test_a_checkpoint_seals_the_head_in_a_signed_timestamped_pdf(
    chain: list[AuditEvent], pki: DevelopmentPki, tmp_path: Path
) -> None:
    head = chain[-1]
    event = checkpoints.checkpoint_create()
    assert event is not None and event.action == "audit.checkpoint" and event.sequence == head.sequence + 1
    assert (event.payload["sequence"], event.payload["hash"]) == (head.sequence, head.hash)
    sealed = StoredDocument.objects.get(pk=event.payload["document"])
    assert sealed.version == 2 and sealed.created_by is not None and sealed.created_by.username == SEAL
    assert not sealed.created_by.is_active and not sealed.created_by.has_usable_password()

    path = tmp_path / "checkpoint.pdf"
    path.write_bytes(stored_bytes(event.payload["document"]))
    if shutil.which("pdfsig") is None or shutil.which("pdfdetach") is None:
        pytest.skip("poppler-utils (pdfsig, pdfdetach) is not installed")
    report = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{pki.nss_database()}", str(path)], capture_output=True, text=True, check=False
    )
    assert "Signature is Valid" in report.stdout and "Certificate is Trusted" in report.stdout, report.stdout
    assert "Urbaplan audit seal" in report.stdout
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(path)], check=True, capture_output=True)
    statement = json.loads((tmp_path / "audit-checkpoint.json").read_text())
    assert (statement["sequence"], statement["hash"]) == (head.sequence, head.hash)
    assert statement["platform"] == "https://urbaplan.example.ma"

    code, out, err = verify_audit()
    assert code == 0, err
    assert f"the latest seals event #{head.sequence}" in out and "1 event(s) since" in out
    assert audit_verify().ok


def test_an_empty_chain_has_nothing_to_seal() -> None:
    assert checkpoints.checkpoint_create() is None
    assert not StoredDocument.objects.exists()


# --- what the checkpoints catch -------------------------------------------------------------------------------


def test_a_history_rewritten_consistently_after_a_checkpoint_is_caught(chain: list[AuditEvent]) -> None:
    checkpoint = checkpoints.checkpoint_create()
    assert checkpoint is not None
    audit_record(action="test.after_checkpoint", actor_id=None)
    target = chain[2]

    def forge(cursor: Any) -> None:
        cursor.execute(
            'UPDATE permits_auditevent SET payload = payload || \'{"note": "forged"}\'::jsonb WHERE id = %s',
            [target.pk],
        )
        rechain(cursor)

    without_triggers(forge)
    assert audit_verify().ok  # every link holds: the chain alone cannot tell
    code, _out, err = verify_audit()
    assert code == 1
    assert f"the chain's event #{chain[-1].sequence} has hash" in err and "rewritten" in err


def test_a_removed_checkpoint_event_is_caught_by_its_sealed_document(chain: list[AuditEvent]) -> None:
    checkpoint = checkpoints.checkpoint_create()
    assert checkpoint is not None

    def remove(cursor: Any) -> None:
        cursor.execute("DELETE FROM permits_auditevent WHERE id = %s", [checkpoint.pk])
        rechain(cursor)

    without_triggers(remove)
    assert audit_verify().ok
    code, _out, err = verify_audit()
    assert code == 1
    sealed = StoredDocument.objects.get(pk=checkpoint.payload["document"])
    assert f"checkpoint document {sealed.storage_key} is named by no audit.checkpoint event" in err


def test_a_replaced_checkpoint_file_is_caught(chain: list[AuditEvent]) -> None:
    checkpoint = checkpoints.checkpoint_create()
    assert checkpoint is not None
    sealed = StoredDocument.objects.get(pk=checkpoint.payload["document"])
    with documents_storage().open(sealed.storage_key, "wb") as handle:  # the file changed in the store
        handle.write(stored_bytes(str(sealed.pk)).replace(b"audit", b"AUDIT", 1))
    code, _out, err = verify_audit()
    assert code == 1 and f"{sealed.storage_key} does not match its SHA-256" in err


def test_an_unsigned_checkpoint_is_refused(chain: list[AuditEvent]) -> None:
    """A forger who writes a checkpoint of their own (file and row) has no seal: the PDF does not verify."""
    checkpoint = checkpoints.checkpoint_create()
    assert checkpoint is not None
    sealed = StoredDocument.objects.get(pk=checkpoint.payload["document"])
    assert sealed.supersedes_id is not None
    unsealed = StoredDocument.objects.get(pk=sealed.supersedes_id)  # version 1: the same statement, not signed
    data = stored_bytes(str(unsealed.pk))
    with documents_storage().open(sealed.storage_key, "wb") as handle:
        handle.write(data)

    def rewrite_row(cursor: Any) -> None:
        cursor.execute(
            "UPDATE documents_storeddocument SET sha256 = %s, size_bytes = %s WHERE id = %s",
            [unsealed.sha256, len(data), sealed.pk],
        )

    without_triggers(rewrite_row)
    code, _out, err = verify_audit()
    assert code == 1 and "its seal does not verify (unsigned)" in err


def test_events_without_a_checkpoint_fail_only_past_the_limit(chain: list[AuditEvent]) -> None:
    assert verify_audit()[0] == 0  # reported, not failed, by default
    assert verify_audit("--max-unanchored-hours", "24")[0] == 0  # the events are minutes old
    code, out, err = verify_audit("--max-unanchored-hours", "0")
    assert code == 1 and f"{len(chain)} event(s) since #1" in err and "daily checkpoint running" in err
    assert f"none verifies yet; {len(chain)} event(s) not anchored" in out
    checkpoints.checkpoint_create()
    report = checkpoints.checkpoints_verify(max_unanchored_hours=0)
    assert report.anchored_sequence == chain[-1].sequence and report.unanchored == 1  # the checkpoint's own event


# --- schedule and alerts --------------------------------------------------------------------------------------


@pytest.mark.django_db(databases=["default", "geoportal"])  # Celery's Django fixup runs the system checks
def test_beat_runs_the_checkpoint_then_the_verification_daily() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    names = {entry["task"] for entry in schedule.values()}
    assert {"permits.tasks.audit_checkpoint_task", "permits.tasks.audit_verify_task"} <= names
    celery_app.loader.import_default_modules()
    assert {"permits.tasks.audit_checkpoint_task", "permits.tasks.audit_verify_task"} <= set(celery_app.tasks)
    checkpoint, verify = schedule["audit-checkpoint"]["schedule"], schedule["audit-verify"]["schedule"]
    assert checkpoint.hour == {1} and verify.hour == {2}  # once a day, the verification after the checkpoint


def test_the_daily_verification_alerts_on_a_broken_chain(
    chain: list[AuditEvent], caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    assert tasks.audit_verify_task() is True
    assert not Delivery.objects.filter(event_key="audit.alert").exists()

    without_triggers(
        lambda cursor: cursor.execute("UPDATE permits_auditevent SET action = 'forged' WHERE id = %s", [chain[1].pk])
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.audit_verify_task() is False
    errors = [record.message for record in caplog.records if record.levelname == "ERROR"]
    assert any("audit verification FAILED" in message for message in errors)
    mail.outbox[:] = [message for message in mail.outbox if ALERTED in message.to]
    assert len(mail.outbox) == 1
    assert "la vérification du journal d'audit a échoué" in mail.outbox[0].subject
    assert f"event #{chain[1].sequence}" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        tasks.audit_verify_task()
    assert len([message for message in mail.outbox if ALERTED in message.to]) == 1  # once a day per kind


def test_a_failed_checkpoint_is_alerted_and_fails_the_task(
    chain: list[AuditEvent], settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = DevelopmentPki(tmp_path / "pki-without-the-seal")
    empty.ensure()
    settings.SIGNING_PKI_DIR = empty.directory  # the seal has no credentials here
    with pytest.raises(SignerUnavailable):
        tasks.audit_checkpoint_task()
    assert any(record.levelname == "ERROR" and "audit checkpoint FAILED" in record.message for record in caplog.records)
    alert = Delivery.objects.get(event_key="audit.alert")
    assert alert.recipient == ALERTED and "point de contrôle" in alert.subject and "SignerUnavailable" in alert.body
    assert not AuditEvent.objects.filter(action="audit.checkpoint").exists()
    assert not StoredDocument.objects.filter(created_by__username=SEAL).exists()
