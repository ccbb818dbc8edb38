"""The scripted commission demo runs end to end on the Cambridge demo data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from permits.models import Dossier, DossierStatus

pytestmark = pytest.mark.django_db


def test_demo_needs_the_demo_data() -> None:
    with pytest.raises(CommandError, match="load_demo"):
        call_command("demo_commission_flow", stdout=StringIO())


def test_demo_commission_flow() -> None:
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_commission_flow", "--weeks", "3", stdout=out)
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.PUBLISHED, out.getvalue()
    text = out.getvalue()
    assert "3. slot booked" in text and "4. agenda sent" in text
    assert "minutes: version" in text and "decision: version" in text and "plan: version" in text
    assert text.count(", valid") >= 3, text
