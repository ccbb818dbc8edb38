"""Admin: the procedure catalogue is edited here; files and the audit trail are read-only (the workflow and the
append-only trail must not be bypassed from the admin)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from permits.models import (
    AuditEvent,
    Consultation,
    Dossier,
    InstructionRound,
    OccasionalMemberRule,
    OutcomeDocument,
    PermanentMember,
    Procedure,
    Remark,
    RemarkReply,
    RequiredDocument,
    RoleMembership,
    StepDeadline,
    UserProfile,
)


class StepDeadlineInline(admin.TabularInline):
    model = StepDeadline
    extra = 0


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class PermanentMemberInline(admin.TabularInline):
    model = PermanentMember
    extra = 0


class OccasionalMemberRuleInline(admin.TabularInline):
    model = OccasionalMemberRule
    extra = 0


class OutcomeDocumentInline(admin.TabularInline):
    model = OutcomeDocument
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fr", "family", "parent", "decided_by", "decision_role", "tacit_opinion", "active")
    list_filter = ("family", "decided_by", "active")
    search_fields = ("code", "name_fr", "name_en")
    inlines = (
        StepDeadlineInline,
        RequiredDocumentInline,
        PermanentMemberInline,
        OccasionalMemberRuleInline,
        OutcomeDocumentInline,
    )


@admin.register(RoleMembership)
class RoleMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "territory", "agency", "active")
    list_filter = ("role", "active")
    search_fields = ("user__username", "territory__code", "agency__code")
    autocomplete_fields = ("user",)
    raw_id_fields = ("territory",)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "preferred_language", "notify_by_email", "notify_by_sms")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ("reference", "procedure", "commune", "status", "decision", "submitted_at")
    list_filter = ("status", "procedure", "decision")
    search_fields = ("reference", "title")
    exclude = ("footprint",)


@admin.register(InstructionRound)
class InstructionRoundAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "number", "opened_at", "closed_at")


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "agency", "round", "deadline", "status", "opinion")
    list_filter = ("status", "agency")


@admin.register(Remark)
class RemarkAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "round", "author", "status", "created_at")
    list_filter = ("status",)


@admin.register(RemarkReply)
class RemarkReplyAdmin(ReadOnlyAdmin):
    list_display = ("remark", "author", "created_at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "at", "action", "dossier", "actor", "address")
    list_filter = ("action",)
    search_fields = ("action", "dossier__reference")
