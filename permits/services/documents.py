"""Documents of a file: uploads as new immutable versions, the completeness rule, revised plans of a round.

`document_upload` stores the content through `gis_core.documents.services.document_store` (streamed, checked by
magic bytes, hashed) and records the `DossierDocument` row and its audit event in the same transaction: a
rollback leaves no row. The stored *file*, though, is written to storage before the transaction commits:

- when a step of this service fails after the store, the file is removed here before the error propagates;
- when the caller's outer transaction rolls back after this service returned, the file stays in storage with no
  row referring to it (an orphan, never a document). `manage.py documents_orphans --delete` removes such files;
  schedule it daily.

Nothing here overwrites or deletes: a new version supersedes the previous one (`supersedes=`), and both stay;
the previous version's plan annotations and calibrations are carried forward to it (`permits.plans.carry`).
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, Sum

from gis_core.documents.errors import DocumentTypeNotAllowed
from gis_core.documents.models import StoredDocument
from gis_core.documents.services import document_store, documents_quota_check, documents_storage
from gis_core.documents.validation import HEADER_BYTES, DocumentKind, sniff
from permits import access, workflow
from permits.answers import required_when_holds
from permits.errors import IllegalTransition, InvalidDossier, NotFound, PermissionDenied
from permits.models import (
    FREE_DOCUMENT_TYPES,
    REVISED_PLAN,
    Dossier,
    DossierDocument,
    DossierStatus,
    RequiredDocument,
)
from permits.plans.carry import plan_annotations_carry_forward
from permits.services.common import audit_and_publish, dossier_lock

UPLOAD_STATUSES = frozenset(workflow.WITH_APPLICANT)  # draft, incomplete, awaiting the applicant's reply
#: Spellings of one format in the catalogue, folded to the extension `gis_core.documents` detects.
FORMAT_ALIASES = {"jpeg": "jpg", "tiff": "tif"}
IMAGE_FORMATS = frozenset({"png", "jpg", "tif", "webp"})


def _formats(accepted: Iterable[str]) -> frozenset[str]:
    return frozenset(FORMAT_ALIASES.get(value.lower(), value.lower()) for value in accepted)


def _allowed_kinds(formats: frozenset[str]) -> tuple[str, ...]:
    if not formats:
        return (DocumentKind.PDF, DocumentKind.IMAGE)
    kinds = [DocumentKind.PDF] if "pdf" in formats else []
    if formats & IMAGE_FORMATS:
        kinds.append(DocumentKind.IMAGE)
    return tuple(kinds)


def _check_format(*, uploaded_file: UploadedFile, formats: frozenset[str], document_type: str) -> None:
    """Refuse, before anything is stored, content whose real format the catalogue does not accept for the type."""
    if not formats:
        return
    uploaded_file.seek(0)
    header = uploaded_file.read(HEADER_BYTES)
    uploaded_file.seek(0)
    signature = sniff(header)  # DocumentTypeUnrecognised / DocumentEmpty
    if signature.extension not in formats:
        raise DocumentTypeNotAllowed(
            f"{document_type}: this is a {signature.content_type} file; accepted: {', '.join(sorted(formats))}.",
            detected_content_type=signature.content_type,
            document_type=document_type,
            accepted_formats=sorted(formats),
        )


def _required_document(*, dossier: Dossier, document_type: str) -> RequiredDocument | None:
    if document_type in FREE_DOCUMENT_TYPES:
        return None
    required = RequiredDocument.objects.filter(procedure_id=dossier.procedure_id, code=document_type).first()
    if required is None:
        known = [
            *RequiredDocument.objects.filter(procedure_id=dossier.procedure_id).values_list("code", flat=True),
            *sorted(FREE_DOCUMENT_TYPES),
        ]
        raise InvalidDossier(f"unknown document type {document_type!r}; one of: {', '.join(known)}")
    return required


def _check_may_upload(*, actor: Any, dossier: Dossier, document_type: str) -> None:
    if not access.is_owner(actor, dossier):
        raise PermissionDenied("only the applicant or their architect may upload documents")
    if dossier.status not in UPLOAD_STATUSES:
        raise IllegalTransition(
            f"documents are not taken on a file that is {dossier.status}", current_status=dossier.status
        )
    if document_type == REVISED_PLAN and dossier.status != DossierStatus.AWAITING_APPLICANT:
        raise IllegalTransition(
            "revised plans answer remarks: they are taken while the file awaits the applicant's reply",
            current_status=dossier.status,
        )


def _check_quota(*, dossier_id: int, adding_bytes: int) -> None:
    """`DocumentQuotaExceeded` when one more version of `adding_bytes` would pass the file's quota (settings
    `DOSSIER_MAX_DOCUMENT_VERSIONS`, `DOSSIER_MAX_DOCUMENT_BYTES`)."""
    held = DossierDocument.objects.filter(dossier_id=dossier_id).aggregate(
        count=Count("pk"), total=Sum("stored_document__size_bytes")
    )
    documents_quota_check(
        count=held["count"],
        total_bytes=held["total"] or 0,
        adding_bytes=adding_bytes,
        max_count=settings.DOSSIER_MAX_DOCUMENT_VERSIONS,
        max_total_bytes=settings.DOSSIER_MAX_DOCUMENT_BYTES,
        owner=f"File {dossier_id}",
    )


def _previous_version(*, dossier: Dossier, supersedes: DossierDocument | int | None, document_type: str) -> Any:
    if supersedes is None:
        return None
    supersedes_id = supersedes if isinstance(supersedes, int) else supersedes.pk
    previous = (
        DossierDocument.objects.select_related("stored_document").filter(pk=supersedes_id, dossier=dossier).first()
    )
    if previous is None:
        raise NotFound(f"There is no document {supersedes_id} in this file.")
    if document_type not in (previous.document_type, REVISED_PLAN):
        raise InvalidDossier(
            f"a new version of a {previous.document_type} document must be a {previous.document_type} "
            f"or a {REVISED_PLAN}, not a {document_type}"
        )
    return previous.stored_document


@transaction.atomic
def document_upload(
    *,
    actor: Any,
    address: str | None,
    dossier: Dossier | int,
    document_type: str,
    uploaded_file: UploadedFile,
    supersedes: DossierDocument | int | None = None,
) -> DossierDocument:
    """Store an upload as a new immutable version of one of the file's documents and record it (audited).

    `document_type` is a code of the procedure's required documents, `revised-plan` (while the file awaits the
    applicant's reply) or `other`. The content must be of a format the catalogue accepts for the type (judged by
    its magic bytes). `supersedes` (a `DossierDocument` of the same file, the latest of its chain) makes the
    upload its next version. Raises `PermissionDenied`, `IllegalTransition`, `InvalidDossier`, `NotFound` and
    the `gis_core.documents.errors.DocumentError` family (too large, over the file's quota of versions or bytes,
    broken or encrypted PDF, wrong format...).
    """
    dossier_id = dossier if isinstance(dossier, int) else dossier.pk
    current = Dossier.objects.select_related("procedure").filter(pk=dossier_id).first()
    if current is None:
        raise NotFound(f"There is no file {dossier_id}.")
    # Cheap checks first, before the upload is read: nothing is stored for a refused request.
    _check_may_upload(actor=actor, dossier=current, document_type=document_type)
    required = _required_document(dossier=current, document_type=document_type)
    formats = _formats(required.accepted_formats if required is not None else ())
    _check_format(uploaded_file=uploaded_file, formats=formats, document_type=document_type)
    _check_quota(dossier_id=dossier_id, adding_bytes=uploaded_file.size or 0)
    previous = _previous_version(dossier=current, supersedes=supersedes, document_type=document_type)

    stored = document_store(
        uploaded_file=uploaded_file, allowed_kinds=_allowed_kinds(formats), user=actor, supersedes=previous
    )
    try:
        return _record_upload(
            actor=actor,
            address=address,
            dossier_id=dossier_id,
            document_type=document_type,
            required=required,
            stored=stored,
        )
    except BaseException:
        # Our transaction rolls back: remove the file too, so that neither a row nor a file remains.
        documents_storage().delete(stored.storage_key)
        raise


def _record_upload(
    *,
    actor: Any,
    address: str | None,
    dossier_id: int,
    document_type: str,
    required: RequiredDocument | None,
    stored: StoredDocument,
) -> DossierDocument:
    dossier = dossier_lock(dossier=dossier_id)  # the file is locked only once the content is stored
    _check_may_upload(actor=actor, dossier=dossier, document_type=document_type)  # again, under the lock
    _check_quota(dossier_id=dossier_id, adding_bytes=stored.size_bytes)  # concurrent uploads: again, exactly
    document = DossierDocument.objects.create(
        dossier=dossier,
        document_type=document_type,
        required_document=required,
        round_number=dossier.current_round,
        stored_document=stored,
        uploaded_by=actor,
    )
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="dossier.document_uploaded",
        payload={
            "document": document.pk,
            "document_type": document_type,
            "round": dossier.current_round,
            "stored_document": str(stored.pk),
            "lineage": str(stored.lineage),
            "version": stored.version,
            "sha256": stored.sha256,
            "size_bytes": stored.size_bytes,
            "content_type": stored.content_type,
            "filename": stored.original_filename,
        },
    )
    if stored.supersedes_id is not None:
        previous = DossierDocument.objects.select_related("stored_document").get(
            stored_document_id=stored.supersedes_id
        )
        plan_annotations_carry_forward(
            actor=actor, address=address, dossier=dossier, previous=previous, document=document
        )
    return document


def documents_missing_mandatory(*, dossier: Dossier) -> list[RequiredDocument]:
    """Mandatory documents of the file's procedure of which no version has been uploaded yet: those mandatory without
    a condition, and those whose `required_when` holds on the file's answers (a class 1 establishment's impact
    study)."""
    uploaded = DossierDocument.objects.filter(dossier=dossier).values("document_type")
    candidates = (
        RequiredDocument.objects.filter(procedure_id=dossier.procedure_id)
        .filter(Q(mandatory=True, required_when={}) | ~Q(required_when={}))
        .exclude(code__in=uploaded)
        .order_by("order", "code")
    )
    return [document for document in candidates if required_when_holds(document.required_when, dossier.answers or {})]


def documents_require_mandatory(*, dossier: Dossier) -> None:
    """`IllegalTransition` (409) naming every missing mandatory document; used when the file is submitted."""
    missing = documents_missing_mandatory(dossier=dossier)
    if missing:
        labels = "; ".join(f"{document.code} ({document.label_en or document.label_fr})" for document in missing)
        raise IllegalTransition(
            f"mandatory documents are missing: {labels}",
            action=str(workflow.Action.SUBMIT),
            current_status=dossier.status,
            missing_documents=[document.code for document in missing],
        )


def revised_plans_check(*, dossier: Dossier, attachments: Iterable[Any]) -> list[int]:
    """The ids of `attachments` (`DossierDocument`s or their ids) when each was uploaded to this file in its
    current round (revised plans, or new versions of catalogue documents); `InvalidDossier` otherwise.
    Used by `remark_reply`: a reply can only attach what the applicant uploaded to answer this round's remarks."""
    ids: list[int] = []
    for value in attachments:
        try:
            ids.append(int(value.pk if isinstance(value, DossierDocument) else value))
        except (TypeError, ValueError) as error:
            raise InvalidDossier(f"attachments: {value!r} is not a document id") from error
    ids = list(dict.fromkeys(ids))
    found = set(
        DossierDocument.objects.filter(pk__in=ids, dossier=dossier, round_number=dossier.current_round).values_list(
            "pk", flat=True
        )
    )
    wrong = [document_id for document_id in ids if document_id not in found]
    if wrong:
        raise InvalidDossier(
            f"attachments: documents {wrong} were not uploaded to this file in round {dossier.current_round}",
            attachments=wrong,
        )
    return ids
