"""The manifest of a backup (`manifest.json`, written last): what the backup holds and how to check it.

Every file of the backup is listed with its size and SHA-256: the database dump, and each document under
`documents/<storage key>` with the id of its `StoredDocument` row. `manifest_read` refuses a missing manifest
(`BackupIncomplete`: an interrupted backup) and an unreadable or malformed one (`BackupDamaged`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from gis_core.backups.errors import BackupDamaged, BackupIncomplete

FORMAT = "urbaplan-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_FILE = "database.dump"
DOCUMENTS_DIRECTORY = "documents"
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class FileEntry:
    """One file of the backup, by its path relative to the backup directory."""

    path: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class DocumentEntry:
    """One stored document: its row's id, its key in the store, and the file's size and SHA-256 (the row's)."""

    id: str
    storage_key: str
    size_bytes: int
    sha256: str

    @property
    def path(self) -> str:
        return f"{DOCUMENTS_DIRECTORY}/{self.storage_key}"


@dataclass(frozen=True)
class DatabaseSection:
    name: str
    server_version: str
    extensions: dict[str, str]
    migrations: list[tuple[str, str]]  # (app label, migration name) applied in the dump
    tables: dict[str, int]  # "schema.table" -> rows in the dump
    roles: list[str]  # roles the dump grants privileges to (or sets default privileges for): must exist to restore
    database_privileges: list[tuple[str, str]]  # (role, privilege) on the database itself (not in the dump)
    dump: FileEntry


@dataclass(frozen=True)
class DocumentsSection:
    storage_backend: str
    count: int
    size_bytes: int
    files: list[DocumentEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Manifest:
    started_at: str
    completed_at: str
    software: dict[str, str]
    database: DatabaseSection
    documents: DocumentsSection
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def files(self) -> list[FileEntry]:
        """Every file of the backup: the dump, then the documents."""
        documents = [FileEntry(entry.path, entry.size_bytes, entry.sha256) for entry in self.documents.files]
        return [self.database.dump, *documents]


def manifest_write(directory: Path, manifest: Manifest) -> Path:
    """Write `manifest.json` atomically (a temporary name, flushed to disk, then renamed) and sync the directory."""
    path = directory / MANIFEST_NAME
    temporary = directory / f".{MANIFEST_NAME}.partial"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(asdict(manifest), handle, indent=1, ensure_ascii=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory_sync(directory)
    return path


def directory_sync(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def manifest_read(directory: Path) -> Manifest:
    """The manifest of the backup in `directory`, checked for shape (not yet against the files)."""
    path = directory / MANIFEST_NAME
    if not directory.is_dir():
        raise BackupIncomplete(f"{directory} is not a directory.")
    if not path.is_file():
        raise BackupIncomplete(
            f"{directory} has no {MANIFEST_NAME}: the backup was interrupted before it completed, or this is not "
            "a backup. Use another backup."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _manifest_from(data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupDamaged(f"{path} is damaged and cannot be trusted ({error}). Use another backup.") from error


def _manifest_from(data: dict[str, Any]) -> Manifest:
    if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"not a {FORMAT} manifest of version {FORMAT_VERSION}")
    database = data["database"]
    documents = data["documents"]
    files = [
        DocumentEntry(
            id=str(item["id"]),
            storage_key=_safe_key(item["storage_key"]),
            size_bytes=_size(item["size_bytes"]),
            sha256=_sha256(item["sha256"]),
        )
        for item in documents["files"]
    ]
    if len(files) != documents["count"] or sum(entry.size_bytes for entry in files) != documents["size_bytes"]:
        raise ValueError("the document count or total size does not match the list of documents")
    dump = database["dump"]
    return Manifest(
        started_at=str(data["started_at"]),
        completed_at=str(data["completed_at"]),
        software={str(key): str(value) for key, value in data["software"].items()},
        database=DatabaseSection(
            name=str(database["name"]),
            server_version=str(database["server_version"]),
            extensions={str(key): str(value) for key, value in database["extensions"].items()},
            migrations=[(str(app), str(name)) for app, name in database["migrations"]],
            tables={str(key): _size(value) for key, value in database["tables"].items()},
            roles=[str(role) for role in database["roles"]],
            database_privileges=[(str(role), str(privilege)) for role, privilege in database["database_privileges"]],
            dump=FileEntry(
                path=_expected(dump["path"], DATABASE_FILE),
                size_bytes=_size(dump["size_bytes"]),
                sha256=_sha256(dump["sha256"]),
            ),
        ),
        documents=DocumentsSection(
            storage_backend=str(documents["storage_backend"]),
            count=len(files),
            size_bytes=documents["size_bytes"],
            files=files,
        ),
    )


def _sha256(value: Any) -> str:
    if not isinstance(value, str) or not SHA256_PATTERN.match(value):
        raise ValueError(f"not a SHA-256: {value!r}")
    return value


def _size(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a size: {value!r}")
    return value


def _expected(value: Any, expected: str) -> str:
    if value != expected:
        raise ValueError(f"expected {expected!r}, not {value!r}")
    return expected


def _safe_key(value: Any) -> str:
    """A storage key that stays inside the documents directory (relative, no `..`, no empty part)."""
    if not isinstance(value, str) or not value or "\\" in value or "\x00" in value:
        raise ValueError(f"not a storage key: {value!r}")
    parts = PurePosixPath(value).parts
    if value.startswith("/") or any(part in ("", ".", "..") for part in parts) or "//" in value:
        raise ValueError(f"unsafe storage key: {value!r}")
    return value
