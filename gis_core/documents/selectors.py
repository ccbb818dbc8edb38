"""Reads of the document store: one version, a document's version chain, the latest version of each document."""

import uuid

from django.core.files import File

from gis_core.documents.errors import DocumentNotFound
from gis_core.documents.models import StoredDocument, StoredDocumentQuerySet
from gis_core.documents.services import documents_storage


def document_get(*, document_id: uuid.UUID | str) -> StoredDocument:
    """One stored version by id; `DocumentNotFound` when there is none (or the id is not a uuid)."""
    try:
        return StoredDocument.objects.get(pk=uuid.UUID(str(document_id)))
    except (ValueError, StoredDocument.DoesNotExist) as error:
        raise DocumentNotFound("No such document.") from error


def document_versions(*, document: StoredDocument) -> StoredDocumentQuerySet:
    """Every version of `document`'s chain, oldest first (version 1, 2, ...), whichever version is given."""
    return StoredDocument.objects.filter(lineage=document.lineage).order_by("version")


def document_latest(*, document: StoredDocument) -> StoredDocument:
    """The newest version of `document`'s chain (the one that nothing supersedes)."""
    return StoredDocument.objects.filter(lineage=document.lineage).order_by("-version")[0]


def document_is_latest(*, document: StoredDocument) -> bool:
    return not StoredDocument.objects.filter(supersedes_id=document.pk).exists()


def documents_latest_versions(*, lineages: list[uuid.UUID]) -> StoredDocumentQuerySet:
    """The latest version of each given lineage (one query, PostgreSQL DISTINCT ON)."""
    return StoredDocument.objects.filter(lineage__in=lineages).order_by("lineage", "-version").distinct("lineage")


def document_open(*, document: StoredDocument) -> File:
    """The stored content, opened for reading in binary (close it, or use it as a context manager)."""
    return documents_storage().open(document.storage_key, "rb")
