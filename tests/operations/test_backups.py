"""Back up and restore, as an operator runs them: `manage.py backup_create` and `backup_restore` in subprocesses,
against real PostgreSQL databases and real document directories.

A file with uploaded documents (one of them in two versions), its audit trail and a sealed checkpoint of it are
written through the services and committed; it is backed up once for the module. Each restore goes into a database
created for the test on the test cluster (dropped after it) and a new documents directory; after it, `verify_audit`
runs against the restored database and every stored document's SHA-256 is checked. The refusals leave their target
untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

from gis_core.documents.models import StoredDocument
from gis_core.signing.pki import DevelopmentPki
from permits import services
from permits.checkpoints import checkpoint_create
from permits.models import AuditEvent, Dossier
from tests.conftest import tasks_eager
from tests.permits.factories import ADDRESS, DossierFactory, ProcedureFactory, application_signature_write, upload_file
from tests.signing.pdf_factory import sample_pdf

MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]

# Makes pytest-django set up the test database even when this module runs alone (the module's data is committed
# by the `source` fixture with the blocker lifted; the tests themselves only read it).
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Source:
    """The committed data of the module and its backup."""

    database: str
    store: Path
    backup: Path
    reference: str
    documents: dict[str, str]  # storage key -> SHA-256
    audit_events: int
    sealed_sequence: int  # the event the checkpoint seals
    pki: DevelopmentPki


def database_url(name: str) -> str:
    settings_dict = connection.settings_dict
    user, password = quote(settings_dict["USER"] or "", safe=""), quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    return f"postgis://{credentials}{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{name}"


def manage(*arguments: str, database: str, store: Path, pki: DevelopmentPki) -> subprocess.CompletedProcess[str]:
    """`manage.py <arguments>` with DATABASE_URL, DOCUMENTS_DIR and the signing PKI of this installation."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "DOCUMENTS_STORAGE": "filesystem",
        "DOCUMENTS_DIR": str(store),
        "SIGNING_PKI_DIR": str(pki.directory),
        "SIGNING_TRUST_ROOTS": str(pki.directory / "root-ca.pem"),
        "SIGNING_INTERMEDIATES": str(pki.directory / "intermediate-ca.pem"),
    }
    return subprocess.run(
        [*MANAGE, *arguments], env=environment, capture_output=True, text=True, timeout=600, check=False
    )


def connect(database: str) -> psycopg.Connection[Any]:
    settings_dict = connection.settings_dict
    return psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=database,
        autocommit=True,
    )


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_source_data() -> tuple[Dossier, int, int]:
    """A filed dossier (a plan in two versions and a note uploaded by the applicant), then a checkpoint."""
    procedure = ProcedureFactory.create(code="backup-procedure")
    dossier = DossierFactory.create(procedure=procedure)
    plan = services.document_upload(
        actor=dossier.applicant,
        address=ADDRESS,
        dossier=dossier,
        document_type="other",
        uploaded_file=upload_file("plan.pdf", sample_pdf(2, title="Plan v1")),
    )
    services.document_upload(
        actor=dossier.applicant,
        address=ADDRESS,
        dossier=dossier,
        document_type="other",
        uploaded_file=upload_file("plan.pdf", sample_pdf(2, title="Plan v2")),
        supersedes=plan,
    )
    services.document_upload(
        actor=dossier.applicant,
        address=ADDRESS,
        dossier=dossier,
        document_type="other",
        uploaded_file=upload_file("note.pdf", sample_pdf(1, title="Note")),
    )
    application_signature_write(dossier)  # the applicant's signature of the form (test data: one stored PDF)
    dossier = services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    checkpoint = checkpoint_create()
    assert checkpoint is not None
    return dossier, AuditEvent.objects.count(), int(checkpoint.payload["sequence"])


