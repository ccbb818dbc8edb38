"""`backup_create` and `backup_restore`: the two operations of the backups (see the package docstring).

Both raise a `gis_core.backups.errors.BackupError` whose message says what is wrong and what to do; neither
leaves something half-written behind without saying so: a failed backup removes what it wrote, a refused restore
has written nothing, a failed database restore removes the documents it had written.
"""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.core.files.storage import Storage
from django.db import OperationalError, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from gis_core.backups import database
from gis_core.backups.documents import (
    document_copy_in,
    document_copy_out,
    file_digest,
    storage_description,
    storage_first_file,
    stored_digest,
)
from gis_core.backups.errors import (
    BackupDamaged,
    BackupError,
    BackupNotRestorable,
    BackupOutputNotEmpty,
    BackupSourceDamaged,
    RestoreMismatch,
    RestoreTargetNotEmpty,
)
from gis_core.backups.manifest import (
    DATABASE_FILE,
    DatabaseSection,
    DocumentEntry,
    DocumentsSection,
    FileEntry,
    Manifest,
    directory_sync,
    manifest_read,
    manifest_write,
)
from gis_core.documents.models import StoredDocument
from gis_core.documents.services import documents_storage

Progress = Callable[[str], None]
MAX_LISTED = 20  # problems named in one message; the count says how many there are in all


def _quiet(message: str) -> None:
    pass


def _listed(problems: list[str]) -> str:
    shown = "\n".join(f"- {problem}" for problem in problems[:MAX_LISTED])
    more = len(problems) - MAX_LISTED
    return shown + (f"\n- ... and {more} more" if more > 0 else "")


# --- backup -------------------------------------------------------------------------------------------------


def backup_create(*, output: Path, alias: str = "default", progress: Progress = _quiet) -> Manifest:
    """Back up the database of `alias` and the documents its rows name into the new directory `output`."""
    created = not output.exists()
    if not created and (not output.is_dir() or any(output.iterdir())):
        raise BackupOutputNotEmpty(f"{output} already exists and is not an empty directory: choose a new one.")
    output.mkdir(parents=True, exist_ok=True)
    try:
        return _backup_into(output, alias=alias, progress=progress)
    except BaseException:
        if created:
            shutil.rmtree(output, ignore_errors=True)
        else:
            for child in output.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise


def _backup_into(output: Path, *, alias: str, progress: Progress) -> Manifest:
    started_at = timezone.now()
    dump_path = output / DATABASE_FILE
    with database.snapshot(alias) as (snapshot_id, cursor):
        progress(f"database {connections[alias].settings_dict['NAME']}: dumping snapshot {snapshot_id}")
        database.database_dump(output=dump_path, snapshot_id=snapshot_id, alias=alias)
        catalogue = database.catalogue(cursor)
        counts = database.table_counts(cursor)
        rows = list(
            StoredDocument.objects.using(alias)
            .order_by("created_at", "id")
            .values_list("id", "storage_key", "size_bytes", "sha256")
        )
    _file_sync(dump_path)
    dump_size, dump_sha256 = file_digest(dump_path)
    progress(f"database dumped: {dump_size} bytes, {sum(counts.values())} rows in {len(counts)} tables")

    storage = documents_storage()
    progress(f"documents: copying {len(rows)} from {storage_description(storage)}")
    entries, problems = [], []
    for document_id, key, size, sha256 in rows:  # after the dump: see the package docstring
        entry = DocumentEntry(id=str(document_id), storage_key=key, size_bytes=size, sha256=sha256)
        copied = document_copy_out(storage, key, output / entry.path)
        if copied is None:
            problems.append(f"{key} (document {document_id}) is missing from the store")
        elif copied != (size, sha256):
            problems.append(f"{key} (document {document_id}) does not match its row's size and SHA-256")
        entries.append(entry)
    if problems:
        raise BackupSourceDamaged(
            f"{len(problems)} stored document(s) cannot be backed up as their rows describe them; nothing was "
            f"kept. Restore these files from an earlier backup, then back up again:\n{_listed(problems)}"
        )
    for directory in {(output / entry.path).parent for entry in entries} | {output}:
        directory_sync(directory)
    manifest = Manifest(
        started_at=started_at.isoformat(),
        completed_at=timezone.now().isoformat(),
        software=_software(),
        database=DatabaseSection(
            name=str(connections[alias].settings_dict["NAME"]),
            server_version=catalogue["server_version"],
            extensions=catalogue["extensions"],
            migrations=catalogue["migrations"],
            tables=counts,
            roles=catalogue["roles"],
            database_privileges=catalogue["database_privileges"],
            dump=FileEntry(path=DATABASE_FILE, size_bytes=dump_size, sha256=dump_sha256),
        ),
        documents=DocumentsSection(
            storage_backend=f"{type(storage).__module__}.{type(storage).__qualname__}",
            count=len(entries),
            size_bytes=sum(entry.size_bytes for entry in entries),
            files=entries,
        ),
    )
    manifest_write(output, manifest)  # last: a backup without its manifest is recognisably incomplete
    progress(f"documents copied: {manifest.documents.count} ({manifest.documents.size_bytes} bytes); manifest written")
    return manifest


def _file_sync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _software() -> dict[str, str]:
    versions = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "pg_dump": database.tool_version("pg_dump"),
    }
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        versions["urbaplan"] = str(project.get("version", ""))
    return versions


# --- restore ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreReport:
    database: str
    tables: int
    rows: int
    documents: int
    size_bytes: int


