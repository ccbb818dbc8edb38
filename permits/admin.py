"""Admin: the procedure catalogue is edited here, each edit in the audit trail (`permits.admin_audit`); files and
the audit trail are read-only (the workflow and the append-only trail must not be bypassed from the admin). Roles
follow the separation of duties of `permits.services.people`: nobody grants themselves a role, and the sensitive
ones (commission member and president, signing authority, administrator) are asked for by one administrator and
approved by another (`RoleGrantRequest`, with its approve and reject actions)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from permits import services
from permits.admin_audit import AuditedAdmin
from permits.errors import IllegalTransition, PermissionDenied
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
    RoleGrantRequest,
    RoleMembership,
    StepDeadline,
    UserProfile,
)
from permits.refusals import refusal_record


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
class ProcedureAdmin(AuditedAdmin):
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


def _refused(request: HttpRequest, action: str, error: PermissionDenied) -> forms.ValidationError:
    """A refusal of the admin's form: audited (`permission.refused`), shown as the form's error."""
    refusal_record(
        action=action, actor=request.user, address=request.META.get("REMOTE_ADDR"), dossier_id=None, error=error
    )
    return forms.ValidationError(error.detail)


class RoleMembershipForm(forms.ModelForm):
    request: HttpRequest

    class Meta:
        model = RoleMembership
        fields = ("user", "role", "territory", "agency", "active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user, role = cleaned.get("user"), cleaned.get("role")
        granting = self.instance.pk is None or (cleaned.get("active") and not self.initial.get("active"))
        changed_grant = self.instance.pk is not None and {"user", "role", "territory", "agency"} & set(
            self.changed_data
        )
        if user is not None and role and (granting or changed_grant):
            refusal = services.role_grant_refusal(granted_by=self.request.user, user=user, role=role)
            if refusal is not None:
                raise _refused(self.request, "role.grant", refusal)
        return cleaned


@admin.register(RoleMembership)
class RoleMembershipAdmin(AuditedAdmin):
    """A role that is not sensitive is granted here (`role_grant`, audited); a sensitive one only through a
    `RoleGrantRequest` approved by a second administrator. Deactivating a membership is an audited change."""

    form = RoleMembershipForm
    list_display = ("user", "role", "territory", "agency", "active")
    list_filter = ("role", "active")
    search_fields = ("user__username", "territory__code", "agency__code")
    autocomplete_fields = ("user",)
    raw_id_fields = ("territory",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        membership = services.role_grant(
            granted_by=request.user,
            user=obj.user,
            role=obj.role,
            territory=obj.territory,
            agency=obj.agency,
            address=request.META.get("REMOTE_ADDR"),
        )
        obj.pk = membership.pk
        request._audit_before = None  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:  # a new membership is audited as `role.granted` by the service
            super().save_related(request, form, formsets, change)


class RoleGrantRequestForm(forms.ModelForm):
    request: HttpRequest

    class Meta:
        model = RoleGrantRequest
        fields = ("user", "role", "territory", "agency")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user = cleaned.get("user")
        if user is not None and user.pk == self.request.user.pk:
            refusal = PermissionDenied("nobody asks for a role for themselves", role=cleaned.get("role"))
            raise _refused(self.request, "role.grant_request", refusal)
        return cleaned


@admin.register(RoleGrantRequest)
class RoleGrantRequestAdmin(admin.ModelAdmin):
    """One administrator asks (add), another approves or rejects (the list's actions); never edited."""

    form = RoleGrantRequestForm
    list_display = ("user", "role", "territory", "agency", "requested_by", "requested_at", "approved", "decided_by")
    list_filter = ("role", "approved")
    autocomplete_fields = ("user",)
    raw_id_fields = ("territory",)
    actions = ("approve", "reject")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)  # the list's actions, never a form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        asked = services.role_grant_request(
            requested_by=request.user,
            user=obj.user,
            role=obj.role,
            territory=obj.territory,
            agency=obj.agency,
            address=request.META.get("REMOTE_ADDR"),
        )
        obj.pk, obj.requested_by, obj.requested_at = asked.pk, asked.requested_by, asked.requested_at

    def _decide(self, request: HttpRequest, queryset: QuerySet[RoleGrantRequest], approve: bool) -> None:
        for grant_request in queryset:
            try:
                if approve:
                    services.role_grant_approve(
                        approved_by=request.user, request=grant_request, address=request.META.get("REMOTE_ADDR")
                    )
                else:
                    services.role_grant_reject(
                        rejected_by=request.user, request=grant_request, address=request.META.get("REMOTE_ADDR")
                    )
            except (PermissionDenied, IllegalTransition) as error:
                self.message_user(request, f"{grant_request}: {error.detail}", level=messages.ERROR)
            else:
                self.message_user(request, f"{grant_request}: {'approved' if approve else 'rejected'}")

    @admin.action(description="Approve the selected requests (as the second administrator)")
    def approve(self, request: HttpRequest, queryset: QuerySet[RoleGrantRequest]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description="Reject the selected requests")
    def reject(self, request: HttpRequest, queryset: QuerySet[RoleGrantRequest]) -> None:
        self._decide(request, queryset, approve=False)


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
