"""The `actions` of a file in the API are what its reader can really ask for through the legal path: never signing
nor publishing (the last verified signature does both), a decision offered to the president only once the file's
examination in a session with the quorum is recorded, and each offered action has its route."""

from typing import Any

import pytest

from permits.commissions.models import SignatureRequest, SignatureStatus
from permits.models import Dossier, DossierStatus
from permits.workflow import TRANSITIONS
from tests.legal_path import LegalPath
from tests.permits.factories import DossierFactory, staff_for
from tests.permits_api.conftest import SessionClient

pytestmark = pytest.mark.django_db

# Where each action that may be offered is asked for (the file's own route, or the commission's).
ROUTES = {
    "submit": "/api/dossiers/{id}/submit/",
    "accept_complete": "/api/dossiers/{id}/completeness/",
    "return_incomplete": "/api/dossiers/{id}/completeness/",
    "issue_remark": "/api/dossiers/{id}/remarks/",
    "send_remarks": "/api/dossiers/{id}/remarks/send/",
    "reply_to_remarks": "/api/dossiers/{id}/remarks/{remark_id}/reply/",
    "send_to_commission": "/api/dossiers/{id}/send-to-commission/",
    "decide": "/api/commission/examinations/{examination_id}/decide/",
    "decide_without_commission": "/api/dossiers/{id}/decide-without-commission/",
    "withdraw": "/api/dossiers/{id}/withdraw/",
}


def actions(client: SessionClient, dossier: Dossier) -> list[str]:
    response = client.get(f"/api/dossiers/{dossier.pk}/")
    assert response.status_code == 200, response.content
    return list(response.json()["actions"])


def test_signing_and_publishing_are_never_offered(as_session: Any, legal_path: LegalPath) -> None:
    dossier = DossierFactory.create(under_instruction=True)
    staff = staff_for(dossier.commune)
    desk, president = as_session(staff["desk_agent"]), as_session(staff["commission_president"])
    signing = as_session(staff["signing_authority"])

    legal_path.decide(dossier)
    assert dossier.status == DossierStatus.DECIDED
    assert actions(signing, dossier) == [], "a signer signs the requests asked of them, never the file"
    assert actions(desk, dossier) == [] and actions(president, dossier) == []
    assert SignatureRequest.objects.filter(output__dossier=dossier, status=SignatureStatus.PENDING).exists()

    legal_path.sign_all(dossier)
    assert dossier.status == DossierStatus.PUBLISHED
    assert actions(desk, dossier) == [] and actions(signing, dossier) == []


def test_the_president_is_offered_the_decision_once_the_examination_is_recorded(
    as_session: Any, legal_path: LegalPath
) -> None:
    dossier = DossierFactory.create(in_commission=True)
    president = as_session(staff_for(dossier.commune)["commission_president"])
    assert actions(president, dossier) == [], "no examination in a session with the quorum yet"

    examination = legal_path.examine(dossier)
    assert actions(president, dossier) == ["decide"]
    response = president.post(f"/api/commission/examinations/{examination.pk}/decide/", {"decision": "favourable"})
    assert response.status_code == 200, response.content
    assert actions(president, dossier) == []


def test_every_action_that_may_be_offered_has_its_route_in_the_schema(as_session: Any) -> None:
    from django.test import Client

    paths = Client().get("/api/schema/?format=json").json()["paths"]
    offerable = {str(transition.action) for transition in TRANSITIONS if not transition.automatic}
    assert offerable == set(ROUTES)
    for action, route in ROUTES.items():
        template = route.replace("{id}", "{dossier_id}").replace("{examination_id}", "{examination_id}")
        assert template in paths, (action, template)
    # signing and publishing follow the last PAdES signature; the tacit decision and its seal are the clock's own
    automatic = {"sign", "publish", "tacit_decision", "seal_tacit_decision"}
    assert {str(t.action) for t in TRANSITIONS if t.automatic} == automatic
