from typing import Any

import pytest

from gis_core.signing.pki import DevelopmentPki
from tests.legal_path import legal_path, pki  # noqa: F401  (the development PKI for the tour's signatures)


@pytest.fixture(autouse=True)
def development_pki_of_the_session(settings: Any, pki: DevelopmentPki) -> DevelopmentPki:  # noqa: F811
    """The demo commands make the signers' certificates under SIGNING_PKI_DIR: the session's PKI, not var/pki."""
    settings.SIGNING_PKI_DIR = pki.directory
    return pki
