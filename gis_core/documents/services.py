"""Writes of the document store: `document_store` turns an upload into a verified, immutable version;
`documents_quota_check` refuses one more document past an owner's quota (number of versions, total bytes).

The upload is streamed in chunks to a temporary file while it is hashed and counted (memory stays flat whatever
the size; the size limit aborts the copy as soon as it is passed); its magic bytes and content are verified;
only then is it saved to `STORAGES["documents"]` under a uuid key and recorded, in one transaction. On any
failure nothing is left behind: no row, no stored file, no temporary file.
"""

import hashlib
import unicodedata
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone

from gis_core.documents.errors import (
    DocumentAlreadySuperseded,
    DocumentEmpty,
    DocumentQuotaExceeded,
    DocumentTooLarge,
)
from gis_core.documents.models import StoredDocument
from gis_core.documents.validation import DocumentKind, Inspection, inspect_document

CHUNK_BYTES = 1024 * 1024
STORAGE_ALIAS = "documents"
MAX_FILENAME_LENGTH = 255


def documents_storage() -> Storage:
    """The storage backend of `STORAGES["documents"]` (looked up on each call, so tests can override it)."""
    return storages[STORAGE_ALIAS]


@dataclass
class _Spool:
    """A verified-size copy of the upload on local disk, its SHA-256 and whether we own (must remove) it."""

    file: TemporaryUploadedFile
    sha256: str
    size: int
    owned: bool

    @property
    def handle(self) -> IO[Any]:
        """The open file object under the Django file wrapper (what pypdf and Pillow read)."""
        handle = self.file.file
        if handle is None:
            raise ValueError("the spooled document is closed")
        return handle

    def close(self) -> None:
        if self.owned:
            self.file.close()  # NamedTemporaryFile: removed on close (or already moved into storage)


def document_store(
    *,
    uploaded_file: UploadedFile | None = None,
    stream: BinaryIO | None = None,
    filename: str | None = None,
    allowed_kinds: Collection[str] = (DocumentKind.PDF, DocumentKind.IMAGE),
    max_bytes: int | None = None,
    user: Any = None,
    supersedes: StoredDocument | None = None,
) -> StoredDocument:
    """Verify and store one upload as a new immutable version; returns its `StoredDocument`.

    Give exactly one of `uploaded_file` (a Django upload) or `stream` (any readable binary file object).
    `filename` is the user's name for the file, kept for display only (defaults to the upload's name).
    `allowed_kinds` are `DocumentKind` values; `max_bytes` defaults to `settings.DOCUMENTS_MAX_UPLOAD_BYTES`.
    `supersedes` makes the new row the next version of that document (which must be its latest version).
    Raises subclasses of `gis_core.documents.errors.DocumentError` (`gis_core.problems.DomainError`).
    """
    if (uploaded_file is None) == (stream is None):
        raise ValueError("document_store needs exactly one of uploaded_file or stream")
    limit = settings.DOCUMENTS_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    display_name = clean_filename(filename or (uploaded_file.name if uploaded_file is not None else "") or "")
    if supersedes is not None:
        _ensure_supersedable(supersedes)  # cheap early check; repeated under a row lock below
    if uploaded_file is not None and uploaded_file.size is not None and uploaded_file.size > limit:
        raise _too_large(limit)

    spool = _spool_upload(uploaded_file, limit) if uploaded_file is not None else _spool_stream(stream, limit)
    try:
        if spool.size == 0:
            raise DocumentEmpty("The document is empty.")
        inspection = inspect_document(
            spool.handle, allowed_kinds=allowed_kinds, max_image_pixels=settings.DOCUMENTS_MAX_IMAGE_PIXELS
        )
        document_id = uuid.uuid4()
        storage = documents_storage()
        spool.file.seek(0)
        stored_key = storage.save(storage_key_for(document_id, inspection), spool.file)  # moved when on disk
        try:
            return _record(
                document_id=document_id,
                inspection=inspection,
                spool=spool,
                storage_key=stored_key,
                filename=display_name,
                user=user,
                supersedes=supersedes,
            )
        except BaseException:
            storage.delete(stored_key)  # the file was written by this call and no row refers to it
            raise
    finally:
        spool.close()