@pytest.fixture(scope="module")
def source(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    directory = tmp_path_factory.mktemp("source")
    store = directory / "documents"
    store.mkdir()
    documents = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(store), "base_url": None},
    }
    storages = {**settings.STORAGES, "documents": documents}
    pki = DevelopmentPki(directory / "pki")
    pki.ensure()
    pki.user("audit-seal", display_name="Urbaplan audit seal")
    signing = {
        "SIGNING_PKI_DIR": pki.directory,
        "SIGNING_TRUST_ROOTS": [pki.directory / "root-ca.pem"],
        "SIGNING_INTERMEDIATES": [pki.directory / "intermediate-ca.pem"],
        "SIGNING_TSA_URL": "",
        "SIGNING_TSA_LOCAL": True,
        "SIGNING_SIGNER_BACKEND": "gis_core.signing.signers.Pkcs12Backend",
        "AUDIT_CHECKPOINT_SIGNER": "audit-seal",
    }
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=storages, FILE_UPLOAD_TEMP_DIR=str(directory), **signing),
        tasks_eager(propagate=False),
    ):
        try:
            dossier, audit_events, sealed_sequence = build_source_data()
            name = connection.settings_dict["NAME"]
            backup = directory / "backup"
            result = manage("backup_create", "--output", str(backup), database=name, store=store, pki=pki)
            assert result.returncode == 0, result.stderr
            yield Source(
                database=name,
                store=store,
                backup=backup,
                reference=dossier.reference or "",
                documents={row.storage_key: row.sha256 for row in StoredDocument.objects.all()},
                audit_events=audit_events,
                sealed_sequence=sealed_sequence,
                pki=pki,
            )
        finally:
            call_command("flush", interactive=False, verbosity=0)  # the committed rows of this module


