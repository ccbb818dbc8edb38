"""The scripted demo runs end to end on the Cambridge demo data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from permits.models import Dossier, DossierStatus

pytestmark = pytest.mark.django_db


def test_demo_needs_the_demo_data() -> None:
    with pytest.raises(CommandError, match="load_demo"):
        call_command("demo_permit_flow", stdout=StringIO())


def test_demo_permit_flow() -> None:
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_permit_flow", stdout=out)
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.PUBLISHED
    assert "MCULTURE" in out.getvalue() and "intact: True" in out.getvalue()
    assert dossier.rounds.count() == 2
