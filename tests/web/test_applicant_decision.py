"""The applicant's file page once the commission has decided, through the real flow (examination, decision, PDFs,
PAdES signatures in turn, publication at the last one): nothing to download while any signature is missing; once
published, the signed decision, the PV of the file's examination and the stamped plan, each in its signed version
with its public verification page; 404 for another applicant, and for the session's agenda; the publication
e-mail leads to the file's page; the section in French, Arabic and English."""

# ruff: noqa: F811 - the commission fixtures are imported into this module and requested by name

import hashlib
import re
from typing import Any

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.test import Client

from gis_core.signing.models import SignatureRecord, VerificationToken
from gis_core.signing.selectors import verification_public_get
from gis_core.signing.services import document_verify
from permits.commissions import services
from permits.commissions.models import OutputKind, SignatureRequest
from permits.models import Dossier, DossierStatus
from tests.commissions.conftest import (  # noqa: F401 - fixtures: settings, PKI, in-process tasks, the world
    World,
    celery_in_process,
    commission_settings,
    pki,
    world,
)
from tests.commissions.helpers import booked_file, latest, pdf_text
from tests.commissions.publishing import certify_signers, decided_file, pending_signatures, sign
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 - the real SMTP server
from tests.permits.factories import ADDRESS, DossierFactory

pytestmark = pytest.mark.django_db

SIGNATURE_DICTIONARY = re.compile(rb"/Type\s*/Sig\b")


def signed_in(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def download_path(dossier: Dossier, output_id: int) -> str:
    return f"/files/{dossier.pk}/published/{output_id}/"


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_applicant_downloads_the_signed_decision_once_the_file_is_published(
    world: World, pki: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    certify_signers(world, pki)
    dossier, examination = decided_file(world, django_capture_on_commit_callbacks)
    decision = examination.outputs.get(kind=OutputKind.DECISION)
    applicant = signed_in(dossier.applicant)

    # decided, not signed: the page says the decision is being signed, and offers nothing to download
    page = applicant.get(f"/files/{dossier.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="decision-pending"' in html
    assert page.context["published_documents"] == [] and "/published/" not in html
    assert applicant.get(download_path(dossier, decision.pk)).status_code == 404
    assert applicant.get(f"/office/commission/documents/{decision.pk}/").status_code == 404  # nor by the signers' URL

    *first, last = pending_signatures(examination)
    for request in first:
        sign(request, django_capture_on_commit_callbacks)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED  # one signature missing
    html = applicant.get(f"/files/{dossier.pk}/").content.decode()
    assert "/published/" not in html and 'id="decision-pending"' in html
    assert applicant.get(download_path(dossier, decision.pk)).status_code == 404

    smtp.clear()
    sign(last, django_capture_on_commit_callbacks)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PUBLISHED

    page = applicant.get(f"/files/{dossier.pk}/")
    html = page.content.decode()
    assert 'id="decision-documents"' in html and 'id="decision-pending"' not in html
    kinds = [row.kind for row in page.context["published_documents"]]
    assert kinds == [OutputKind.DECISION, OutputKind.MINUTES, OutputKind.PLAN]
    assert "Signed decision" in html and "Authorised plan 1, stamped" in html
    assert f'href="{download_path(dossier, decision.pk)}"' in html
    token = VerificationToken.objects.get(lineage=decision.lineage).token
    assert f'href="/verify/{token}/"' in html and f"http://testserver/verify/{token}/" in html  # the QR's address

    # the download is the signed PDF: a signature dictionary, the hash of the stored signed version
    response = applicant.get(download_path(dossier, decision.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = body(response)
    assert data.startswith(b"%PDF") and SIGNATURE_DICTIONARY.search(data) and b"/ByteRange" in data
    signed = SignatureRequest.objects.get(output=decision).signed_document
    assert signed is not None and signed == latest(decision)
    assert hashlib.sha256(data).hexdigest() == signed.sha256 and response["ETag"] == f'"{signed.sha256}"'
    assert SignatureRecord.objects.filter(document=signed).exists()
    # what /verify/ reads of the token (the page reads committed rows only: tests/signing/test_stamp_and_page.py)
    public = verification_public_get(token=token, using=DEFAULT_DB_ALIAS)
    assert public is not None and public.document == signed and document_verify(document=public.document).valid

    # the PV extract and the plan, each signed by its signers
    for row in page.context["published_documents"][1:]:
        data = body(applicant.get(row.download_url))
        assert hashlib.sha256(data).hexdigest() == row.document.sha256 and SIGNATURE_DICTIONARY.search(data)

    # another applicant: 404 by this file's URL, by their own file's URL and by the signers' URL
    theirs: Dossier = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    stranger = signed_in(theirs.applicant)
    assert stranger.get(download_path(dossier, decision.pk)).status_code == 404
    assert stranger.get(download_path(theirs, decision.pk)).status_code == 404
    assert stranger.get(f"/office/commission/documents/{decision.pk}/").status_code == 404

    # the session's agenda lists other applicants' files: never through the file's URL
    agenda = services.session_agenda_send(session=examination.session, actor=world.staff["desk_agent"]).output
    assert applicant.get(download_path(dossier, agenda.pk)).status_code == 404
    assert applicant.get(f"/office/commission/documents/{agenda.pk}/").status_code == 404

    # the publication e-mail (the applicant has no profile: French) leads to the file's page
    [published] = [mail for mail in smtp.messages if "publié" in str(mail.message["Subject"])]
    text = published.message.get_body(preferencelist=("plain",)).get_content()
    assert f"http://testserver/files/{dossier.pk}/" in text and "décision signée" in text
    assert "plans autorisés" in text and "carte publique" in text

    # the section in French, Arabic and English
    expected = {
        "fr": ("Décision et documents signés", "Décision signée", "Vérification publique"),
        "ar": ("القرار والوثائق الموقعة", "القرار الموقع", "التحقق العمومي"),
        "en": ("Decision and signed documents", "Signed decision", "Public verification"),
    }
    for language, strings in expected.items():
        html = signed_in(dossier.applicant, language).get(f"/files/{dossier.pk}/").content.decode()
        assert all(string in html for string in strings), language
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}"' in html
        if language != "en":
            assert "Decision and signed documents" not in html and "Signed decision" not in html


def test_another_applicants_file_in_the_same_session_stays_out_of_the_pv_extract(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Why the applicant receives the PV: it records the examination of their file only (README)."""
    session = world.sessions()[0]
    neighbour = booked_file(world, session, 1)
    neighbour.applicant.first_name, neighbour.applicant.last_name = "Youssef", "Alaoui"
    neighbour.applicant.save()
    president = world.staff["commission_president"]
    services.session_attendance_record(
        actor=president, address=ADDRESS, session=session, present_member_ids=[world.permanent.pk, world.occasional.pk]
    )
    services.examination_record(
        actor=president,
        address=ADDRESS,
        session=session,
        dossier=neighbour,
        joint_opinion="unfavourable",
        joint_motivation="Hauteur dépassée de 4 m.",
        member_opinions={world.occasional.pk: ("unfavourable", "Recul insuffisant côté voisin.")},
    )
    dossier, examination = decided_file(world, django_capture_on_commit_callbacks)
    text = pdf_text(latest(examination.outputs.get(kind=OutputKind.MINUTES)))
    assert str(dossier.reference) in text
    for trace in (str(neighbour.reference), "Alaoui", "Hauteur dépassée", "Recul insuffisant"):
        assert trace not in text, trace
