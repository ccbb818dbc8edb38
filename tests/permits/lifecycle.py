"""Helpers of the lifecycle tests (`permits.machines`): a machine's table as a mapping, a record's status after
a service ran."""

from collections.abc import Callable
from typing import Any

from permits.machines import Machine

Lifecycle = dict[tuple[str, str], str]  # (status, action) -> the status the action leads to


def table_of(machine: Machine[Any]) -> Lifecycle:
    return {(source, t.action): t.target for t in machine.transitions for source in t.sources}


def status_after(record: Any, run: Callable[[], Any]) -> str:
    """Run a service on the record, then its status as stored."""
    run()
    record.refresh_from_db()
    return str(record.status)
