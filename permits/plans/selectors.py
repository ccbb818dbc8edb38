"""Reads of the plan review. Visibility is exactly the file's document visibility
(`permits.selectors.dossier_document_get_for`): a document, annotation or calibration of a file the user may not see
is a `NotFound`, like one that does not exist."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from permits import access, selectors
from permits.errors import NotFound
from permits.models import FREE_TYPE_LABELS, SIGNED_APPLICATION, Dossier, DossierDocument
from permits.plans.models import PlanAnnotation, PlanCalibration


def plan_document_get_for(*, user: Any, document_id: int) -> DossierDocument:
    """One version of a plan (any document of the file) if the user may see its file; `NotFound` otherwise."""
    return selectors.dossier_document_get_for(user=user, document_id=document_id)


def annotations_for(*, document: DossierDocument, page: int | None = None) -> QuerySet[PlanAnnotation]:
    """The annotations of a version (of one page), withdrawn ones included, oldest first."""
    annotations = PlanAnnotation.objects.filter(document=document).select_related("author")
    if page is not None:
        annotations = annotations.filter(page=page)
    return annotations.order_by("page", "created_at", "pk")


def annotation_get_for(*, user: Any, annotation_id: int) -> PlanAnnotation:
    """An annotation of a file the user may see; `NotFound` otherwise."""
    visible = selectors.dossiers_visible_to(user=user).values("pk")
    annotation = (
        PlanAnnotation.objects.filter(pk=annotation_id, document__dossier__in=visible)
        .select_related("author", "document__stored_document")
        .first()
    )
    if annotation is None:
        raise NotFound(f"There is no annotation {annotation_id}.")
    return annotation


def calibration_get(*, document: DossierDocument, page: int) -> PlanCalibration:
    """The scale of a page; `NotFound` when it has none."""
    calibration = PlanCalibration.objects.filter(document=document, page=page).select_related("set_by").first()
    if calibration is None:
        raise NotFound(f"Page {page} of document {document.pk} has no calibration.")
    return calibration


@dataclass
class PlanChain:
    """The versions of one plan, oldest first (a `StoredDocument` lineage)."""

    document_type: str
    label: str
    versions: list[DossierDocument] = field(default_factory=list)


def plans_for(*, dossier: Dossier, user: Any, language: str) -> list[PlanChain]:
    """The file's plan-like documents (PDF or image; not the signed application form) grouped by version chain,
    the chains in the order of their first upload, each version oldest first."""
    documents = selectors.documents_for(dossier=dossier, user=user).exclude(document_type=SIGNED_APPLICATION)
    chains: dict[Any, PlanChain] = {}
    for document in documents:
        lineage = document.stored_document.lineage
        if lineage not in chains:
            chains[lineage] = PlanChain(document.document_type, _label(document, language))
        chains[lineage].versions.append(document)
    for chain in chains.values():
        chain.versions.sort(key=lambda document: document.stored_document.version)
    return list(chains.values())


def _label(document: DossierDocument, language: str) -> str:
    required = document.required_document
    if required is None:
        with translation.override(language):
            return str(FREE_TYPE_LABELS.get(document.document_type, document.document_type))
    labels = {"fr": required.label_fr, "ar": required.label_ar, "en": required.label_en}
    return labels.get(language) or required.label_fr or document.document_type


def is_owner_side(*, user: Any, dossier: Dossier) -> bool:
    """The applicant or their architect (their pages are the read-only ones)."""
    return access.is_owner(user, dossier)
