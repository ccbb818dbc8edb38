"""Who is told what about a file's site inspection: subscribers (`Phase.IN_TRANSACTION`) that schedule the
notifications through `permits.notifications.notify` (e-mail and SMS as each person chose, in their language,
written in the service's transaction, sent by Celery after commit; idempotent per occurrence).

| event | template (`templates/notifications/<key>.<lang>.txt`) | recipients |
|---|---|---|
| inspection.proposed, .rescheduled | inspection.proposed | applicant (and architect) |
| inspection.cancelled | inspection.cancelled | applicant (and architect) |
| inspection.confirmed | inspection.confirmed | who proposed it, the assigned inspector (else the commune's) |
| inspection.other_date_asked | inspection.other_date_asked | the same staff |
| inspection.closed | inspection.closed | applicant (and architect) |
"""

from django.db.models import Q
from django.utils import timezone

from gis_core.events import Phase, subscriber
from permits import access
from permits.events import DossierEvent
from permits.inspections import events  # noqa: F401  (declares the names subscribed below)
from permits.inspections.models import Inspection, Verdict
from permits.models import Dossier, Role, RoleMembership
from permits.notifications import notify, occurrence_of, owners_of

TEMPLATES = (
    "inspection.proposed",
    "inspection.cancelled",
    "inspection.confirmed",
    "inspection.other_date_asked",
    "inspection.closed",
)


def inspectors_of(dossier: Dossier) -> list[int]:
    scope = access.commune_ancestry(dossier)
    return list(
        RoleMembership.objects.filter(role=Role.INSPECTOR, active=True)
        .filter(Q(territory__isnull=True) | Q(territory_id__in=scope))
        .values_list("user_id", flat=True)
    )


def _inspection(event: DossierEvent) -> Inspection:
    return Inspection.objects.select_related("dossier__procedure", "dossier__commune__parent__parent").get(
        pk=event.data["inspection"]
    )


def _extra(inspection: Inspection) -> dict[str, object]:
    return {
        "starts_at": timezone.localtime(inspection.starts_at),
        "duration_minutes": inspection.duration_minutes,
        "procedure": inspection.dossier.procedure.name_fr,
    }


@subscriber("inspection.proposed", "inspection.rescheduled", "inspection.cancelled", phase=Phase.IN_TRANSACTION)
def on_appointment(event: DossierEvent) -> None:
    inspection = _inspection(event)
    template = "inspection.cancelled" if event.name == "inspection.cancelled" else "inspection.proposed"
    notify(
        dossier=inspection.dossier,
        template=template,
        occurrence=f"{event.name}-{inspection.pk}-{occurrence_of(event)}",
        user_ids=owners_of(inspection.dossier),
        extra={
            **_extra(inspection),
            "rescheduled": event.name == "inspection.rescheduled",
            "reason": event.data.get("reason", ""),
        },
    )


@subscriber("inspection.confirmed", "inspection.other_date_asked", phase=Phase.IN_TRANSACTION)
def on_applicant_answer(event: DossierEvent) -> None:
    inspection = _inspection(event)
    staff = (
        [inspection.proposed_by_id, inspection.inspector_id]
        if inspection.inspector_id
        else [
            inspection.proposed_by_id,
            *inspectors_of(inspection.dossier),
        ]
    )
    notify(
        dossier=inspection.dossier,
        template=event.name,
        occurrence=f"{event.name}-{inspection.pk}-{occurrence_of(event)}",
        user_ids=staff,
        extra={**_extra(inspection), "message": event.data.get("message", "")},
    )


@subscriber("inspection.closed", phase=Phase.IN_TRANSACTION)
def on_closed(event: DossierEvent) -> None:
    inspection = _inspection(event)
    notify(
        dossier=inspection.dossier,
        template="inspection.closed",
        occurrence=f"{event.name}-{inspection.pk}",
        user_ids=owners_of(inspection.dossier),
        extra={**_extra(inspection), "verdict_label": Verdict(inspection.verdict).label},
    )
