"""The scripted demo runs end to end on the Cambridge demo data, through the commission (a session with the quorum,
the president's decision from the examination, the PAdES signatures in sequence), and every document it signs is
verified by poppler's pdfsig (the development PKI's root trusted through its NSS database)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from permits.commissions.models import OutputKind
from permits.models import Dossier, DossierStatus
from tests.legal_path import LegalPath, pdfsig_checked

pytestmark = pytest.mark.django_db


def test_demo_needs_the_demo_data() -> None:
    with pytest.raises(CommandError, match="load_demo"):
        call_command("demo_permit_flow", stdout=StringIO())


def test_demo_permit_flow(legal_path: LegalPath, tmp_path: Path) -> None:
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_permit_flow", stdout=out)
    dossier = Dossier.objects.get()
    text = out.getvalue()
    assert dossier.status == DossierStatus.PUBLISHED, text
    assert "MCULTURE" in text and "intact: True" in text
    assert "session held" in text and "decides from the examination" in text
    assert dossier.rounds.count() == 2
    examination = dossier.examinations.get()
    assert {output.kind for output in examination.outputs.all()} == {
        OutputKind.MINUTES,
        OutputKind.DECISION,
        OutputKind.PLAN,
    }
    assert text.count(", valid") == examination.outputs.count(), text
    pdfsig_checked(dossier, legal_path.pki, tmp_path)
    actions = list(dossier.audit_events.order_by("sequence").values_list("action", flat=True))
    assert "dossier.decide" in actions and actions[-2:] == ["dossier.sign", "dossier.publish"]
