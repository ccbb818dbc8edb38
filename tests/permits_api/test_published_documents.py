"""A refused file through the real flow, read in the JSON API: `published_documents` stays empty (and the download a
404 problem) until the last signature publishes the file; then the signed decision and the PV of the file's
examination (no plan for a refusal), each downloadable in its signed version (SHA-256 as ETag, 304 on a match)
with its public verification address; another applicant gets 404 problems; the publication e-mail says where to
download them and does not speak of the public map."""

# ruff: noqa: F811 - the commission fixtures are imported into this module and requested by name

import hashlib
from typing import Any

import pytest

from gis_core.signing.models import VerificationToken
from permits.commissions.models import OutputKind
from permits.models import Dossier, DossierStatus
from tests.commissions.conftest import (  # noqa: F401 - fixtures: settings, PKI, in-process tasks, the world
    World,
    celery_in_process,
    commission_settings,
    pki,
    world,
)
from tests.commissions.helpers import latest
from tests.commissions.publishing import certify_signers, decided_file, pending_signatures, sign
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 - the real SMTP server
from tests.permits.factories import DossierFactory
from tests.permits_api.conftest import PROBLEM, SessionClient, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_storage_dir() -> None:
    """The commission fixtures (`commission_settings`) already store documents under tmp_path."""


def test_published_documents_of_a_refused_file_in_the_api(
    world: World, pki: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    certify_signers(world, pki)
    dossier, examination = decided_file(
        world, django_capture_on_commit_callbacks, decision="unfavourable", motivation="Hauteur au-delà du maximum."
    )
    decision = examination.outputs.get(kind=OutputKind.DECISION)
    api = token_client(dossier.applicant)
    detail = f"/api/dossiers/{dossier.pk}/"
    download = f"{detail}published-documents/{decision.pk}/download/"

    *first, last = pending_signatures(examination)
    for request in first:
        sign(request, django_capture_on_commit_callbacks)
    assert api.get(detail).json()["published_documents"] == []
    early = api.get(download)
    assert early.status_code == 404 and early["Content-Type"] == PROBLEM

    smtp.clear()
    sign(last, django_capture_on_commit_callbacks)
    body = api.get(detail).json()
    assert body["status"] == DossierStatus.PUBLISHED
    documents = body["published_documents"]
    assert [item["kind"] for item in documents] == [OutputKind.DECISION, OutputKind.MINUTES]  # a refusal: no plan
    item = documents[0]
    signed = latest(decision)
    token = VerificationToken.objects.get(lineage=decision.lineage).token
    assert item["id"] == decision.pk and item["download"] == download and item["sha256"] == signed.sha256
    assert item["verification"] == f"http://testserver/verify/{token}/" and item["content_type"] == "application/pdf"
    assert item["signed_at"] and item["filename"].startswith("decision-")

    response: Any = api.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF") and b"/ByteRange" in data
    assert hashlib.sha256(data).hexdigest() == signed.sha256 == response["ETag"].strip('"')
    assert api.get(download, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert SessionClient(dossier.applicant).get(documents[1]["download"]).status_code == 200  # the PV, by session

    theirs: Dossier = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    stranger = token_client(theirs.applicant)
    for path in (detail, download, f"/api/dossiers/{theirs.pk}/published-documents/{decision.pk}/download/"):
        refused = stranger.get(path)
        assert refused.status_code == 404 and refused["Content-Type"] == PROBLEM, path
    assert stranger.get(f"/api/dossiers/{theirs.pk}/").json()["published_documents"] == []

    [published] = [mail for mail in smtp.messages if "publié" in str(mail.message["Subject"])]
    text = published.message.get_body(preferencelist=("plain",)).get_content()
    assert f"http://testserver/files/{dossier.pk}/" in text and "Défavorable" in text
    assert "carte publique" not in text and "plans autorisés" not in text
