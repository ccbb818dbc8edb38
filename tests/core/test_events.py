"""The event bus (`gis_core.events`): in-transaction handlers run at once and can abort the publisher; on-commit
handlers run after the commit, never for a rolled-back change, and one failing does not stop the others; only
declared names are subscribed to or published."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, transaction

from gis_core import events

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Happened(events.Event):
    name: str = field(default="test.happened", init=False)
    value: int


@dataclass(frozen=True)
class Other(events.Event):
    name: str = field(default="test.other", init=False)


events.event_declare(event_type=Happened)
events.event_declare(event_type=Other)
events.event_declare(event_type=events.Event, names=["test.named"])


@contextmanager
def subscribed(
    name: str, handler: Callable[[Any], None], phase: events.Phase = events.Phase.ON_COMMIT
) -> Iterator[None]:
    events.event_subscribe(name=name, handler=handler, phase=phase)
    try:
        yield
    finally:
        events.event_unsubscribe(name=name, handler=handler, phase=phase)


def test_in_transaction_handlers_run_at_once_on_commit_ones_after_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    now: list[tuple[events.Event, bool]] = []
    later: list[events.Event] = []

    def in_transaction(event: events.Event) -> None:
        now.append((event, connection.in_atomic_block))

    with (
        subscribed("test.happened", in_transaction, events.Phase.IN_TRANSACTION),
        subscribed("test.happened", later.append),
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
            events.event_publish(event=Happened(value=7))
            assert now == [(Happened(value=7), True)] and later == []
        assert later == []
        assert len(callbacks) == 1
        callbacks[0]()
    assert later == [Happened(value=7)]
    assert later[0].name == "test.happened"


def test_a_failing_in_transaction_handler_aborts_the_publisher(django_capture_on_commit_callbacks: Any) -> None:
    later: list[events.Event] = []

    def refuse(event: events.Event) -> None:
        raise RuntimeError("outbox refused")

    with (
        subscribed("test.happened", refuse, events.Phase.IN_TRANSACTION),
        subscribed("test.happened", later.append),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError, match="outbox refused"),
        transaction.atomic(),
    ):
        events.event_publish(event=Happened(value=1))
    assert later == []


def test_a_rolled_back_change_delivers_nothing_on_commit(django_capture_on_commit_callbacks: Any) -> None:
    later: list[events.Event] = []

    class Abort(Exception):
        pass

    with subscribed("test.happened", later.append), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Abort), transaction.atomic():
            events.event_publish(event=Happened(value=1))
            raise Abort
        events.event_publish(event=Happened(value=2))  # committed
    assert later == [Happened(value=2)]
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_on_commit_handler_is_logged_and_does_not_stop_the_others(caplog: Any) -> None:
    first: list[events.Event] = []
    last: list[events.Event] = []

    def broken(event: events.Event) -> None:
        raise ValueError("handler bug")

    with (
        subscribed("test.happened", first.append),
        subscribed("test.happened", broken),
        subscribed("test.happened", last.append),
        caplog.at_level(logging.ERROR),
        transaction.atomic(),
    ):  # a real commit: Django runs the callbacks
        events.event_publish(event=Happened(value=3))
        assert first == last == []
    assert first == last == [Happened(value=3)]
    assert any("broken(test.happened)" in record.getMessage() for record in caplog.records)


def test_the_decorator_subscribes_to_each_name_and_the_wildcard_to_every_event(
    django_capture_on_commit_callbacks: Any,
) -> None:
    got: list[str] = []
    everything: list[str] = []

    @events.subscriber("test.happened", "test.named")
    def handler(event: events.Event) -> None:
        got.append(event.name)

    def wildcard(event: events.Event) -> None:
        everything.append(event.name)

    try:
        with subscribed(events.ALL_EVENTS, wildcard), django_capture_on_commit_callbacks(execute=True):
            events.event_publish(event=Happened(value=1))
            events.event_publish(event=events.Event("test.named"))
            events.event_publish(event=Other())
    finally:
        events.event_unsubscribe(name="test.happened", handler=handler)
        events.event_unsubscribe(name="test.named", handler=handler)
    assert got == ["test.happened", "test.named"]
    assert everything == ["test.happened", "test.named", "test.other"]


def test_subscribing_twice_delivers_once_and_unsubscribing_stops_delivery(
    django_capture_on_commit_callbacks: Any,
) -> None:
    got: list[events.Event] = []
    events.event_subscribe(name="test.happened", handler=got.append)
    events.event_subscribe(name="test.happened", handler=got.append)
    with django_capture_on_commit_callbacks(execute=True):
        events.event_publish(event=Happened(value=1))
    events.event_unsubscribe(name="test.happened", handler=got.append)
    with django_capture_on_commit_callbacks(execute=True):
        events.event_publish(event=Happened(value=2))
    assert got == [Happened(value=1)]


def test_only_declared_names_are_subscribed_to_or_published() -> None:
    with pytest.raises(events.UnknownEvent, match=r"unknown event 'test\.happend'"):
        events.event_subscribe(name="test.happend", handler=print)
    with pytest.raises(events.UnknownEvent, match=r"unknown event 'test\.undeclared'"):
        events.event_publish(event=events.Event("test.undeclared"))
    with pytest.raises(events.UnknownEvent, match="declared as Happened"):
        events.event_publish(event=events.Event("test.happened"))  # the right name, not its type


def test_a_name_has_one_type_and_a_type_without_a_fixed_name_says_its_names() -> None:
    events.event_declare(event_type=Happened)  # again: nothing changes
    with pytest.raises(events.UnknownEvent, match="already declared as Happened"):
        events.event_declare(event_type=Other, names=["test.happened"])
    with pytest.raises(events.UnknownEvent, match="no fixed name"):
        events.event_declare(event_type=events.Event)
    events.event_publish(event=Happened(value=1))  # the refused declarations changed nothing
