"""Notifications of the commissions, scheduled inside the services' transactions (sent by Celery after commit).

| event key (`templates/notifications/<key>.<lang>.txt`) | to | reference (idempotency) |
|---|---|---|
| commission.agenda | every active member | `session-<id>#agenda-v<version>` (in `examination.session_agenda_send`) |
| commission.slot_booked | the applicant (and architect) | `booking-<id>#<session>-<slot>`: a move is news |
| commission.signature_turn | a signer whose turn has come | `signature-request-<id>` |
"""

from typing import Any

from django.utils import timezone

from gis_core.notifications.services import notification_schedule_event
from permits.commissions.models import Booking, OutputKind, SignatureRequest, SignatureStatus
from permits.notifications import dossier_link, recipients


def _send(*, user_ids: list[int | None], event_key: str, reference: str, context: dict[str, Any]) -> None:
    for person in recipients(user_ids):
        for channel, address in person.channels():
            notification_schedule_event(
                channel=channel,
                recipient=address,
                language=person.language,
                event_key=event_key,
                reference=reference,
                context={**context, "name": person.name},
            )


def booking_notify(*, booking: Booking) -> None:
    """Tell the applicant (and their architect) when and where their file is examined."""
    dossier = booking.dossier
    _send(
        user_ids=[dossier.applicant_id, dossier.architect_id],
        event_key="commission.slot_booked",
        reference=f"booking-{booking.pk}#{booking.session_id}-{booking.first_slot_id}",
        context={
            "reference": dossier.reference,
            "commission": booking.session.commission.name_fr,
            "cutoff_hours": booking.session.commission.booking_cutoff_hours,
            "date": timezone.localtime(booking.first_slot.starts_at),
            "link": dossier_link(dossier.pk),
        },
    )


def signers_notify_turn(*, output_ids: list[int]) -> None:
    """Tell each signer whose turn has come (every earlier signer of the document has signed)."""
    pending = (
        SignatureRequest.objects.filter(output_id__in=output_ids, status=SignatureStatus.PENDING)
        .select_related("output__dossier")
        .order_by("output_id", "position")
    )
    first_pending: dict[int, SignatureRequest] = {}
    for request in pending:
        first_pending.setdefault(request.output_id, request)
    for request in first_pending.values():
        dossier = request.output.dossier
        _send(
            user_ids=[request.signer_id],
            event_key="commission.signature_turn",
            reference=f"signature-request-{request.pk}",
            context={
                "reference": dossier.reference if dossier else "",
                "document": OutputKind(request.output.kind).label,  # lazy: rendered in the signer's language
                "link": dossier_link(dossier.pk) if dossier else "",
            },
        )