def documents_quota_check(
    *, count: int, total_bytes: int, adding_bytes: int, max_count: int, max_total_bytes: int, owner: str
) -> None:
    """Refuse one more document of `adding_bytes` when the owner holds `count` documents of `total_bytes` already
    and the quota is `max_count` documents, `max_total_bytes` bytes (`DocumentQuotaExceeded`, 409)."""
    if count + 1 > max_count:
        raise DocumentQuotaExceeded(
            f"{owner} holds {count} document versions already, the most it may hold.",
            quota="count",
            max_count=max_count,
        )
    if total_bytes + adding_bytes > max_total_bytes:
        raise DocumentQuotaExceeded(
            f"{owner} holds {total_bytes} bytes of documents; {adding_bytes} more would pass its quota of "
            f"{max_total_bytes} bytes.",
            quota="bytes",
            max_total_bytes=max_total_bytes,
            total_bytes=total_bytes,
        )


def storage_key_for(document_id: uuid.UUID, inspection: Inspection) -> str:
    """`YYYY/MM/<uuid>.<ext>`: the extension comes from the detected format, never from the user's name."""
    now = timezone.now()
    return f"{now:%Y/%m}/{document_id.hex}.{inspection.signature.extension}"


def clean_filename(name: str) -> str:
    """The user's filename for display: no directories, no control characters, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in unicodedata.normalize("NFC", base) if unicodedata.category(char)[0] != "C")
    base = base.strip().strip(".") or "document"
    if len(base) > MAX_FILENAME_LENGTH:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            base = stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            base = base[:MAX_FILENAME_LENGTH]
    return base


def _too_large(limit: int) -> DocumentTooLarge:
    return DocumentTooLarge(f"The document is larger than the limit of {limit} bytes.", max_bytes=limit)


def _chunks(source: IO[Any], limit: int) -> Iterator[bytes]:
    """Chunks of `source`, reading at most `limit + 1` bytes in all (one byte over is enough to refuse)."""
    remaining = limit + 1
    while remaining > 0:
        chunk = source.read(min(CHUNK_BYTES, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def _spool_stream(source: IO[Any] | None, limit: int) -> _Spool:
    """Copy `source` to a new temporary file while hashing and counting; abort past `limit`."""
    assert source is not None
    spool_file = TemporaryUploadedFile("document", "application/octet-stream", 0, None)
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in _chunks(source, limit):
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            digest.update(chunk)
            spool_file.write(chunk)
        spool_file.flush()
    except BaseException:
        spool_file.close()
        raise
    spool_file.size = size
    return _Spool(spool_file, digest.hexdigest(), size, owned=True)


def _spool_upload(uploaded_file: UploadedFile, limit: int) -> _Spool:
    """A Django upload already in a temporary file is hashed in place (and later moved, not copied)."""
    if not isinstance(uploaded_file, TemporaryUploadedFile):
        uploaded_file.seek(0)
        return _spool_stream(uploaded_file.file, limit)
    digest = hashlib.sha256()
    size = 0
    with open(uploaded_file.temporary_file_path(), "rb") as source:
        for chunk in _chunks(source, limit):
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            digest.update(chunk)
    uploaded_file.seek(0)
    return _Spool(uploaded_file, digest.hexdigest(), size, owned=False)


def _ensure_supersedable(previous: StoredDocument) -> None:
    successor = StoredDocument.objects.filter(supersedes_id=previous.pk).values_list("version", flat=True).first()
    if successor is not None:
        raise DocumentAlreadySuperseded(
            f"Version {previous.version} is already superseded by version {successor}; supersede the latest one.",
            latest_version=StoredDocument.objects.filter(lineage=previous.lineage).order_by("-version")[0].version,
        )


@transaction.atomic
def _record(
    *,
    document_id: uuid.UUID,
    inspection: Inspection,
    spool: _Spool,
    storage_key: str,
    filename: str,
    user: Any,
    supersedes: StoredDocument | None,
) -> StoredDocument:
    if supersedes is None:
        lineage, version = document_id, 1
    else:
        previous = StoredDocument.objects.select_for_update().get(pk=supersedes.pk)
        _ensure_supersedable(previous)
        lineage, version = previous.lineage, previous.version + 1
    return StoredDocument.objects.create(
        id=document_id,
        lineage=lineage,
        version=version,
        supersedes_id=None if supersedes is None else supersedes.pk,
        kind=inspection.kind,
        content_type=inspection.content_type,
        original_filename=filename,
        size_bytes=spool.size,
        sha256=spool.sha256,
        storage_key=storage_key,
        page_count=inspection.page_count,
        width=inspection.width,
        height=inspection.height,
        created_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
    )
