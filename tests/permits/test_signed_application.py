"""The signed application: the platform writes the form (PDF/A, French and Arabic) from what was entered, the
applicant consents and types a one-time code sent by SMS or e-mail, the platform seals the form (PAdES, verified
by poppler's pdfsig) as the file's `signed-application` document; filing needs the signature of the current
content. Codes: hashed, 10 minutes, 5 attempts, a few per hour."""

import io
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gis_core.documents.services import documents_storage
from gis_core.notifications.models import Delivery
from permits import services
from permits.errors import IllegalTransition, PermissionDenied
from permits.models import (
    SIGNED_APPLICATION,
    ApplicationCode,
    ApplicationSignature,
    AuditEvent,
    DossierDocument,
    DossierStatus,
    Role,
    RoleMembership,
)
from permits.services import application, mandates
from permits.services.application import CodeRefused, CodeThrottled
from tests.factories import ParcelFactory
from tests.legal_path import LegalPath
from tests.permits.factories import (
    ADDRESS,
    DossierFactory,
    UserFactory,
    application_code_sent,
    application_seal_ready,
    application_sign,
    documents_attach_mandatory,
    upload_file,
    verify_email,
)
from tests.signing.conftest import pdfsig

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(legal_path: LegalPath, catalogue: None, commune: Any) -> Any:
    """A building-permit draft of Nadia Bennani with a parcel, figures and every mandatory document; the seal ready."""
    applicant = UserFactory.create(username="nadia", email="nadia@example.ma", first_name="Nadia", last_name="Bennani")
    services.profile_update(user=applicant, phone="+212 612 34 56 12")
    dossier = DossierFactory.create(
        applicant=applicant, commune=commune, procedure__code="building-permit", floors=3, units=4, title="Maison"
    )
    dossier.parcels.set([ParcelFactory.create(commune=commune, reference="TF-1234/C")])
    documents_attach_mandatory(dossier)
    application_seal_ready()
    return dossier


def stored_bytes(document: DossierDocument) -> bytes:
    with documents_storage().open(document.stored_document.storage_key, "rb") as handle:
        return handle.read()


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def xmp_metadata(data: bytes) -> str:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data)).root["/Metadata"].data.decode()


def signature_fields(data: bytes) -> dict[str, str]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return {key: str(signature.sig_object.get(key)) for key in ("/Name", "/Reason", "/Location", "/ContactInfo")}


def request(dossier: Any, channel: str = "sms") -> ApplicationCode:
    return application.application_code_request(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, channel=channel, consent=True
    )


def test_the_form_says_what_was_entered_in_french_and_arabic_as_pdf_a(draft: Any, tmp_path: Path) -> None:
    preview = application.application_preview(actor=draft.applicant, dossier=draft)
    assert preview.pdf.startswith(b"%PDF") and "pdfaid:part" in xmp_metadata(preview.pdf)  # PDF/A claimed
    text = pdftotext(preview.pdf, tmp_path)
    assert "Nadia Bennani" in text and "TF-1234/C" in text and "Permis de construire" in text
    assert "صاحب الطلب" in text and "المشروع" in text  # Arabic extractable (shaped, right-to-left)
    plans = DossierDocument.objects.get(dossier=draft, document_type="architectural-plans")
    assert plans.stored_document.sha256 in text.replace("\n", "")
    assert "aperçu, non signé" in text


def test_wrong_codes_count_and_the_fifth_spends_the_code(draft: Any) -> None:
    code = request(draft)
    right = application_code_sent(code)
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeRefused, match=f"{left} attempt"):
            application.application_sign(actor=draft.applicant, address=ADDRESS, dossier=draft, code=wrong)
    with pytest.raises(CodeRefused, match="ask for a new one"):
        application.application_sign(actor=draft.applicant, address=ADDRESS, dossier=draft, code=wrong)
    with pytest.raises(CodeRefused, match="no longer be used"):  # exhausted: even the right code is refused now
        application.application_sign(actor=draft.applicant, address=ADDRESS, dossier=draft, code=right)
    assert not ApplicationSignature.objects.exists()
    assert AuditEvent.objects.filter(action="application.code_refused").count() == 6


def test_an_expired_code_is_refused(draft: Any) -> None:
    code = request(draft)
    ApplicationCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(CodeRefused, match="expired"):
        application.application_sign(
            actor=draft.applicant, address=ADDRESS, dossier=draft, code=application_code_sent(code)
        )
    assert not ApplicationSignature.objects.exists()


