"""The decision of an occupancy permit or a conformity certificate waits for its site inspection: through the legal
path (commission, session with quorum, president's decision, PAdES signatures), the decision is refused (409,
audited) while the report of the current round is not closed, allowed after; a "not conform" verdict allows only a
refusal, or remarks to the applicant, whose reply opens a new round that needs a new inspection."""

from typing import Any

import pytest

from permits import services as permit_services
from permits.errors import IllegalTransition
from permits.inspections.guards import InspectionReportMissing
from permits.models import AuditEvent, Dossier, DossierStatus, Remark
from tests.inspections.conftest import closed_inspection, confirmed_inspection, occupancy_file
from tests.legal_path import LegalPath
from tests.permits.factories import ADDRESS, give_all_opinions

pytestmark = pytest.mark.django_db


def refusals(dossier: Dossier) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(dossier=dossier, action="decision.refused").order_by("sequence"))


def ready_for_commission(dossier: Dossier) -> Dossier:
    give_all_opinions(dossier)
    dossier.refresh_from_db()
    return dossier


def test_decided_only_once_the_report_is_closed(
    occupancy: Dossier, staff: dict[str, Any], legal_path: LegalPath
) -> None:
    dossier = ready_for_commission(occupancy)
    with pytest.raises(InspectionReportMissing, match="no inspection yet") as refused:
        legal_path.decide(dossier)
    assert refused.value.status == 409
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_COMMISSION and dossier.decision == ""
    assert [event.payload["action"] for event in refusals(dossier)] == ["commission.decision"]
    assert refusals(dossier)[0].payload["rule"] == "site_inspection"

    inspection = confirmed_inspection(dossier, staff)
    with pytest.raises(InspectionReportMissing, match="confirmed"):  # scheduled is not enough
        legal_path.decide(dossier)
    assert len(refusals(dossier)) == 2
    assert not AuditEvent.objects.filter(dossier=dossier, action="dossier.decide").exists()

    from permits.inspections import services
    from tests.inspections.conftest import all_conform

    services.inspection_report_save(
        actor=staff["inspector"],
        address=ADDRESS,
        inspection=inspection,
        answers=all_conform(dossier),
        verdict="conform",
    )
    services.inspection_close(actor=staff["inspector"], address=ADDRESS, inspection=inspection)
    published = legal_path.publish(dossier)
    assert published.status == DossierStatus.PUBLISHED and published.decision == "favourable"


def test_not_conform_is_refused_or_inspected_again(
    catalogue: None, commune: Any, staff: dict[str, Any], legal_path: LegalPath
) -> None:
    dossier = ready_for_commission(occupancy_file(commune, code="certificate-of-conformity"))
    closed_inspection(dossier, staff, verdict="not_conform", deviations="Un étage de plus que le plan autorisé.")
    with pytest.raises(InspectionReportMissing, match="not conform"):
        legal_path.decide(dossier, decision="favourable")
    assert len(refusals(dossier)) == 1
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_COMMISSION
    decided = legal_path.decide(dossier, decision="unfavourable", motivation="Non conforme : étage supplémentaire.")
    dossier.refresh_from_db()
    assert decided is not None and dossier.status == DossierStatus.DECIDED and dossier.decision == "unfavourable"


def test_remarks_open_a_round_that_needs_a_new_inspection(
    catalogue: None, commune: Any, staff: dict[str, Any], legal_path: LegalPath
) -> None:
    dossier = occupancy_file(commune)
    closed_inspection(dossier, staff, verdict="not_conform", deviations="Garde-corps absents au 2e étage.")
    desk = staff["desk_agent"]
    remark = permit_services.remark_issue(
        actor=desk, address=ADDRESS, dossier=dossier, text="Posez les garde-corps (voir le rapport de récolement)."
    )
    permit_services.remarks_send_to_applicant(actor=desk, address=ADDRESS, dossier=dossier)
    permit_services.remark_reply(
        actor=dossier.applicant, address=ADDRESS, remark=Remark.objects.get(pk=remark.pk), text="Garde-corps posés."
    )
    permit_services.remark_close(actor=desk, address=ADDRESS, remark=Remark.objects.get(pk=remark.pk))
    dossier = ready_for_commission(dossier)
    assert dossier.current_round == 2
    with pytest.raises(InspectionReportMissing, match="round 1"):
        legal_path.decide(dossier)
    closed_inspection(dossier, staff, verdict="conform")
    legal_path.decide(dossier)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED and dossier.decision == "favourable"


def test_a_building_permit_needs_no_inspection(catalogue: None, commune: Any, legal_path: LegalPath) -> None:
    from permits.models import Procedure
    from tests.permits.factories import DossierFactory

    building = DossierFactory.create(
        procedure=Procedure.objects.get(code="building-permit"), commune=commune, under_instruction=True
    )
    legal_path.decide(ready_for_commission(building))
    building.refresh_from_db()
    assert building.status == DossierStatus.DECIDED
    assert isinstance(InspectionReportMissing("x"), IllegalTransition)


def test_the_commission_sees_the_verdict_and_the_report_in_session(
    occupancy: Dossier, staff: dict[str, Any], legal_path: LegalPath
) -> None:
    from django.test import Client

    dossier = ready_for_commission(occupancy)
    inspection = closed_inspection(dossier, staff, verdict="minor_deviations", deviations="Garde-corps en aluminium.")
    examination = legal_path.examine(dossier)
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    president = examination.session.commission.president
    assert president is not None
    client.force_login(president)
    page = client.get(f"/office/commission/sessions/{examination.session_id}/").content.decode()
    assert f'id="inspection-{dossier.pk}"' in page and "Garde-corps en aluminium." in page
    assert f"/files/{dossier.pk}/inspection/{inspection.pk}/report.pdf" in page
