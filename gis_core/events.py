"""The platform's one event bus: publishers declare their events, subscribers react in one of two phases.

An event is a frozen dataclass deriving from `Event`; its `name` says which fact it is. Each publisher declares
the names it publishes with their type (`event_declare`, when its catalogue module is imported):
`permits.events` (a file's events and the commissions' facts), `gis_core.importing.events` (`LayerImported`).
Subscribing to or publishing a name nobody declared raises `UnknownEvent`, so a misspelt name fails at start-up
instead of never firing. A type that stands for one fact fixes its name: `name: str = field(default=..., init=False)`.

Publishers call `event_publish(event=...)` inside their transaction. Each subscriber chooses its phase:

- `Phase.ON_COMMIT` (default): the handler runs after the transaction commits, as its own
  `transaction.on_commit(..., robust=True)` callback, so nothing happens for a rolled-back change and a failing
  handler (logged by Django with its traceback) does not stop the others. For work that may be lost on a crash
  between commit and callback: cache invalidation, enqueuing an idempotent Celery task that takes ids.
- `Phase.IN_TRANSACTION`: the handler runs at once, inside the publisher's transaction; its writes commit or roll
  back with the change, and an exception aborts the publisher. For an outbox that must never lose work, e.g.
  `gis_core.notifications.services.notification_schedule_event`, which writes the delivery row in the caller's
  transaction and enqueues the sending task on commit itself.

    from gis_core import events

    @events.subscriber("dossier.publish")
    def forget_tiles(event: DossierEvent) -> None: ...

Handlers live in their app's `subscribers.py` (the domain's notifications in `permits.notifications`), imported
by the app's `AppConfig.ready()`. `"*"` (`ALL_EVENTS`) subscribes to every event. The bus is per process: it only
reaches this process's subscribers, which is what on-commit work needs (Celery carries anything further).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from django.db import transaction

ALL_EVENTS = "*"


class Phase(StrEnum):
    IN_TRANSACTION = "in_transaction"
    ON_COMMIT = "on_commit"


class UnknownEvent(ValueError):
    """A name no publisher declared, or an event of another type than its name's."""


@dataclass(frozen=True)
class Event:
    """What every event carries: its name. Subclasses add the payload."""

    name: str


Handler = Callable[[Any], None]

_declared: dict[str, type[Event]] = {}
_handlers: dict[tuple[Phase, str], list[Handler]] = defaultdict(list)


def event_declare(*, event_type: type[Event], names: Iterable[str] = ()) -> None:
    """Declare that `names` are published as `event_type` (idempotent; a name has one type). A type that stands
    for one fact is declared without `names`: its name is the default of its `name` field."""
    if not names:
        default = next(item.default for item in fields(event_type) if item.name == "name")
        if not isinstance(default, str):
            raise UnknownEvent(f"{event_type.__qualname__} has no fixed name: say which names it is published as")
        names = [default]
    for name in names:
        known = _declared.setdefault(name, event_type)
        if known is not event_type:
            raise UnknownEvent(f"event {name!r} is already declared as {known.__qualname__}")


def _check_declared(name: str) -> None:
    if name != ALL_EVENTS and name not in _declared:
        raise UnknownEvent(f"unknown event {name!r}; declared: {', '.join(sorted(_declared))}")


def event_subscribe[EventT: Event](
    *, name: str, handler: Callable[[EventT], None], phase: Phase = Phase.ON_COMMIT
) -> None:
    """Call `handler` with every event `name` (every event with "*") in `phase` (idempotent)."""
    _check_declared(name)
    if handler not in _handlers[(phase, name)]:
        _handlers[(phase, name)].append(handler)


def event_unsubscribe[EventT: Event](
    *, name: str, handler: Callable[[EventT], None], phase: Phase = Phase.ON_COMMIT
) -> None:
    if handler in _handlers[(phase, name)]:
        _handlers[(phase, name)].remove(handler)


def subscriber[EventT: Event](
    *names: str, phase: Phase = Phase.ON_COMMIT
) -> Callable[[Callable[[EventT], None]], Callable[[EventT], None]]:
    """Decorator: subscribe the function to each of `names` in `phase`."""

    def register(handler: Callable[[EventT], None]) -> Callable[[EventT], None]:
        for name in names:
            event_subscribe(name=name, handler=handler, phase=phase)
        return handler

    return register


def _subscribed(phase: Phase, name: str) -> list[Handler]:
    return [*_handlers.get((phase, name), []), *_handlers.get((phase, ALL_EVENTS), [])]


def _delivery(handler: Handler, event: Event) -> Callable[[], None]:
    def deliver() -> None:
        handler(event)

    deliver.__qualname__ = f"{getattr(handler, '__qualname__', repr(handler))}({event.name})"
    return deliver


def event_publish(*, event: Event) -> None:
    """Run the in-transaction handlers now and schedule each on-commit one for when the transaction commits."""
    declared = _declared.get(event.name)
    if declared is None:
        raise UnknownEvent(f"unknown event {event.name!r}: declare it before publishing it")
    if not isinstance(event, declared):
        raise UnknownEvent(f"{event.name!r} is declared as {declared.__qualname__}, not {type(event).__qualname__}")
    for handler in _subscribed(Phase.IN_TRANSACTION, event.name):
        handler(event)
    for handler in _subscribed(Phase.ON_COMMIT, event.name):
        transaction.on_commit(_delivery(handler, event), robust=True)
