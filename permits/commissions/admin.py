"""Admin of the commissions: set-up (commissions, members, schedules, durations) editable, each edit in the audit
trail (`permits.admin_audit`); sessions, bookings, examinations, outputs and signature requests read-only (they
change only through the services)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from permits.admin_audit import AuditedAdmin
from permits.commissions.models import (
    Booking,
    Commission,
    CommissionMember,
    Examination,
    OutputDocument,
    ProcedureDuration,
    Session,
    SessionSchedule,
    SignatureRequest,
)


class MemberInline(admin.TabularInline):
    model = CommissionMember
    extra = 0
    autocomplete_fields = ["user"]


class ScheduleInline(admin.TabularInline):
    model = SessionSchedule
    extra = 0


class DurationInline(admin.TabularInline):
    model = ProcedureDuration
    extra = 0


@admin.register(Commission)
class CommissionAdmin(AuditedAdmin):
    list_display = ["name_fr", "territory", "family", "quorum_minimum_members", "active"]
    list_filter = ["family", "active"]
    filter_horizontal = ["procedures", "required_agencies"]
    inlines = [MemberInline, ScheduleInline, DurationInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["commission", "starts_at", "capacity", "status"]
    list_filter = ["status", "commission"]
    date_hierarchy = "starts_at"


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "session", "first_slot", "slot_count", "status", "created_at", "moved_at"]
    list_filter = ["status"]


@admin.register(Examination)
class ExaminationAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "session", "joint_opinion", "recorded_at"]


@admin.register(OutputDocument)
class OutputDocumentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "dossier", "examination", "session", "lineage", "created_at"]
    list_filter = ["kind"]


@admin.register(SignatureRequest)
class SignatureRequestAdmin(ReadOnlyAdmin):
    list_display = ["output", "position", "signer", "field_name", "status", "requested_at", "signed_at"]
    list_filter = ["status"]
