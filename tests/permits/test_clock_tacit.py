"""The tacit path with a frozen clock: once the decision's limit counted from filing has expired (law 12-90 art. 48
in the catalogue), the beat task decides the file by the workflow's TACIT_DECISION, the attestation of tacit
authorisation is generated, stamped and sealed by the platform (a real PAdES signature, verified by pdfsig), the
file is signed by SEAL_TACIT_DECISION and published, the applicant is told; a re-run changes nothing. Nobody else
can take that path, and a file waiting for the applicant is never decided by silence."""

import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import TestCase

from gis_core.documents.services import documents_storage
from gis_core.notifications.models import Delivery
from gis_core.signing.pki import DevelopmentPki
from permits import services, workflow
from permits.commissions import selectors
from permits.commissions.models import OutputKind
from permits.commissions.tasks import clock_outcomes_apply
from permits.errors import IllegalTransition, PermissionDenied
from permits.models import AuditEvent, Decision, Dossier, DossierStatus, Procedure
from tests.legal_path import (  # noqa: F401 - the session's development PKI and the signing settings, as fixtures
    LegalPath,
    legal_path,
    pdfsig_checked,
    pki,
)
from tests.permits.factories import DossierFactory, ProcedureFactory, staff_for, submit
from tests.permits.test_clock import accept, at, clock_catalogue, send_remarks

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure() -> Procedure:
    return clock_catalogue(ProcedureFactory.create(code="building-permit"))


@pytest.fixture
def filed(procedure: Procedure) -> Dossier:
    """A file filed and accepted on Monday 1 February 2027: deemed authorised after Thursday 1 April."""
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
        accept(dossier)
    dossier.refresh_from_db()
    return dossier


def test_silence_authorises_the_file_by_the_legal_path(
    filed: Dossier,
    legal_path: LegalPath,  # noqa: F811
    pki: DevelopmentPki,  # noqa: F811
    tmp_path: Path,
) -> None:
    pki.user(settings.SIGNING_PLATFORM_SEAL_USERNAME, display_name="Plateforme d'urbanisme")
    with at(date(2027, 4, 1)):  # the deadline day itself: not yet
        assert clock_outcomes_apply(today=date(2027, 4, 1))["tacit_decisions"] == 0
    with at(date(2027, 4, 2)), TestCase.captureOnCommitCallbacks(execute=True):  # the seal runs after commit
        assert clock_outcomes_apply(today=date(2027, 4, 2))["tacit_decisions"] == 1
    filed.refresh_from_db()
    assert filed.status == DossierStatus.PUBLISHED
    assert filed.decided_tacitly and filed.decision == Decision.FAVOURABLE

    actions = list(AuditEvent.objects.filter(dossier=filed).values_list("action", "actor_id"))
    assert ("dossier.tacit_decision", None) in actions
    assert ("dossier.seal_tacit_decision", None) in actions
    assert [action for action, _actor in actions][-1] == "dossier.publish"
    decision = AuditEvent.objects.get(dossier=filed, action="dossier.tacit_decision")
    assert decision.payload["deadline"] == "2027-04-01" and "12-90" in decision.payload["legal_source"]

    reports = pdfsig_checked(filed, pki, tmp_path)  # one output, its one seal valid and trusted
    assert len(reports) == 1
    (report,) = reports.values()
    assert "Plateforme" in report
    attestation = filed.commission_outputs.get(kind=OutputKind.DECISION)
    latest = selectors.output_latest_version(output=attestation)
    path = tmp_path / "attestation.pdf"
    with documents_storage().open(latest.storage_key, "rb") as handle:
        path.write_bytes(handle.read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Attestation d'autorisation tacite" in text and "réputée accordée" in text
    assert "01/04/2027" in text
    words = " ".join(text.split())  # the source in each language's text ("article" in Arabic), never English
    assert "(loi 12-90, art. 48)" in words and "المادة" in words and "law 12-90" not in words

    told = Delivery.objects.filter(event_key="dossier.tacit_decision", recipient=filed.applicant.email)
    assert told.count() == 1 and "(loi 12-90, art. 48)" in told.get().body  # the applicant reads French

    events = AuditEvent.objects.count()
    with at(date(2027, 4, 5)):  # run again: nothing changes
        assert clock_outcomes_apply(today=date(2027, 4, 5)) == {
            "reminders": 0,
            "escalations": 0,
            "tacit_decisions": 0,
        }
    assert AuditEvent.objects.count() == events


def test_only_the_clock_decides_by_silence(filed: Dossier) -> None:
    desk = staff_for(filed.commune)["desk_agent"]
    with pytest.raises(PermissionDenied):
        workflow.transition_check(
            dossier=filed, action=workflow.Action.TACIT_DECISION, actor=desk, context={"today": date(2027, 4, 2)}
        )
    with pytest.raises(IllegalTransition, match="after 2027-04-01"):
        workflow.transition_check(
            dossier=filed, action=workflow.Action.TACIT_DECISION, actor=None, context={"today": date(2027, 4, 1)}
        )
    with pytest.raises(IllegalTransition):
        services.dossier_decide_tacitly(dossier=filed, today=date(2027, 3, 1))
    filed.refresh_from_db()
    assert filed.status == DossierStatus.UNDER_INSTRUCTION and not filed.decided_tacitly
    assert not AuditEvent.objects.filter(dossier=filed, action="dossier.tacit_decision").exists()


def test_a_file_waiting_for_the_applicant_is_not_decided_by_silence(filed: Dossier) -> None:
    with at(date(2027, 2, 3)):
        send_remarks(filed)
    with at(date(2027, 6, 1)):
        assert clock_outcomes_apply(today=date(2027, 6, 1))["tacit_decisions"] == 0
    filed.refresh_from_db()
    assert filed.status == DossierStatus.AWAITING_APPLICANT and not filed.decided_tacitly
