"""What every record with a lifecycle shares: a `status` that only its state machine writes.

`Dossier` (machine: `permits.workflow`), `Remark` and `Consultation` (`permits.lifecycles`), `Booking` and
`SignatureRequest` (`permits.commissions.lifecycles`) inherit `MachineWrittenStatus`. Their `save` refuses a
change of status unless the machine writes it (`status_write`), a new record starts in its initial status only,
and their querysets refuse `update(status=...)` and `bulk_update` of the status, which would bypass `save`.
"""

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from django.db import models


class IllegalStatusWrite(RuntimeError):
    """A status was changed outside its state machine (a programming error, not a user error)."""


class MachineWrittenStatusQuerySet(models.QuerySet[Any]):
    def _refuse_status(self, fields: Iterable[str], call: str) -> None:
        if "status" in fields:
            raise IllegalStatusWrite(f"{self.model._meta.model_name}: {call} of the status goes around its machine")

    def update(self, **kwargs: Any) -> int:
        self._refuse_status(kwargs, "update")
        return super().update(**kwargs)

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        fields = list(fields)
        self._refuse_status(fields, "bulk_update")
        return super().bulk_update(objs, fields, batch_size=batch_size)


class MachineWrittenStatus(models.Model):
    """Abstract: the subclass declares `status`, its `INITIAL_STATUS` and the `STATUS_MACHINE` that writes it."""

    INITIAL_STATUS: ClassVar[str]
    STATUS_MACHINE: ClassVar[str]  # the module of the machine, named in the error

    objects = MachineWrittenStatusQuerySet.as_manager()

    class Meta:
        abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `status` may be deferred: read it from __dict__ so that building an instance never queries.
        self._stored_status: str | None = self.__dict__.get("status") if self.pk else None
        self._machine_writing = False

    def save(self, *args: Any, **kwargs: Any) -> None:
        created_as_initial = self._stored_status is None and self.status == self.INITIAL_STATUS
        if self.status != self._stored_status and not (self._machine_writing or created_as_initial):
            raise IllegalStatusWrite(
                f"{self._meta.model_name} {self.pk}: status {self._stored_status!r} -> {self.status!r}"
                f" outside {self.STATUS_MACHINE}"
            )
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._stored_status = self.status

    def status_write(self, status: str, *, update_fields: Sequence[str] | None = None) -> None:
        """Set and save the new status (with `update_fields`, those fields only): for the record's machine alone,
        which has checked the transition (`tests/permits/test_status_writers.py` holds every caller to it)."""
        self.status = status
        self._machine_writing = True
        try:
            self.save(update_fields=update_fields)
        finally:
            self._machine_writing = False