@dataclass(frozen=True)
class Target:
    database: str
    store: Path
    pki: DevelopmentPki

    def restore(self, backup: Path) -> subprocess.CompletedProcess[str]:
        return self.manage("backup_restore", "--input", str(backup))

    def manage(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return manage(*arguments, database=self.database, store=self.store, pki=self.pki)

    def is_untouched(self) -> bool:
        """No project table in the database, no file in the store."""
        with connect(self.database) as target:
            row = target.execute("SELECT to_regclass('public.permits_dossier')").fetchone()
        return row is not None and row[0] is None and not any(path.is_file() for path in self.store.rglob("*"))


@pytest.fixture
def target(source: Source, tmp_path: Path) -> Iterator[Target]:
    """A new database on the test cluster (CREATE DATABASE; PostGIS from template1) and a new documents directory."""
    name = f"{source.database}_restore_{uuid.uuid4().hex[:8]}"
    with connect(source.database) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        try:
            with connect(name) as created:
                created.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            store = tmp_path / "restored-documents"
            store.mkdir()
            yield Target(database=name, store=store, pki=source.pki)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backup_copy(source: Source, tmp_path: Path) -> Path:
    """A copy of the module's backup that a test may damage."""
    return Path(shutil.copytree(source.backup, tmp_path / "backup"))


# --- the round trip ---------------------------------------------------------------------------------------------


def test_a_backup_restores_into_a_fresh_installation_and_verifies(source: Source, target: Target) -> None:
    manifest = json.loads((source.backup / "manifest.json").read_text())
    assert manifest["database"]["name"] == source.database
    # 3 uploads, the signed application, the checkpoint (2 versions)
    assert manifest["documents"]["count"] == len(source.documents) == 6
    assert {entry["storage_key"]: entry["sha256"] for entry in manifest["documents"]["files"]} == source.documents
    assert manifest["database"]["tables"]["public.permits_auditevent"] == source.audit_events
    assert manifest["database"]["dump"]["sha256"] == sha256_of(source.backup / "database.dump")

    restored = target.restore(source.backup)
    assert restored.returncode == 0, restored.stderr
    assert "Restore complete" in restored.stdout

    verified = target.manage("verify_audit")
    assert verified.returncode == 0, verified.stderr
    assert f"{source.audit_events} events verified" in verified.stdout
    assert f"the latest seals event #{source.sealed_sequence}" in verified.stdout  # its PDF from the restored store
    with connect(target.database) as restored_database:
        rows = restored_database.execute("SELECT storage_key, sha256 FROM documents_storeddocument").fetchall()
        reference = restored_database.execute("SELECT reference FROM permits_dossier").fetchone()
    assert dict(rows) == source.documents, (rows, source.documents)
    for key, sha256 in rows:
        assert sha256_of(target.store / key) == sha256  # every stored document, read from the restored store
    assert reference == (source.reference,)

    again = target.restore(source.backup)  # the target now holds data: refused, nothing changed
    assert again.returncode == 1, again.stdout + again.stderr
    assert "is not empty" in again.stderr and "public.permits_dossier" in again.stderr, again.stderr
    verified_again = target.manage("verify_audit")
    assert verified_again.returncode == 0, verified_again.stderr
    assert {str(path.relative_to(target.store)) for path in target.store.rglob("*") if path.is_file()} == set(
        source.documents
    )


def test_a_migrated_empty_installation_is_a_fresh_one(source: Source, target: Target) -> None:
    migrated = target.manage("migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    restored = target.restore(source.backup)
    assert restored.returncode == 0, restored.stderr
    verified = target.manage("verify_audit")
    assert verified.returncode == 0 and f"{source.audit_events} events verified" in verified.stdout


# --- refusals ---------------------------------------------------------------------------------------------------


def test_restore_refuses_a_document_store_that_holds_files(source: Source, target: Target) -> None:
    (target.store / "2026").mkdir()
    (target.store / "2026" / "left-over.pdf").write_bytes(b"%PDF-1.7 someone else's")
    restored = target.restore(source.backup)
    assert restored.returncode == 1
    assert "document store" in restored.stderr and "is not empty" in restored.stderr
    with connect(target.database) as database:
        assert database.execute("SELECT to_regclass('public.permits_dossier')").fetchone() == (None,)
    assert [path.name for path in target.store.rglob("*") if path.is_file()] == ["left-over.pdf"]


def test_restore_refuses_a_backup_without_its_manifest(backup_copy: Path, target: Target) -> None:
    (backup_copy / "manifest.json").unlink()  # what an interrupted backup looks like
    restored = target.restore(backup_copy)
    assert restored.returncode == 1
    assert "no manifest.json" in restored.stderr and "interrupted" in restored.stderr
    assert target.is_untouched()


def test_restore_refuses_a_damaged_manifest(backup_copy: Path, target: Target) -> None:
    manifest = backup_copy / "manifest.json"
    manifest.write_text(manifest.read_text()[:-200])
    restored = target.restore(backup_copy)
    assert restored.returncode == 1
    assert "manifest.json is damaged" in restored.stderr
    assert target.is_untouched()


def test_restore_refuses_a_manifest_that_names_a_path_outside_the_backup(backup_copy: Path, target: Target) -> None:
    manifest_path = backup_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["documents"]["files"][0]["storage_key"] = "../../etc/passwd"
    manifest_path.write_text(json.dumps(manifest))
    restored = target.restore(backup_copy)
    assert restored.returncode == 1
    assert "unsafe storage key" in restored.stderr
    assert target.is_untouched()


@pytest.mark.parametrize("which", ["document", "dump"])
def test_restore_refuses_a_file_whose_hash_does_not_match(backup_copy: Path, target: Target, which: str) -> None:
    manifest = json.loads((backup_copy / "manifest.json").read_text())
    relative = "database.dump" if which == "dump" else f"documents/{manifest['documents']['files'][1]['storage_key']}"
    damaged = backup_copy / relative
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    restored = target.restore(backup_copy)
    assert restored.returncode == 1
    assert f"{relative} does not match its size and SHA-256" in restored.stderr
    assert "nothing was restored" in restored.stderr
    assert target.is_untouched()


def test_restore_refuses_a_missing_file(backup_copy: Path, target: Target) -> None:
    manifest = json.loads((backup_copy / "manifest.json").read_text())
    key = manifest["documents"]["files"][0]["storage_key"]
    (backup_copy / "documents" / key).unlink()
    restored = target.restore(backup_copy)
    assert restored.returncode == 1
    assert f"documents/{key} is missing" in restored.stderr
    assert target.is_untouched()


def test_backup_refuses_an_output_directory_that_holds_files(source: Source, tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "keep.txt").write_text("an earlier backup's file")
    result = manage(
        "backup_create", "--output", str(output), database=source.database, store=source.store, pki=source.pki
    )
    assert result.returncode == 1
    assert "not an empty directory" in result.stderr
    assert [path.name for path in output.iterdir()] == ["keep.txt"]


def test_a_backup_of_a_damaged_store_fails_and_keeps_nothing(source: Source, tmp_path: Path) -> None:
    store = Path(shutil.copytree(source.store, tmp_path / "store"))
    key, damaged_key = sorted(source.documents)[:2]
    (store / key).unlink()
    (store / damaged_key).write_bytes(b"%PDF-1.7 not the stored content")
    output = tmp_path / "backup"
    result = manage("backup_create", "--output", str(output), database=source.database, store=store, pki=source.pki)
    assert result.returncode == 1
    assert "Backup FAILED" in result.stderr
    assert f"{key} (document" in result.stderr and "is missing from the store" in result.stderr
    assert f"{damaged_key} (document" in result.stderr and "does not match its row" in result.stderr
    assert not output.exists()  # nothing half-written left behind
