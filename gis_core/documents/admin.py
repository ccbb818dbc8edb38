"""Read-only admin of stored documents: they can be browsed, never added, changed or deleted here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gis_core.documents.models import StoredDocument


@admin.register(StoredDocument)
class StoredDocumentAdmin(admin.ModelAdmin):
    list_display = ("original_filename", "version", "kind", "content_type", "size_bytes", "created_at", "created_by")
    list_filter = ("kind", "content_type")
    search_fields = ("original_filename", "sha256", "=lineage")
    readonly_fields = [field.name for field in StoredDocument._meta.fields]
    raw_id_fields = ("supersedes", "created_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
