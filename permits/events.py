"""The permits domain's events on the platform's bus (`gis_core.events`): what a file and its commission tell the
faces and the notifications. This module is the catalogue; it declares every name below when imported.

File events are `DossierEvent`s: `dossier_id`, `actor_id` and `data`, the payload of the audit event of the same
name, written in the same transaction (`permits.services._common.audit_and_publish`): `dossier.<workflow action>`
for every transition (from, to, reference, and what the transition adds), `dossier.created`, `dossier.updated`,
`dossier.document_uploaded`, `dossier.dispatched`, `consultation.opinion_given`, `consultation.tacit_opinion`,
`remark.replied`, `remark.closed`, and the file's legal clock's `dossier.clock_reminder`, `dossier.clock_escalation`.

The commissions' facts are typed events, one per fact: `SessionHeld`, `DecisionRecorded`, `SignatureRequested`,
`SignatureGiven`, `FilePublished` (`permits.commissions`). docs/adr/0004-event-bus.md lists every payload.

    from gis_core import events
    from permits.events import DossierEvent

    @events.subscriber("dossier.submit", phase=events.Phase.IN_TRANSACTION)
    def notify_applicant(event: DossierEvent) -> None: ...
"""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from gis_core.events import Event, event_declare
from permits.workflow import Action


@dataclass(frozen=True)
class DossierEvent(Event):
    """A file's event; `data` is the payload of its audit event."""

    dossier_id: int | None
    actor_id: int | None
    data: dict[str, Any] = field(default_factory=dict)


DOSSIER_EVENT_NAMES = (
    "dossier.created",
    "dossier.updated",
    "dossier.document_uploaded",
    *(f"dossier.{action}" for action in Action),
    "dossier.dispatched",
    "consultation.opinion_given",
    "consultation.tacit_opinion",
    "remark.replied",
    "remark.closed",
    "dossier.clock_reminder",
    "dossier.clock_escalation",
)


@dataclass(frozen=True)
class SessionHeld(Event):
    """The commission sits: the attendance of its session was recorded (again when it is corrected)."""

    name: str = field(default="commission.session_held", init=False)
    session_id: int
    commission_id: int
    actor_id: int
    present_member_ids: tuple[int, ...]


@dataclass(frozen=True)
class DecisionRecorded(Event):
    """The president decided a file examined in session (`dossier.decide` published before it); its PV, decision
    and, when authorised, stamped plans are generated and await their signatures."""

    name: str = field(default="commission.decision_recorded", init=False)
    dossier_id: int
    actor_id: int
    session_id: int
    examination_id: int
    decision: str
    output_ids: tuple[int, ...]


@dataclass(frozen=True)
class SignatureRequested(Event):
    """A signer asked to sign an output in their turn; the PAdES signature is applied in Celery after commit."""

    name: str = field(default="commission.signature_requested", init=False)
    dossier_id: int | None
    actor_id: int
    request_id: int
    output_id: int
    kind: str
    field_name: str


@dataclass(frozen=True)
class SignatureGiven(Event):
    """A signature is in: `signed_document_id` is the new, signed version of the output."""

    name: str = field(default="commission.signature_given", init=False)
    dossier_id: int
    actor_id: int
    request_id: int
    output_id: int
    kind: str
    field_name: str
    signed_document_id: UUID


@dataclass(frozen=True)
class FilePublished(Event):
    """The last signature of the file's outputs is in: the file was signed and published (`dossier.sign` and
    `dossier.publish` published before it) and its signed outputs are released to the applicant."""

    name: str = field(default="commission.file_published", init=False)
    dossier_id: int
    actor_id: int
    examination_id: int | None  # None: decided by a service, without a commission
    output_ids: tuple[int, ...]


COMMISSION_EVENTS: tuple[type[Event], ...] = (
    SessionHeld,
    DecisionRecorded,
    SignatureRequested,
    SignatureGiven,
    FilePublished,
)

event_declare(event_type=DossierEvent, names=DOSSIER_EVENT_NAMES)
for _event_type in COMMISSION_EVENTS:
    event_declare(event_type=_event_type)
