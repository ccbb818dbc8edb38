"""The document half of a backup: files copied out of and into `STORAGES["documents"]` through the storage API,
hashed while they are read (so a filesystem and an S3 store behave alike)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage

CHUNK_BYTES = 1024 * 1024


def stream_copy(source: IO[Any], destination: IO[Any] | None = None) -> tuple[int, str]:
    """Read `source` to the end (writing it to `destination` if given); its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
        if destination is not None:
            destination.write(chunk)
    return size, digest.hexdigest()


def file_digest(path: Path) -> tuple[int, str]:
    with open(path, "rb") as handle:
        return stream_copy(handle)


def stored_digest(storage: Storage, key: str) -> tuple[int, str] | None:
    """Size and SHA-256 of a stored file, None when the store has no such file."""
    try:
        with storage.open(key, "rb") as handle:
            return stream_copy(handle)
    except FileNotFoundError:
        return None


def document_copy_out(storage: Storage, key: str, destination: Path) -> tuple[int, str] | None:
    """Copy a stored file to `destination` (flushed to disk); its size and SHA-256, None when it is missing."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        source = storage.open(key, "rb")
    except FileNotFoundError:
        return None
    with source, open(destination, "xb") as target:
        digest = stream_copy(source, target)
        target.flush()
        os.fsync(target.fileno())
    return digest


def document_copy_in(storage: Storage, key: str, source: Path) -> str:
    """Store the file `source` under `key`; the name the store gave it (the caller checks it is `key`)."""
    with open(source, "rb") as handle:
        return storage.save(key, File(handle, name=key))


def storage_keys(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file of the store, depth first (nothing when its root does not exist yet)."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for name in directories:
        yield from storage_keys(storage, f"{directory}/{name}" if directory else name)


def storage_first_file(storage: Storage) -> str | None:
    """One file of the store, if it holds any."""
    return next(storage_keys(storage), None)


def storage_description(storage: Storage) -> str:
    """Where the store keeps its files, for messages: a directory, or a bucket and prefix."""
    location = getattr(storage, "location", "")
    bucket = getattr(storage, "bucket_name", "")
    if bucket:
        return f"s3://{bucket}/{location}".rstrip("/")
    return str(location) or type(storage).__name__
