"""Admin of the delivery log: read-only, filterable by status/channel/event, with a requeue action for failures.

The rows hold personal data (recipients, message text): the admin is staff-only, and nothing here is public.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from gis_core.notifications.models import Delivery, DeliveryAttempt
from gis_core.notifications.services import delivery_requeue

ATTEMPT_FIELDS = ("number", "outcome", "permanent", "error", "provider_message_id", "created_at")


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "channel", "event_key", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "language", "event_key", "created_at"]
    search_fields = ["event_key", "idempotency_key", "provider_message_id"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    actions = ["requeue_failed"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    @admin.action(description="Send the selected failed deliveries again")
    def requeue_failed(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        failed = list(queryset.filter(status=Delivery.Status.FAILED).values_list("pk", flat=True))
        for delivery_id in failed:
            delivery_requeue(delivery_id=delivery_id)
        self.message_user(request, f"{len(failed)} failed delivery(ies) requeued.", messages.SUCCESS)
