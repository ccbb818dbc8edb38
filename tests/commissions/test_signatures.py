"""Signatures of the outputs through gis_core.signing, in Celery (in-process here): the PV by each member present
in sequence, the decision by the signing authority, the stamped plan by the president; each a new version,
audited with certificate and hash, verified by pyHanko and by poppler's pdfsig; the last one publishes the file."""

from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS

from gis_core.signing.models import VerificationToken
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.selectors import verification_public_get
from gis_core.signing.services import document_bytes, document_verify
from permits.commissions import selectors, services
from permits.commissions.errors import PermissionDenied, SignatureOutOfTurn
from permits.commissions.models import OutputKind, SignatureRequest, SignatureStatus
from permits.models import DossierStatus
from tests.commissions.conftest import World
from tests.commissions.helpers import booked_file, hold_session, latest
from tests.commissions.publishing import certify_signers
from tests.permits.factories import ADDRESS
from tests.signing.conftest import pdfsig


def turn_mails(smtp: Any) -> list[Any]:
    return [mail for mail in smtp.messages if "Signature attendue" in mail.message["Subject"]]


def sign(request: SignatureRequest, capture: Any) -> None:
    with capture(execute=True):
        services.signature_request_sign(actor=request.signer, address=ADDRESS, request=request)


def test_signatures_in_sequence_then_the_file_is_published(
    world: World,
    pki: DevelopmentPki,
    tmp_path: Path,
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    certify_signers(world, pki)
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    examination = hold_session(world, session, dossier)
    with django_capture_on_commit_callbacks(execute=True):
        services.examination_decide(
            actor=world.staff["commission_president"], address=ADDRESS, examination=examination, decision="favourable"
        )
    minutes = examination.outputs.get(kind=OutputKind.MINUTES)
    first, second = SignatureRequest.objects.filter(output=minutes).order_by("position")
    told = sorted(address for mail in turn_mails(smtp) for address in mail.recipients)
    # the first PV signer, the signing authority and the president (plan) are told; the second PV signer waits
    expected = [first.signer.email, world.staff["signing_authority"].email, world.staff["commission_president"].email]
    assert told == sorted(expected)
    smtp.clear()
    assert [request.signer for request in selectors.signature_requests_pending_for(user=second.signer)] == []

    with pytest.raises(SignatureOutOfTurn):
        services.signature_request_sign(actor=second.signer, address=ADDRESS, request=second)
    with pytest.raises(PermissionDenied):
        services.signature_request_sign(actor=second.signer, address=ADDRESS, request=first)

    sign(first, django_capture_on_commit_callbacks)
    assert [mail.recipients for mail in turn_mails(smtp)] == [[second.signer.email]]  # now it is their turn
    first.refresh_from_db()
    assert first.status == SignatureStatus.SIGNED and first.signed_document is not None
    assert first.signed_document.version == 3  # 1 generated, 2 stamped, 3 signed
    assert selectors.signature_requests_pending_for(user=second.signer) == [second]
    sign(second, django_capture_on_commit_callbacks)
    with pytest.raises(SignatureOutOfTurn):  # signed already
        services.signature_request_sign(actor=second.signer, address=ADDRESS, request=second)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED  # the decision and the plan are not signed yet

    for request in SignatureRequest.objects.filter(output__examination=examination, status=SignatureStatus.PENDING):
        sign(request, django_capture_on_commit_callbacks)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PUBLISHED
    assert dossier.signed_at is not None and dossier.published_at is not None

    # the PV: two signatures in sequence, both intact and trusted
    signed_minutes = latest(minutes)
    report = document_verify(document=signed_minutes)
    assert report.valid and len(report.signatures) == 2
    path = tmp_path / "pv.pdf"
    from gis_core.documents.services import documents_storage

    with documents_storage().open(signed_minutes.storage_key, "rb") as handle:
        path.write_bytes(handle.read())
    checked = pdfsig(path, pki)
    assert checked.count("Signature is Valid") == 2, checked
    assert "Amina El Idrissi" in checked and "Karim Benali" in checked
    assert "Certificate is Trusted" in checked

    for kind in (OutputKind.DECISION, OutputKind.PLAN):
        output = examination.outputs.get(kind=kind)
        assert document_verify(document=latest(output)).valid

    # what the public verification page (the QR code's target) reads of the decision's token, and a tampered copy
    # (the page itself reads committed rows through the public reader: tests/signing/test_stamp_and_page.py)
    decision = latest(examination.outputs.get(kind=OutputKind.DECISION))
    token = VerificationToken.objects.get(lineage=decision.lineage).token
    public = verification_public_get(token=token, using=DEFAULT_DB_ALIAS)
    assert public is not None and public.reference == dossier.reference and public.document.pk == decision.pk
    assert document_verify(document=public.document).status == "valid"
    original = document_bytes(decision)
    position = len(original) // 4
    tampered = original[:position] + bytes([original[position] ^ 0x01]) + original[position + 1 :]
    assert document_verify(document=public.document, data=tampered).status == "altered"

    # audit: one event per signature with certificate and hash
    events = dossier.audit_events.filter(action="commission.document_signed").order_by("sequence")
    assert events.count() == 4
    payload = events[0].payload
    assert payload["field"] == "pv-member-1" and len(payload["certificate_sha256"]) == 64
    assert len(payload["revision_sha256"]) == 64 and payload["certificate_serial"]
    assert list(dossier.audit_events.order_by("-sequence").values_list("action", flat=True)[:2]) == [
        "dossier.publish",
        "dossier.sign",
    ]
