"""Fixtures of the signing tests: a development PKI for the session, documents under tmp_path, three signers."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from gis_core.documents.models import StoredDocument
from gis_core.documents.services import document_store
from gis_core.signing.pki import DevelopmentPki
from tests.conftest import documents_stored_in
from tests.signing.pdf_factory import sample_pdf

SIGNERS = [("amina", "Amina", "El Idrissi"), ("karim", "Karim", "Benali"), ("sara", "Sara", "Ouazzani")]


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevelopmentPki:
    pki = DevelopmentPki(tmp_path_factory.mktemp("pki"))
    pki.ensure()
    for username, first, last in SIGNERS:
        pki.user(username, display_name=f"{first} {last}", email=f"{username}@urbaplan.test")
    return pki


@pytest.fixture(autouse=True)
def signing_settings(settings: Any, pki: DevelopmentPki, tmp_path: Path) -> None:
    settings.SIGNING_PKI_DIR = pki.directory
    settings.SIGNING_TRUST_ROOTS = [pki.directory / "root-ca.pem"]
    settings.SIGNING_INTERMEDIATES = [pki.directory / "intermediate-ca.pem"]
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_TSA_LOCAL = True
    settings.SIGNING_SIGNER_BACKEND = "gis_core.signing.signers.Pkcs12Backend"
    settings.SIGNING_PUBLIC_BASE_URL = "http://testserver"
    settings.SIGNING_EMBED_VALIDATION_INFO = True
    documents_stored_in(settings, tmp_path)


@pytest.fixture
def signer_users(db: None) -> list[Any]:
    user_model = get_user_model()
    return [
        user_model.objects.create_user(username=username, first_name=first, last_name=last, password=None)
        for username, first, last in SIGNERS
    ]


@pytest.fixture
def pdf_document(db: None) -> Callable[..., StoredDocument]:
    def make(pages: int = 1, *, name: str = "pv.pdf") -> StoredDocument:
        return document_store(stream=io.BytesIO(sample_pdf(pages)), filename=name)

    return make


def pdfsig(path: Path, pki: DevelopmentPki) -> str:
    """poppler's pdfsig report of `path`, trusting our root through the PKI's NSS database."""
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    result = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{pki.nss_database()}", str(path)], capture_output=True, text=True, check=False
    )
    return result.stdout + result.stderr
