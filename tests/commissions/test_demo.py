"""The scripted commission demo runs end to end on the Cambridge demo data, and every document it signs is
verified by poppler's pdfsig (the development PKI's root trusted through its NSS database)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gis_core.signing.pki import DevelopmentPki
from permits.models import Dossier, DossierStatus
from tests.legal_path import pdfsig_checked

pytestmark = pytest.mark.django_db


def test_demo_needs_the_demo_data() -> None:
    with pytest.raises(CommandError, match="load_demo"):
        call_command("demo_commission_flow", stdout=StringIO())


def test_demo_commission_flow(pki: DevelopmentPki, tmp_path: Path) -> None:
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_commission_flow", "--weeks", "3", stdout=out)
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.PUBLISHED, out.getvalue()
    text = out.getvalue()
    assert "3. slot booked" in text and "agenda sent" in text and "session held: 3 members present" in text
    assert "minutes: version" in text and "decision: version" in text and "plan: version" in text
    assert text.count(", valid") >= 3, text
    reports = pdfsig_checked(dossier, pki, tmp_path)
    assert len(reports) >= 3  # the PV, the decision, the stamped plans
