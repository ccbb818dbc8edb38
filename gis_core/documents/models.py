"""`StoredDocument`: one immutable version of an uploaded document, chained to the version it supersedes.

A row is written once by `services.document_store` and never changed or deleted: `save()` refuses updates,
`delete()` and the queryset's `update()`/`delete()` refuse, and a PostgreSQL trigger (`sql/immutable.sql`)
refuses UPDATE and DELETE for anything that goes around the ORM. Versions of one document share a `lineage`
(the id of version 1) and form a chain through `supersedes`, one successor per version at most.
"""

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from gis_core.documents.errors import DocumentImmutable
from gis_core.documents.validation import DocumentKind


class StoredDocumentQuerySet(models.QuerySet["StoredDocument"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise DocumentImmutable("Stored documents cannot be updated; store a new version instead.")

    def delete(self) -> NoReturn:
        raise DocumentImmutable("Stored documents cannot be deleted.")


class StoredDocument(models.Model):
    """One version of a document: verified content, its hash, and where storage keeps it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lineage = models.UUIDField(editable=False, help_text="Id of the first version; shared by all versions.")
    version = models.PositiveIntegerField(editable=False)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        editable=False,
        help_text="The previous version of the same document.",
    )
    kind = models.CharField(max_length=16, choices=DocumentKind.choices, editable=False)
    content_type = models.CharField(max_length=100, editable=False, help_text="Detected from the magic bytes.")
    original_filename = models.CharField(max_length=255, editable=False, help_text="As given; never used as a key.")
    size_bytes = models.PositiveBigIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False, db_index=True)
    storage_key = models.CharField(max_length=512, editable=False, help_text='Name in STORAGES["documents"].')
    page_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    width = models.PositiveIntegerField(null=True, blank=True, editable=False, help_text="Images: pixels.")
    height = models.PositiveIntegerField(null=True, blank=True, editable=False, help_text="Images: pixels.")
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = StoredDocumentQuerySet.as_manager()

    class Meta:
        ordering = ("lineage", "version")
        constraints = [
            models.UniqueConstraint(fields=("lineage", "version"), name="documents_unique_lineage_version"),
            models.CheckConstraint(
                condition=(Q(version=1, supersedes__isnull=True) | Q(version__gt=1, supersedes__isnull=False)),
                name="documents_first_version_has_no_predecessor",
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="documents_sha256_hex"),
            models.CheckConstraint(
                condition=Q(kind=DocumentKind.IMAGE) | Q(page_count__gte=1), name="documents_pdf_has_pages"
            ),
        ]
        indexes = [models.Index(fields=("lineage", "-version"), name="documents_latest_version")]

    def __str__(self) -> str:
        return f"{self.original_filename} (v{self.version}, {self.sha256[:12]})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise DocumentImmutable("Stored documents cannot be modified; store a new version instead.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise DocumentImmutable("Stored documents cannot be deleted.")