def backup_verify(*, source: Path, progress: Progress = _quiet) -> Manifest:
    """The backup's manifest, once every file it lists is there with its size and SHA-256 (`BackupDamaged`)."""
    manifest = manifest_read(source)
    problems = []
    for entry in manifest.files():
        path = source / entry.path
        if not path.is_file():
            problems.append(f"{entry.path} is missing")
        elif file_digest(path) != (entry.size_bytes, entry.sha256):
            problems.append(f"{entry.path} does not match its size and SHA-256 in the manifest")
    if problems:
        raise BackupDamaged(f"{source} is damaged; nothing was restored. Use another backup:\n{_listed(problems)}")
    progress(f"backup checked: the dump and {manifest.documents.count} document(s) match the manifest")
    return manifest


def backup_restore(*, source: Path, alias: str = "default", progress: Progress = _quiet) -> RestoreReport:
    """Restore the backup in `source` into the empty installation: the database of `alias`, the document store."""
    manifest = backup_verify(source=source, progress=progress)
    _check_migrations_known(manifest)
    storage = documents_storage()
    _check_target_empty(alias=alias, storage=storage, manifest=manifest)
    written: list[str] = []
    try:
        progress(f"documents: writing {manifest.documents.count} into {storage_description(storage)}")
        for entry in manifest.documents.files:
            name = document_copy_in(storage, entry.storage_key, source / entry.path)
            written.append(name)
            if name != entry.storage_key:
                raise RestoreMismatch(f"the store saved {entry.storage_key} as {name}; nothing was restored.")
        progress(f"database {connections[alias].settings_dict['NAME']}: restoring (one transaction)")
        with tempfile.TemporaryDirectory(prefix="urbaplan-restore-") as work:
            database.database_restore(dump=source / DATABASE_FILE, alias=alias, work_directory=Path(work))
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    with connections[alias].cursor() as cursor:
        database.database_privileges_grant(
            cursor,
            database=str(connections[alias].settings_dict["NAME"]),
            privileges=manifest.database.database_privileges,
        )
    report = _check_restored(alias=alias, storage=storage, manifest=manifest)
    progress(
        f"restored and checked: {report.rows} rows in {report.tables} tables, {report.documents} document(s) "
        f"({report.size_bytes} bytes)"
    )
    return report


def _check_migrations_known(manifest: Manifest) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest.database.migrations if (app, name) not in known]
    if unknown:
        raise BackupNotRestorable(
            "the backup was made by a version of the platform with migrations this one does not have; deploy that "
            f"version (or a newer one) first, then restore:\n{_listed(unknown)}"
        )


def _check_target_empty(*, alias: str, storage: Storage, manifest: Manifest) -> None:
    name = connections[alias].settings_dict["NAME"]
    try:
        with connections[alias].cursor() as cursor:
            filled = database.tables_with_rows(cursor)
            missing_roles = database.roles_missing(cursor, manifest.database.roles)
    except OperationalError as error:
        raise BackupNotRestorable(
            f"cannot reach the target database {name!r} ({str(error).strip()}); create it empty (with the "
            "postgis extension) and check DATABASE_URL."
        ) from error
    if filled:
        raise RestoreTargetNotEmpty(
            f"the target database {name!r} is not empty; a restore never overwrites data. Restore into a new, "
            f"empty database (created, or created and migrated). Tables with rows:\n{_listed(filled)}"
        )
    first = storage_first_file(storage)
    if first is not None:
        raise RestoreTargetNotEmpty(
            f"the target document store {storage_description(storage)} is not empty (it holds {first}); a restore "
            "never overwrites documents. Point DOCUMENTS_DIR (or the S3 bucket/prefix) at an empty store."
        )
    if missing_roles:
        raise BackupNotRestorable(
            "the backup grants privileges to database roles this server does not have; create them first "
            f"(docs/operations.md, Restore):\n{_listed(missing_roles)}"
        )


def _check_restored(*, alias: str, storage: Storage, manifest: Manifest) -> RestoreReport:
    """Every document read back against the manifest and its row; every table's row count against the manifest."""
    expected = {entry.id: entry for entry in manifest.documents.files}
    problems = []
    rows = StoredDocument.objects.using(alias).values_list("id", "storage_key", "size_bytes", "sha256")
    seen = set()
    for document_id, key, size, sha256 in rows.iterator():
        entry = expected.get(str(document_id))
        seen.add(str(document_id))
        if entry is None:
            problems.append(f"document {document_id} has a row but is not in the manifest")
            continue
        if (entry.storage_key, entry.size_bytes, entry.sha256) != (key, size, sha256):
            problems.append(f"document {document_id}: its row does not match the manifest")
        if stored_digest(storage, key) != (size, sha256):
            problems.append(f"{key} (document {document_id}): the stored file does not match its row's SHA-256")
    problems += [f"document {document_id} is in the manifest but has no row" for document_id in expected.keys() - seen]
    with connections[alias].cursor() as cursor:
        counts = database.table_counts(cursor)
    for table, count in manifest.database.tables.items():
        if counts.get(table) != count:
            problems.append(f"table {table}: {counts.get(table)} rows restored, {count} in the backup")
    if problems:
        raise RestoreMismatch(
            "the restored installation does not match its backup; do not serve it. Restore again into a new, empty "
            f"database and store:\n{_listed(problems)}"
        )
    return RestoreReport(
        database=str(connections[alias].settings_dict["NAME"]),
        tables=len(manifest.database.tables),
        rows=sum(manifest.database.tables.values()),
        documents=manifest.documents.count,
        size_bytes=manifest.documents.size_bytes,
    )


__all__ = ["BackupError", "RestoreReport", "backup_create", "backup_restore", "backup_verify"]
