"""The domain's event-publishing point: services publish, subscribers react in one of two phases.

Services call `event_publish(name=..., dossier_id=..., actor_id=..., **data)` inside their transaction.

- `Phase.ON_COMMIT` (default): the handler runs after the transaction commits, as its own
  `transaction.on_commit(..., robust=True)` callback, so nothing happens for a rolled-back change and a failing
  handler (logged by Django with its traceback) does not stop the others. For work that may be lost on a crash
  between commit and callback: cache invalidation, enqueuing an idempotent Celery task that takes ids.
- `Phase.IN_TRANSACTION`: the handler runs at once, inside the service's transaction; its writes commit or roll
  back with the change, and an exception aborts the service. For an outbox that must never lose work, e.g.
  `gis_core.notifications.services.notification_schedule_event`, which writes the delivery row in the caller's
  transaction and enqueues the sending task on commit itself.

    from permits import events

    @events.subscriber("dossier.submit", phase=events.Phase.IN_TRANSACTION)
    def notify_applicant(event: events.Event) -> None:
        notification_schedule_event(..., event_key=event.name, reference=event.data["reference"], ...)

Event names (`EVENT_NAMES`): `dossier.<workflow action>` for every transition (payload: from, to, reference...),
plus `dossier.created`, `dossier.updated`, `dossier.document_uploaded`, `dossier.dispatched`,
`consultation.opinion_given`, `consultation.tacit_opinion`, `remark.replied`, `remark.closed`.
`"*"` subscribes to all of them.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction

ALL_EVENTS = "*"
EVENT_NAMES = (
    "dossier.created",
    "dossier.updated",
    "dossier.document_uploaded",
    "dossier.submit",
    "dossier.accept_complete",
    "dossier.return_incomplete",
    "dossier.dispatched",
    "dossier.issue_remark",
    "dossier.send_remarks",
    "dossier.reply_to_remarks",
    "dossier.send_to_commission",
    "dossier.decide",
    "dossier.sign",
    "dossier.publish",
    "dossier.withdraw",
    "consultation.opinion_given",
    "consultation.tacit_opinion",
    "remark.replied",
    "remark.closed",
)


class Phase(StrEnum):
    IN_TRANSACTION = "in_transaction"
    ON_COMMIT = "on_commit"


@dataclass(frozen=True)
class Event:
    name: str
    dossier_id: int | None
    actor_id: int | None
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], None]

_handlers: dict[tuple[Phase, str], list[Handler]] = defaultdict(list)


def subscriber(name: str, *, phase: Phase = Phase.ON_COMMIT) -> Callable[[Handler], Handler]:
    """Decorator: call the function for every event `name` (or every event with "*") in `phase`."""

    def register(handler: Handler) -> Handler:
        event_subscribe(name=name, handler=handler, phase=phase)
        return handler

    return register


def event_subscribe(*, name: str, handler: Handler, phase: Phase = Phase.ON_COMMIT) -> None:
    if name != ALL_EVENTS and name not in EVENT_NAMES and not name.startswith("test."):
        raise ValueError(f"unknown event {name!r}; known: {', '.join(EVENT_NAMES)}")
    if handler not in _handlers[(phase, name)]:
        _handlers[(phase, name)].append(handler)


def event_unsubscribe(*, name: str, handler: Handler, phase: Phase = Phase.ON_COMMIT) -> None:
    if handler in _handlers[(phase, name)]:
        _handlers[(phase, name)].remove(handler)


def _subscribed(phase: Phase, name: str) -> list[Handler]:
    return [*_handlers.get((phase, name), []), *_handlers.get((phase, ALL_EVENTS), [])]


def _delivery(handler: Handler, event: Event) -> Callable[[], None]:
    def deliver() -> None:
        handler(event)

    deliver.__qualname__ = f"{getattr(handler, '__qualname__', repr(handler))}({event.name})"
    return deliver


def event_publish(*, name: str, dossier_id: int | None, actor_id: int | None, **data: Any) -> Event:
    """Run the in-transaction handlers now and schedule the on-commit ones for when the transaction commits."""
    event = Event(name=name, dossier_id=dossier_id, actor_id=actor_id, data=data)
    for handler in _subscribed(Phase.IN_TRANSACTION, name):
        handler(event)
    for handler in _subscribed(Phase.ON_COMMIT, name):
        transaction.on_commit(_delivery(handler, event), robust=True)
    return event
