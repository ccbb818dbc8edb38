"""Every status trait reaches its status through the services, with the audit chain intact."""

import pytest

from permits.audit import audit_verify
from permits.models import DossierStatus
from tests.permits.factories import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [status for status in DossierStatus.values if status != DossierStatus.DRAFT])
def test_trait_reaches_status(status: str) -> None:
    dossier = DossierFactory.create(**{status: True})
    assert dossier.status == status
    assert audit_verify().ok


def test_default_is_a_draft() -> None:
    dossier = DossierFactory.create()
    assert dossier.status == DossierStatus.DRAFT
    assert dossier.reference is None
