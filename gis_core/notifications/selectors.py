"""Reads of the notification kernel, for the back office and operators (never for a public view)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from gis_core.notifications.models import Delivery, DeliveryAttempt


def delivery_list_failed(*, since: datetime | None = None) -> QuerySet[Delivery]:
    """Deliveries that ended as failed (newest first): they need an operator's look, then `delivery_requeue`."""
    deliveries = Delivery.objects.filter(status=Delivery.Status.FAILED)
    if since is not None:
        deliveries = deliveries.filter(created_at__gte=since)
    return deliveries.order_by("-created_at", "-id")


def delivery_attempt_list(*, delivery_id: int) -> QuerySet[DeliveryAttempt]:
    """The attempts of one delivery in order."""
    return DeliveryAttempt.objects.filter(delivery_id=delivery_id).order_by("number")


def delivery_list_stale(*, stale_before: datetime) -> QuerySet[Delivery]:
    """Deliveries still waiting although they should have been tried: pending (unchanged) since before
    `stale_before`, or retrying with a retry time before it (their task was probably lost)."""
    pending = Q(status=Delivery.Status.PENDING, updated_at__lt=stale_before)
    retrying = Q(status=Delivery.Status.RETRYING, next_attempt_at__lt=stale_before)
    return Delivery.objects.filter(pending | retrying).order_by("created_at", "id")
