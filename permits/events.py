"""The permits domain's events on the platform's bus (`gis_core.events`): what a file tells the faces and the
notifications. This module is the catalogue; it declares every name below when imported.

File events are `DossierEvent`s: `dossier_id`, `actor_id` and `data`, the payload of the audit event of the same
name, written in the same transaction (`permits.services._common.audit_and_publish`): `dossier.<workflow action>`
for every transition (from, to, reference, and what the transition adds), `dossier.created`, `dossier.updated`,
`dossier.document_uploaded`, `dossier.dispatched`, `consultation.opinion_given`, `consultation.tacit_opinion`,
`remark.replied`, `remark.closed`.

    from gis_core import events
    from permits.events import DossierEvent

    @events.subscriber("dossier.submit", phase=events.Phase.IN_TRANSACTION)
    def notify_applicant(event: DossierEvent) -> None: ...
"""

from dataclasses import dataclass, field
from typing import Any

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
)


event_declare(event_type=DossierEvent, names=DOSSIER_EVENT_NAMES)
