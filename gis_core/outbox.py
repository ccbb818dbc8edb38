"""An outbox for work that must follow a commit and must never be lost, such as forgetting the cached tiles of a
published file: a row written in the publishing transaction, done after the commit, tried again until it succeeds.

Each face keeps its own rows: a concrete model deriving from `OutboxItem`, written by an in-transaction subscriber
of the event bus (`gis_core.events.Phase.IN_TRANSACTION`), so the row commits or rolls back with the change.
Then (as `gis_core.notifications` does with its deliveries):

- right after the commit, a first attempt (`outbox_attempt`); on failure a Celery task tries again after a
  backoff (`OUTBOX_RETRY_BASE_SECONDS`, doubling up to `OUTBOX_RETRY_MAX_SECONDS`), for as long as it takes;
- a Celery beat task runs the leftovers (`outbox_leftovers`): rows whose attempt or retry was lost with a process
  or a broker (the broker is often the very Redis that was down).

`outbox_attempt(model=, item_id=, work=, retry_on=)` locks the row (a row another process holds is skipped), runs
`work(item)` and marks the row done; when `work` raises one of `retry_on`, it counts the attempt, keeps the error and
says when to try again. A done row is never run again, and `work` must be idempotent (forgetting a tile twice is
harmless): an attempt may be repeated after a crash. `outbox_after_commit` schedules the first attempt and hands a
failure to the face's Celery task; `outbox_enqueue_after_commit` hands even the first attempt to it (long work, such
as re-cutting the pieces of an imported area, that must not hold the committing process); `outbox_run_leftovers` is
the body of the face's beat task.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

# A pending row whose next attempt is this late is a leftover: its Celery retry was lost.
LEFTOVER_AFTER = timedelta(seconds=30)
MAX_ERROR_LENGTH = 2000


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"


class OutboxItem(models.Model):
    """A unit of work to do after a commit; the face's concrete model says what (e.g. which file's tiles)."""

    status = models.CharField(max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="When a pending row is due.")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="%(app_label)s_%(class)s_due")]


@dataclass(frozen=True)
class OutboxOutcome:
    status: str  # the row's status after the attempt, "skipped" when another process held it, "missing"
    retry_in: float | None = None  # seconds before the next attempt, when it failed
    result: str = ""  # what `work` reported (for logs)


def outbox_backoff_seconds(attempts: int) -> float:
    """The wait after the `attempts`-th failed attempt: base, doubling, capped."""
    base, cap = settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS
    return float(min(cap, base * 2 ** max(attempts - 1, 0)))


def outbox_attempt[ItemT: OutboxItem](
    *, model: type[ItemT], item_id: int, work: Callable[[ItemT], str], retry_on: tuple[type[Exception], ...]
) -> OutboxOutcome:
    """One attempt at a row (see the module docstring). Errors other than `retry_on` propagate; the row stays
    pending and the leftovers' task runs it again."""
    with transaction.atomic():
        item = model._default_manager.select_for_update(skip_locked=True).filter(pk=item_id).first()
        if item is None:
            exists = model._default_manager.filter(pk=item_id).exists()
            return OutboxOutcome(status="skipped" if exists else "missing")
        if item.status == OutboxStatus.DONE:
            return OutboxOutcome(status=item.status)
        item.attempts += 1
        try:
            result = work(item)
        except retry_on as error:
            retry_in = outbox_backoff_seconds(item.attempts)
            item.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
            item.next_attempt_at = timezone.now() + timedelta(seconds=retry_in)
            item.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning(
                "%s %s: attempt %d failed (%s), next in %.0f s", model.__name__, item_id, item.attempts, error, retry_in
            )
            return OutboxOutcome(status=item.status, retry_in=retry_in)
        item.status, item.done_at = OutboxStatus.DONE, timezone.now()
        item.save(update_fields=["attempts", "status", "done_at"])
        return OutboxOutcome(status=item.status, result=result)


def outbox_leftovers[ItemT: OutboxItem](
    *, model: type[ItemT], late_by: timedelta = LEFTOVER_AFTER, limit: int = 500
) -> list[int]:
    """Ids of the pending rows whose next attempt is `late_by` overdue (their retry was lost), oldest first."""
    due_before = timezone.now() - late_by
    rows = model._default_manager.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=due_before)
    return list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def outbox_after_commit(*, item_id: int, run: Callable[[int], OutboxOutcome], retry_task: Any, label: str) -> None:
    """When the current transaction commits: `run(item_id)` in this process at once; if it fails, `retry_task` (a
    Celery task taking the id, retrying until done) after the backoff; the broker down too, the leftovers' task."""

    def first_attempt() -> None:
        outcome = run(item_id)
        if outcome.retry_in is None:
            logger.info("%s %s: %s (%s)", label, item_id, outcome.status, outcome.result)
            return
        try:
            retry_task.apply_async((item_id,), countdown=outcome.retry_in)
        except BrokerUnavailable as error:
            logger.warning("%s %s left to the leftovers' task: the broker is unavailable (%s)", label, item_id, error)

    transaction.on_commit(first_attempt, robust=True)


def outbox_enqueue_after_commit(*, item_id: int, task: Any, label: str) -> None:
    """When the current transaction commits: `task` (a Celery task taking the id, retrying until done) is enqueued for
    the first attempt; the broker down, the leftovers' task does it."""

    def enqueue() -> None:
        try:
            task.delay(item_id)
        except BrokerUnavailable as error:
            logger.warning("%s %s left to the leftovers' task: the broker is unavailable (%s)", label, item_id, error)

    transaction.on_commit(enqueue, robust=True)


def outbox_run_leftovers[ItemT: OutboxItem](
    *, model: type[ItemT], run: Callable[[int], OutboxOutcome], label: str, late_by: timedelta = LEFTOVER_AFTER
) -> int:
    """Run the leftovers (`outbox_leftovers`) now, one attempt each; returns how many are done."""
    leftovers = outbox_leftovers(model=model, late_by=late_by)
    done = sum(run(item_id).status == OutboxStatus.DONE for item_id in leftovers)
    if leftovers:
        logger.warning("%s: %d leftovers run, %d done", label, len(leftovers), done)
    return done
