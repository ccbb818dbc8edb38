"""The domain's event-publishing point: services publish, subscribers act after the transaction commits.

Services call `event_publish(name=..., dossier_id=..., ...)` inside their transaction; each subscribed handler
is called by `transaction.on_commit`, so nothing is sent for a rolled-back change. Handlers take ids (never
model instances) and should only enqueue work (a Celery task), which keeps them fast and idempotent:

    from permits import events

    @events.subscriber("dossier.submitted")
    def notify_desk(event: events.Event) -> None:
        send_notifications.delay(event.name, event.dossier_id)

Each handler is its own `on_commit(..., robust=True)` callback: a failing handler is logged by Django with its
traceback and does not stop the others (the change it reacts to is already committed); a handler that must
not lose work records its own failures (the notification tasks record each send and its status).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

ALL_EVENTS = "*"


@dataclass(frozen=True)
class Event:
    name: str
    dossier_id: int | None
    actor_id: int | None
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], None]

_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscriber(name: str) -> Callable[[Handler], Handler]:
    """Decorator: call the function after commit for every event `name` (or every event with "*")."""

    def register(handler: Handler) -> Handler:
        event_subscribe(name=name, handler=handler)
        return handler

    return register


def event_subscribe(*, name: str, handler: Handler) -> None:
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def event_unsubscribe(*, name: str, handler: Handler) -> None:
    if handler in _handlers[name]:
        _handlers[name].remove(handler)


def event_publish(*, name: str, dossier_id: int | None, actor_id: int | None, **data: Any) -> Event:
    """Schedule delivery of an event to its subscribers when the current transaction commits."""
    event = Event(name=name, dossier_id=dossier_id, actor_id=actor_id, data=data)
    for handler in [*_handlers.get(name, []), *_handlers.get(ALL_EVENTS, [])]:
        transaction.on_commit(_delivery(handler, event), robust=True)
    return event


def _delivery(handler: Handler, event: Event) -> Callable[[], None]:
    def deliver() -> None:
        handler(event)

    deliver.__qualname__ = f"{getattr(handler, '__qualname__', repr(handler))}({event.name})"
    return deliver
