"""Admin edits in the audit trail: who changed what, before and after.

`AuditedAdmin` (a `ModelAdmin` base) records, in the admin's own transaction, one hash-chained event
(`permits.audit.audit_record`) per object created, changed or deleted through the Django admin, inlines included:
`admin.created`, `admin.changed` (only the fields that changed, with their value before and after, many-to-many
fields as sorted ids) and `admin.deleted` (the object as it was). The catalogue (procedures and their inlines) and
the commissions (members, schedules, durations) are edited this way (`permits.admin`, `permits.commissions.admin`).
"""

import json
from typing import Any

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest

from permits.audit import audit_record

Snapshot = dict[str, Any]


def snapshot(instance: models.Model) -> Snapshot:
    """The object's concrete and many-to-many field values, JSON-safe."""
    values: Snapshot = {}
    for field in instance._meta.concrete_fields:
        values[field.attname] = field.value_from_object(instance)
    if instance.pk is not None:
        for field in instance._meta.many_to_many:
            values[field.name] = sorted(related.pk for related in getattr(instance, field.name).all())
    return dict(json.loads(json.dumps(values, cls=DjangoJSONEncoder)))


def _label(instance: models.Model) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def admin_change_record(
    *, request: HttpRequest, action: str, instance: models.Model, before: Snapshot | None, after: Snapshot | None
) -> None:
    """One audit event for an admin edit (`before` None: created; `after` None: deleted)."""
    object_id = instance.pk if instance.pk is not None else (before or {}).get("id")
    if before is not None and after is not None:
        changed = sorted(key for key in after if before.get(key) != after[key])
        if not changed:
            return
        before, after = {key: before.get(key) for key in changed}, {key: after[key] for key in changed}
    audit_record(
        action=action,
        actor_id=getattr(request.user, "pk", None),
        address=request.META.get("REMOTE_ADDR"),
        payload={
            "model": _label(instance),
            "object": object_id,
            "repr": str(instance),
            "before": before,
            "after": after,
        },
    )


class AuditedAdmin(admin.ModelAdmin):
    """A `ModelAdmin` whose edits, and those of its inlines, are written to the audit trail (module docstring)."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        request._audit_before = snapshot(stored) if stored is not None else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # many-to-many fields and inlines are saved here
        before = getattr(request, "_audit_before", None)
        instance = form.instance
        action = "admin.changed" if before is not None else "admin.created"
        admin_change_record(request=request, action=action, instance=instance, before=before, after=snapshot(instance))

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: "BaseModelFormSet[Any, Any]", change: bool
    ) -> None:
        stored = {
            inline_form.instance.pk: snapshot(
                type(inline_form.instance)._default_manager.get(pk=inline_form.instance.pk)
            )
            for inline_form in formset.forms
            if inline_form.instance.pk is not None and inline_form.has_changed()
        }
        super().save_formset(request, form, formset, change)
        for instance in formset.new_objects:
            admin_change_record(
                request=request, action="admin.created", instance=instance, before=None, after=snapshot(instance)
            )
        for instance, _fields in formset.changed_objects:
            admin_change_record(
                request=request,
                action="admin.changed",
                instance=instance,
                before=stored.get(instance.pk),
                after=snapshot(instance),
            )
        for instance in formset.deleted_objects:
            before = stored.get(instance.pk) or snapshot(instance)
            admin_change_record(request=request, action="admin.deleted", instance=instance, before=before, after=None)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = snapshot(obj)
        super().delete_model(request, obj)
        admin_change_record(request=request, action="admin.deleted", instance=obj, before=before, after=None)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
