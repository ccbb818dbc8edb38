"""The state machine of a record with a lifecycle of its own, in the shape of `permits.workflow`.

A `Machine` is a table of `Transition`s: an action, the statuses it starts from, the status it leads to, and its
guards. `check` raises the typed error the services report when the action is not possible on the record now;
`apply` checks, then writes the new status (`MachineWrittenStatus.status_write`): it is the only writer of the
record's status. A transition's `refused` builds the error for a record whose status is not among its sources;
a guard returns the error that refuses the transition, or None. The tables live next to their records:
`permits.lifecycles` (remarks, consultations), `permits.commissions.lifecycles` (bookings, signature requests).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gis_core.problems import DomainError
from permits.models import MachineWrittenStatus

type Context = Mapping[str, Any]
type Guard[Record: MachineWrittenStatus] = Callable[[Record, Context], DomainError | None]


@dataclass(frozen=True)
class Transition[Record: MachineWrittenStatus]:
    action: str
    sources: frozenset[str]
    target: str
    refused: Callable[[Record, Context], DomainError]  # the error when the record's status is not a source
    guards: tuple[Guard[Record], ...] = field(default=())


@dataclass(frozen=True)
class Machine[Record: MachineWrittenStatus]:
    transitions: tuple[Transition[Record], ...]

    def transition_for(self, action: str) -> Transition[Record]:
        return next(transition for transition in self.transitions if transition.action == action)

    def check(self, *, record: Record, action: str, context: Context | None = None) -> Transition[Record]:
        """Raise the record's typed error unless `action` is possible on it now."""
        transition = self.transition_for(action)
        context = context or {}
        if record.status not in transition.sources:
            raise transition.refused(record, context)
        for guard in transition.guards:
            error = guard(record, context)
            if error is not None:
                raise error
        return transition

    def allows(self, *, record: Record, action: str, context: Context | None = None) -> bool:
        try:
            self.check(record=record, action=action, context=context)
        except DomainError:
            return False
        return True

    def apply(
        self, *, record: Record, action: str, context: Context | None = None, changes: Mapping[str, Any] | None = None
    ) -> tuple[str, str]:
        """Check and run a transition, saving `changes` (other fields) with the new status. Returns (from, to)."""
        transition = self.check(record=record, action=action, context=context)
        previous = record.status
        for name, value in (changes or {}).items():
            setattr(record, name, value)
        record.status_write(transition.target, update_fields=["status", *(changes or {})])
        return previous, transition.target
