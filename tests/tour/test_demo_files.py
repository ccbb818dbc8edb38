"""`demo_files` makes a file of every procedure in every state it has, through the real services and the legal path
(published files are signed with verified PAdES signatures and went through `dossier.sign`), several of them
published so that the public map is not empty; a second run changes nothing."""

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from demo.tour import STATE_PATHS, STATES, tour_plan
from gis_core.signing.services import document_verify
from permits.commissions.selectors import output_latest_version
from permits.models import DecisionPath, Dossier, DossierStatus, Procedure
from tests.legal_path import LegalPath

pytestmark = pytest.mark.django_db


def test_demo_files_every_procedure_in_every_state_and_idempotent(legal_path: LegalPath, settings: Any) -> None:
    settings.DEMO_PASSWORD = "urbaplan-demo"
    call_command("load_demo", stdout=StringIO())
    first = StringIO()
    call_command("demo_files", stdout=first)

    procedures = list(Procedure.objects.filter(active=True))
    assert len(procedures) == 7
    present = set(Dossier.objects.values_list("procedure__code", "status"))
    for procedure in procedures:
        expected = {state for state, applies in STATES if applies(procedure)}
        assert {status for code, status in present if code == procedure.code} >= expected, procedure.code
        if procedure.decided_by == DecisionPath.SERVICE:
            assert DossierStatus.IN_COMMISSION not in expected  # its service decides: no commission
    assert set(STATE_PATHS) == {state for state, _ in STATES}
    for planned in tour_plan(procedures):
        assert Dossier.objects.get(title=planned.title).status == planned.state, planned.title

    published = Dossier.objects.filter(status=DossierStatus.PUBLISHED)
    assert published.count() >= len(procedures) + 2  # one per procedure, and more building permits
    for dossier in published:
        actions = list(dossier.audit_events.order_by("sequence").values_list("action", flat=True))
        assert actions[-2:] == ["dossier.sign", "dossier.publish"], dossier.reference
        outputs = list(dossier.commission_outputs.all())
        assert outputs, dossier.reference
        for output in outputs:
            verdict = document_verify(document=output_latest_version(output=output))
            assert verdict.status == "valid" and verdict.signatures, (dossier.reference, output.kind)
    linked = Dossier.objects.filter(procedure__parent__isnull=False)
    assert linked.exists()
    assert all(file.parent_dossier is not None and file.parent_dossier.is_authorised for file in linked)

    demo_people = User.objects.filter(username__startswith="demo-")
    assert demo_people.count() >= 6 and all(user.check_password("urbaplan-demo") for user in demo_people)

    before = sorted(Dossier.objects.values_list("pk", "status", "updated_at"))
    events = sum(dossier.audit_events.count() for dossier in Dossier.objects.all())
    second = StringIO()
    call_command("demo_files", stdout=second)
    assert "0 made" in second.getvalue(), second.getvalue()
    assert sorted(Dossier.objects.values_list("pk", "status", "updated_at")) == before
    assert sum(dossier.audit_events.count() for dossier in Dossier.objects.all()) == events
