"""Helpers of the lifecycle tests (`permits.machines`): a machine's table as a mapping, a record's status after
a service ran, and the proof that nothing but its machine writes a record's status."""

from collections.abc import Callable
from typing import Any

import pytest

from permits.machines import Machine
from permits.models import IllegalStatusWrite, MachineWrittenStatus

Lifecycle = dict[tuple[str, str], str]  # (status, action) -> the status the action leads to


def table_of(machine: Machine[Any]) -> Lifecycle:
    return {(source, t.action): t.target for t in machine.transitions for source in t.sources}


def status_after(record: Any, run: Callable[[], Any]) -> str:
    """Run a service on the record, then its status as stored."""
    run()
    record.refresh_from_db()
    return str(record.status)


def assert_status_written_by_machine_only(record: MachineWrittenStatus, other_status: str) -> None:
    """A save, a queryset update or bulk update changing the record's status raises, and so does creating a record
    in another status than the initial one; the stored status stays; saving other fields still works."""
    model: Any = type(record)
    stored = record.status
    record.status = other_status
    with pytest.raises(IllegalStatusWrite):
        record.save()
    with pytest.raises(IllegalStatusWrite):
        model.objects.filter(pk=record.pk).update(status=other_status)
    with pytest.raises(IllegalStatusWrite):
        model.objects.bulk_update([record], ["status"])
    fields = {field.attname: getattr(record, field.attname) for field in model._meta.concrete_fields}
    fields.pop(model._meta.pk.attname)
    with pytest.raises(IllegalStatusWrite):
        model.objects.create(**fields)  # a new record in `other_status`
    record.refresh_from_db()
    assert record.status == stored
    record.save()  # the status unchanged: other fields are saved as ever