def test_the_code_is_stored_hashed_and_sent_by_sms_to_the_phone(draft: Any) -> None:
    code = request(draft, channel="sms")
    sent = application_code_sent(code)
    assert sent not in code.code_hash and len(code.code_hash) == 64
    delivery = Delivery.objects.get(event_key="application.code")
    assert delivery.channel == "sms" and delivery.recipient.endswith("612345612")
    assert code.destination_masked == "+212 6•• •• •• 12"


def test_codes_are_throttled_and_need_consent(draft: Any, settings: Any) -> None:
    with pytest.raises(Exception, match="consent"):
        application.application_code_request(
            actor=draft.applicant, address=ADDRESS, dossier=draft, channel="email", consent=False
        )
    settings.APPLICATION_CODE_MAX_PER_HOUR = 2
    request(draft, "email")
    request(draft, "email")
    with pytest.raises(CodeThrottled):
        request(draft, "email")
    assert ApplicationCode.objects.count() == 2


def test_only_the_applicant_signs(draft: Any) -> None:
    architect = UserFactory.create(username="archi", email="archi@example.ma")
    RoleMembership.objects.create(user=architect, role=Role.ARCHITECT)
    mandate = mandates.mandate_invite(actor=architect, address=ADDRESS, email=verify_email(draft.applicant).email)
    mandates.mandate_accept(actor=draft.applicant, address=ADDRESS, mandate=mandate)
    with pytest.raises(PermissionDenied):
        application.application_code_request(
            actor=architect, address=ADDRESS, dossier=draft, channel="email", consent=True
        )
    assert not ApplicationCode.objects.exists()


def test_signed_pdfsig_verifies_and_names_the_applicant(draft: Any, legal_path: LegalPath, tmp_path: Path) -> None:
    signature = application_sign(draft, channel="sms")
    document = signature.document
    assert document.document_type == SIGNED_APPLICATION and document.stored_document.version == 2  # form, sealed
    data = stored_bytes(document)
    text = " ".join(pdftotext(data, tmp_path).split())
    assert "Signé par Nadia Bennani avec un code à usage unique envoyé par SMS au +212 6•• •• •• 12" in text
    assert "وقعه Nadia Bennani" in text or "Nadia Bennani" in text.split("الالتزام")[-1]
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    report = pdfsig(path, legal_path.pki)
    assert "Signature is Valid" in report and "Certificate is Trusted" in report, report
    assert "Total document signed" in report
    assert "Signature Field Name: Demandeur Nadia Bennani - code SMS" in report  # pdfsig names the applicant
    fields = signature_fields(data)
    assert fields["/Name"] == "Nadia Bennani" and "one-time code by sms" in fields["/ContactInfo"]
    assert fields["/Reason"].startswith("Signed by Nadia Bennani with a one-time code sent by SMS")
    assert AuditEvent.objects.filter(action="application.signed", dossier=draft).exists()


def test_an_edit_after_signing_asks_for_a_new_signature(draft: Any) -> None:
    application_sign(draft)
    services.dossier_update(actor=draft.applicant, address=ADDRESS, dossier=draft, units=6)
    with pytest.raises(IllegalTransition, match="changed since it was signed"):
        services.dossier_submit(actor=draft.applicant, address=ADDRESS, dossier=draft)
    draft.refresh_from_db()
    assert draft.status == DossierStatus.DRAFT and draft.reference is None
    services.document_upload(
        actor=draft.applicant, address=ADDRESS, dossier=draft, document_type="other", uploaded_file=upload_file()
    )
    second = application_sign(draft)
    assert second.document.stored_document.supersedes_id is not None  # a new version of the signed application
    filed = services.dossier_submit(actor=draft.applicant, address=ADDRESS, dossier=draft)
    assert filed.status == DossierStatus.SUBMITTED


def test_a_code_drawn_before_a_change_does_not_sign_the_changed_file(draft: Any) -> None:
    code = request(draft, "email")
    services.dossier_update(actor=draft.applicant, address=ADDRESS, dossier=draft, floors=5)
    with pytest.raises(IllegalTransition, match="changed since the code was sent"):
        application.application_sign(
            actor=draft.applicant, address=ADDRESS, dossier=draft, code=application_code_sent(code)
        )
    assert not ApplicationSignature.objects.exists()


def test_the_signed_application_is_not_an_uploadable_type(draft: Any) -> None:
    with pytest.raises(Exception, match="unknown document type"):
        services.document_upload(
            actor=draft.applicant,
            address=ADDRESS,
            dossier=draft,
            document_type=SIGNED_APPLICATION,
            uploaded_file=upload_file(),
        )
