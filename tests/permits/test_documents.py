"""Documents of a file: immutable versions stored through gis_core.documents, audited with their SHA-256,
formats from the catalogue, who may upload and see them, downloads, completeness at filing, rollbacks."""

import hashlib
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from gis_core.documents.errors import DocumentAlreadySuperseded, DocumentTypeNotAllowed, PdfEncrypted
from gis_core.documents.models import StoredDocument
from permits import selectors, services
from permits.downloads import dossier_document_response
from permits.errors import IllegalTransition, InvalidDossier, NotFound, PermissionDenied
from permits.models import AuditEvent, DossierDocument, DossierDocumentImmutable, Procedure, RequiredDocument
from tests.documents.files import encrypted_pdf_bytes, image_bytes, pdf_bytes
from tests.permits.factories import (
    ADDRESS,
    DossierFactory,
    UserFactory,
    application_signature_write,
    documents_attach_mandatory,
    upload_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def building_draft(catalogue: None, commune: Any) -> Any:
    return DossierFactory.create(procedure=Procedure.objects.get(code="building-permit"), commune=commune)


def upload(
    dossier: Any, document_type: str = "architectural-plans", content: bytes | None = None, **kwargs: Any
) -> Any:
    return services.document_upload(
        actor=kwargs.pop("actor", dossier.applicant),
        address=ADDRESS,
        dossier=dossier,
        document_type=document_type,
        uploaded_file=upload_file("plans.pdf", content),
        **kwargs,
    )


def test_upload_is_stored_versioned_and_audited(building_draft: Any, documents_storage_dir: Path) -> None:
    content = pdf_bytes(pages=2)
    first = upload(building_draft, content=content)
    assert first.round_number == 0 and first.required_document.code == "architectural-plans"
    stored = first.stored_document
    assert (stored.version, stored.page_count, stored.sha256) == (1, 2, hashlib.sha256(content).hexdigest())
    assert (documents_storage_dir / stored.storage_key).read_bytes() == content
    event = AuditEvent.objects.filter(action="dossier.document_uploaded").get()
    assert event.payload["sha256"] == stored.sha256 and event.payload["document"] == first.pk

    second = upload(building_draft, supersedes=first)
    assert second.stored_document.supersedes_id == stored.pk and second.stored_document.version == 2
    with pytest.raises(DocumentAlreadySuperseded):  # only the latest version can be superseded
        upload(building_draft, supersedes=first)
    documents = list(selectors.documents_for(dossier=building_draft, user=building_draft.applicant))
    flags = [(document.pk, getattr(document, "is_current", None)) for document in documents]
    assert flags == [(first.pk, False), (second.pk, True)]
    current = selectors.documents_for(dossier=building_draft, user=building_draft.applicant, current_only=True)
    assert list(current) == [second]
    with pytest.raises(DossierDocumentImmutable):
        first.save()
    with pytest.raises(DossierDocumentImmutable):
        first.delete()


def test_formats_and_types_come_from_the_catalogue(building_draft: Any, documents_storage_dir: Path) -> None:
    with pytest.raises(DocumentTypeNotAllowed) as refused:  # plans: PDF only
        upload(building_draft, content=image_bytes("PNG"))
    assert refused.value.extra["accepted_formats"] == ["pdf"]
    with pytest.raises(PdfEncrypted):
        upload(building_draft, content=encrypted_pdf_bytes())
    with pytest.raises(InvalidDossier, match="unknown document type"):
        upload(building_draft, document_type="selfie")
    with pytest.raises(IllegalTransition):  # revised plans answer remarks
        upload(building_draft, document_type="revised-plan")
    assert upload(building_draft, document_type="other", content=image_bytes("JPEG")).stored_document.kind == "image"
    assert DossierDocument.objects.count() == 1
    assert [path.name for path in documents_storage_dir.rglob("*") if path.is_file()] == [
        DossierDocument.objects.get().stored_document.storage_key.rsplit("/", 1)[-1]
    ]  # nothing was stored for the refused uploads


def test_only_the_owner_uploads_and_only_while_the_file_is_with_them(building_draft: Any) -> None:
    with pytest.raises(PermissionDenied):
        upload(building_draft, actor=UserFactory.create())
    documents_attach_mandatory(building_draft)
    application_signature_write(building_draft)  # the applicant's signature (test data)
    services.dossier_submit(actor=building_draft.applicant, address=ADDRESS, dossier=building_draft)
    with pytest.raises(IllegalTransition):
        upload(building_draft, document_type="other")


def test_submission_lists_the_missing_mandatory_documents(building_draft: Any) -> None:
    mandatory = set(
        RequiredDocument.objects.filter(procedure=building_draft.procedure, mandatory=True).values_list(
            "code", flat=True
        )
    )
    upload(building_draft)
    with pytest.raises(IllegalTransition, match="mandatory documents are missing") as refused:
        application_signature_write(building_draft)  # the applicant's signature (test data)
        services.dossier_submit(actor=building_draft.applicant, address=ADDRESS, dossier=building_draft)
    assert set(refused.value.extra["missing_documents"]) == mandatory - {"architectural-plans"}
    assert "architectural-plans" not in refused.value.detail
    documents_attach_mandatory(building_draft)
    application_signature_write(building_draft)  # the applicant's signature (test data)
    assert services.dossier_submit(actor=building_draft.applicant, address=ADDRESS, dossier=building_draft).reference


def test_visibility_and_download(building_draft: Any, staff: dict[str, Any]) -> None:
    document = upload(building_draft)
    stranger = UserFactory.create()
    with pytest.raises(NotFound):
        selectors.documents_for(dossier=building_draft, user=stranger)
    with pytest.raises(NotFound):
        dossier_document_response(user=stranger, document_id=document.pk)
    with pytest.raises(NotFound):  # the desk never sees drafts
        dossier_document_response(user=staff["desk_agent"], document_id=document.pk)
    with pytest.raises(NotFound):
        dossier_document_response(user=building_draft.applicant, document_id=document.pk + 1000)

    response = dossier_document_response(user=building_draft.applicant, document_id=document.pk)
    assert response.status_code == 200
    assert response["ETag"] == f'"{document.stored_document.sha256}"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    response.file_to_stream.close()  # type: ignore[attr-defined]  # response.close() would end the DB connection

    documents_attach_mandatory(building_draft)
    application_signature_write(building_draft)  # the applicant's signature (test data)
    services.dossier_submit(actor=building_draft.applicant, address=ADDRESS, dossier=building_draft)
    assert selectors.documents_for(dossier=building_draft, user=staff["desk_agent"]).count() >= 2


def test_rolled_back_upload_leaves_no_row_and_an_orphan_file_to_clean(
    building_draft: Any, documents_storage_dir: Path
) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        upload(building_draft)
        raise Abort
    assert not DossierDocument.objects.exists() and not StoredDocument.objects.exists()
    assert not AuditEvent.objects.filter(action="dossier.document_uploaded").exists()
    orphans = [path for path in documents_storage_dir.rglob("*") if path.is_file()]
    assert len(orphans) == 1  # the caller's rollback came after the store: documents_orphans removes it
    err = StringIO()
    call_command("documents_orphans", "--older-than-hours=0", "--delete", stdout=StringIO(), stderr=err)
    assert "1 orphan file(s) removed" in err.getvalue()
    assert not orphans[0].exists()


def test_a_failure_inside_the_service_removes_the_stored_file(
    building_draft: Any, documents_storage_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from permits.services import documents as documents_module

    def broken_audit(**kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(documents_module, "audit_and_publish", broken_audit)
    with pytest.raises(RuntimeError):
        upload(building_draft)
    assert not StoredDocument.objects.exists()
    assert [path for path in documents_storage_dir.rglob("*") if path.is_file()] == []


def test_reply_attachments_are_documents_of_the_round(catalogue: None, commune: Any) -> None:
    dossier = DossierFactory.create(
        procedure=Procedure.objects.get(code="building-permit"), commune=commune, awaiting_applicant=True
    )
    earlier = DossierDocument.objects.filter(dossier=dossier).first()
    assert earlier is not None
    other_file = DossierFactory.create(
        procedure=Procedure.objects.get(code="building-permit"), commune=commune, awaiting_applicant=True
    )
    foreign = upload(other_file, document_type="revised-plan")
    revised = upload(dossier, document_type="revised-plan")
    remark = dossier.remarks.get()
    for wrong in ([earlier.pk], [foreign.pk], ["x"]):
        with pytest.raises(InvalidDossier):
            services.remark_reply(actor=dossier.applicant, address=ADDRESS, remark=remark, text="ok", attachments=wrong)
    reply = services.remark_reply(
        actor=dossier.applicant, address=ADDRESS, remark=remark, text="Revised.", attachments=[revised]
    )
    assert reply.attachments == [revised.pk] and revised.round_number == 1
