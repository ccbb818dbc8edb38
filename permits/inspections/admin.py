"""Admin of the site inspections: the catalogue's part is editable; inspections are read only (services write)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from permits.inspections.models import ChecklistItem, Inspection, ProcedureInspection


@admin.register(ProcedureInspection)
class ProcedureInspectionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "required")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("procedure", "order", "code", "label_fr")
    list_filter = ("procedure",)


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("dossier", "starts_at", "status", "verdict", "inspector")
    list_filter = ("status", "verdict")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
