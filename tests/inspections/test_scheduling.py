"""Scheduling a site inspection with the applicant: the desk (or an inspector) proposes a date, the applicant
confirms or asks for another one, the staff reschedules or cancels; each step audited, published and notified by
e-mail and SMS; every refusal changes nothing."""

from typing import Any

import pytest

from gis_core.notifications.models import Delivery
from permits.errors import PermissionDenied
from permits.inspections import services
from permits.inspections.errors import InspectionConflict, InvalidInspectionInput
from permits.inspections.models import Inspection, InspectionStatus
from permits.models import AuditEvent, Dossier, Procedure
from tests.inspections.conftest import in_days
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


def deliveries(event_key: str) -> list[tuple[str, str]]:
    return sorted(Delivery.objects.filter(event_key=event_key).values_list("channel", "recipient"))


def actions(dossier: Dossier) -> list[str]:
    return list(
        AuditEvent.objects.filter(dossier=dossier, action__startswith="inspection.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_proposed_confirmed_and_both_sides_notified(occupancy: Dossier, staff: dict[str, Any]) -> None:
    desk, applicant = staff["desk_agent"], occupancy.applicant
    starts_at = in_days(4)
    inspection = services.inspection_propose(
        actor=desk, address=ADDRESS, dossier=occupancy, starts_at=starts_at, inspector=staff["inspector"]
    )
    assert inspection.status == InspectionStatus.PROPOSED and inspection.round_number == occupancy.current_round
    assert deliveries("inspection.proposed") == [("email", applicant.email), ("sms", "+212600000001")]
    body = Delivery.objects.get(event_key="inspection.proposed", channel="email").body
    assert starts_at.strftime("%d/%m/%Y") in body and f"/files/{occupancy.pk}/" in body

    services.inspection_confirm(actor=applicant, address=ADDRESS, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CONFIRMED and inspection.confirmed_at is not None
    # the staff is told: who proposed it and the inspector it is assigned to
    assert deliveries("inspection.confirmed") == sorted([("email", desk.email), ("email", staff["inspector"].email)])
    assert actions(occupancy) == ["inspection.proposed", "inspection.confirmed"]


def test_another_date_asked_then_rescheduled_then_cancelled(occupancy: Dossier, staff: dict[str, Any]) -> None:
    desk, applicant, inspector = staff["desk_agent"], occupancy.applicant, staff["inspector"]
    inspection = services.inspection_propose(actor=inspector, address=ADDRESS, dossier=occupancy, starts_at=in_days(2))
    with pytest.raises(InvalidInspectionInput):  # the applicant must say when they are available
        services.inspection_ask_other_date(actor=applicant, address=ADDRESS, inspection=inspection, message="  ")
    services.inspection_ask_other_date(
        actor=applicant, address=ADDRESS, inspection=inspection, message="Any morning next week"
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.RESCHEDULE_REQUESTED
    assert "Any morning next week" in Delivery.objects.get(event_key="inspection.other_date_asked").body

    first = inspection.starts_at
    services.inspection_reschedule(
        actor=desk, address=ADDRESS, inspection=inspection, starts_at=in_days(8, hour=9), reason="asked by applicant"
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PROPOSED and inspection.starts_at == in_days(8, hour=9)
    rescheduled = AuditEvent.objects.get(dossier=occupancy, action="inspection.rescheduled")
    assert rescheduled.payload["previous_starts_at"] == first.isoformat()
    assert rescheduled.payload["reason"] == "asked by applicant"
    # the applicant is told of the new date (a second message of the same template, not a duplicate)
    assert Delivery.objects.filter(event_key="inspection.proposed", channel="email").count() == 2

    with pytest.raises(InvalidInspectionInput):  # a cancellation says why
        services.inspection_cancel(actor=desk, address=ADDRESS, inspection=inspection, reason="")
    services.inspection_cancel(actor=desk, address=ADDRESS, inspection=inspection, reason="inspector unavailable")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CANCELLED
    assert deliveries("inspection.cancelled") == [("email", applicant.email), ("sms", "+212600000001")]
    with pytest.raises(InspectionConflict):  # a cancelled inspection is not confirmed
        services.inspection_confirm(actor=applicant, address=ADDRESS, inspection=inspection)
    # a new one may be proposed now that none is open
    services.inspection_propose(actor=desk, address=ADDRESS, dossier=occupancy, starts_at=in_days(10))
    assert actions(occupancy) == [
        "inspection.proposed",
        "inspection.other_date_asked",
        "inspection.rescheduled",
        "inspection.cancelled",
        "inspection.proposed",
    ]


def test_who_may_do_what_and_refusals_audited(occupancy: Dossier, staff: dict[str, Any]) -> None:
    stranger = UserFactory.create(username="stranger")
    with pytest.raises(PermissionDenied):  # not the desk nor an inspector of the commune
        services.inspection_propose(actor=stranger, address=ADDRESS, dossier=occupancy, starts_at=in_days(3))
    with pytest.raises(PermissionDenied):  # the president does not schedule
        services.inspection_propose(
            actor=staff["commission_president"], address=ADDRESS, dossier=occupancy, starts_at=in_days(3)
        )
    assert not Inspection.objects.exists()
    refused = AuditEvent.objects.filter(dossier=occupancy, action="permission.refused")
    assert [event.payload["action"] for event in refused] == ["inspection.propose", "inspection.propose"]

    inspection = services.inspection_propose(
        actor=staff["desk_agent"], address=ADDRESS, dossier=occupancy, starts_at=in_days(3)
    )
    with pytest.raises(PermissionDenied):  # only the applicant confirms
        services.inspection_confirm(actor=staff["desk_agent"], address=ADDRESS, inspection=inspection)
    with pytest.raises(PermissionDenied):  # the applicant does not reschedule themselves
        services.inspection_reschedule(
            actor=occupancy.applicant, address=ADDRESS, inspection=inspection, starts_at=in_days(5)
        )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PROPOSED


def test_bad_dates_and_files_are_refused(occupancy: Dossier, staff: dict[str, Any], commune: Any) -> None:
    desk = staff["desk_agent"]
    with pytest.raises(InvalidInspectionInput):
        services.inspection_propose(actor=desk, address=ADDRESS, dossier=occupancy, starts_at=in_days(-1))
    with pytest.raises(InvalidInspectionInput):
        services.inspection_propose(actor=desk, address=ADDRESS, dossier=occupancy, starts_at=None)
    with pytest.raises(InvalidInspectionInput):
        services.inspection_propose(
            actor=desk, address=ADDRESS, dossier=occupancy, starts_at=in_days(2), duration_minutes=5
        )
    with pytest.raises(InvalidInspectionInput):  # the desk agent is not an inspector
        services.inspection_propose(
            actor=desk, address=ADDRESS, dossier=occupancy, starts_at=in_days(2), inspector=desk
        )
    services.inspection_propose(actor=desk, address=ADDRESS, dossier=occupancy, starts_at=in_days(2))
    with pytest.raises(InspectionConflict):  # one open inspection at a time
        services.inspection_propose(actor=desk, address=ADDRESS, dossier=occupancy, starts_at=in_days(3))
    building = DossierFactory.create(
        procedure=Procedure.objects.get(code="building-permit"), commune=commune, under_instruction=True
    )
    with pytest.raises(InspectionConflict):  # a building permit has no site inspection
        services.inspection_propose(actor=desk, address=ADDRESS, dossier=building, starts_at=in_days(2))
    draft = DossierFactory.create(procedure=Procedure.objects.get(code="certificate-of-conformity"), commune=commune)
    with pytest.raises(InspectionConflict):  # not complete yet
        services.inspection_propose(actor=desk, address=ADDRESS, dossier=draft, starts_at=in_days(2))
    assert Inspection.objects.count() == 1


def test_only_the_machine_writes_an_inspections_status(occupancy: Dossier, staff: dict[str, Any]) -> None:
    from tests.permits.lifecycle import assert_status_written_by_machine_only

    inspection = services.inspection_propose(
        actor=staff["desk_agent"], address=ADDRESS, dossier=occupancy, starts_at=in_days(3)
    )
    assert_status_written_by_machine_only(inspection, InspectionStatus.CLOSED)
