"""The file's documents as the pages show them: one row per document the procedure requires (plus revised plans
and other documents), each with every uploaded version, through `permits.selectors.documents_for`; uploads through
`permits.services.document_upload`, a new version superseding the current one of the same type."""

from dataclasses import dataclass, field
from typing import Any

from permits import selectors, services
from permits.models import REVISED_PLAN, Dossier, DossierDocument, RequiredDocument


@dataclass
class DocumentRow:
    code: str
    required: RequiredDocument | None
    versions: list[DossierDocument] = field(default_factory=list)

    @property
    def current(self) -> DossierDocument | None:
        return next((version for version in reversed(self.versions) if getattr(version, "is_current", True)), None)


def document_rows(*, dossier: Dossier, user: Any) -> list[DocumentRow]:
    rows = {
        required.code: DocumentRow(required.code, required) for required in dossier.procedure.required_documents.all()
    }
    for document in selectors.documents_for(dossier=dossier, user=user):
        rows.setdefault(document.document_type, DocumentRow(document.document_type, None)).versions.append(document)
    return list(rows.values())


def current_version_of(*, dossier: Dossier, user: Any, document_type: str) -> DossierDocument | None:
    """The current version of a type (what a new upload of the same type supersedes)."""
    current = selectors.documents_for(dossier=dossier, user=user, current_only=True).filter(document_type=document_type)
    return current.order_by("-uploaded_at", "-pk").first()


def document_upload(
    *, actor: Any, address: str | None, dossier: Dossier, document_type: str, uploaded_file: Any
) -> DossierDocument:
    """Upload a document; when the type already has a version (not a revised plan), the upload supersedes it."""
    previous = None
    if document_type != REVISED_PLAN:
        previous = current_version_of(dossier=dossier, user=actor, document_type=document_type)
    return services.document_upload(
        actor=actor,
        address=address,
        dossier=dossier,
        document_type=document_type,
        uploaded_file=uploaded_file,
        supersedes=previous,
    )
