"""The file's documents as the pages show them, and their upload and download views.

One row per document the procedure requires (plus revised plans and other documents), each with every uploaded
version, through `permits.selectors.documents_for`; uploads through `permits.services.document_upload`, a new
version superseding the current one of the same type; downloads of a version to whoever may see the file. Once the
file is published, the signed decision, PV extract and authorised plans (`permits.commissions.published`) with the
address of their public verification page (the one their QR code carries).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gis_core.documents.downloads import document_response
from gis_core.documents.models import StoredDocument
from gis_core.signing.services import verification_url
from permits import selectors, services, workflow
from permits.commissions import published
from permits.commissions.models import OutputKind
from permits.downloads import dossier_document_response
from permits.errors import NotFound
from permits.models import (
    FREE_TYPE_LABELS,
    REVISED_PLAN,
    Dossier,
    DossierDocument,
    DossierStatus,
    RequiredDocument,
)
from web import forms
from web.i18n import localized
from web.views.common import back_to, client_address, dossier_for, run_service


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


def labelled_document_rows(*, dossier: Dossier, user: Any) -> list[dict[str, Any]]:
    """The rows as the templates show them, each labelled in the active language."""
    return [
        {
            "code": row.code,
            "required": row.required,
            "label": localized(row.required, "label")
            if row.required
            else str(FREE_TYPE_LABELS.get(row.code, row.code)),
            "versions": row.versions,
        }
        for row in document_rows(dossier=dossier, user=user)
    ]


def current_version_of(*, dossier: Dossier, user: Any, document_type: str) -> DossierDocument | None:
    """The current version of a type (what a new upload of the same type supersedes)."""
    current = selectors.documents_for(dossier=dossier, user=user, current_only=True).filter(document_type=document_type)
    return current.order_by("-uploaded_at", "-pk").first()


def document_version_upload(
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


PUBLISHED_LABELS = {
    OutputKind.DECISION: gettext_lazy("Signed decision"),
    OutputKind.MINUTES: gettext_lazy("Minutes of the examination of your file (PV extract)"),
    OutputKind.PLAN: gettext_lazy("Authorised plan %(number)s, stamped"),
}


@dataclass(frozen=True)
class PublishedRow:
    output_id: int
    kind: str
    label: str
    document: StoredDocument
    signed_at: datetime
    download_url: str
    verify_path: str | None
    verify_url: str | None


def published_rows(*, dossier: Dossier) -> list[PublishedRow]:
    """The signed documents of a published file, each with its download and its verification page; [] before."""
    rows = []
    for item in published.published_outputs_for(dossier=dossier):
        label = str(PUBLISHED_LABELS[OutputKind(item.kind)])
        token = item.verification
        rows.append(
            PublishedRow(
                output_id=item.output_id,
                kind=item.kind,
                label=label % {"number": item.number} if item.kind == OutputKind.PLAN else label,
                document=item.document,
                signed_at=item.signed_at,
                download_url=reverse("web:dossier-published-document", args=[dossier.pk, item.output_id]),
                verify_path=reverse("signing:verify", kwargs={"token": token.token}) if token else None,
                verify_url=verification_url(token) if token else None,
            )
        )
    return rows


def decision_pending(*, dossier: Dossier) -> bool:
    """Decided, its documents not released yet (being signed, or signed and awaiting publication)."""
    return dossier.status in workflow.DECIDED_GROUP - {DossierStatus.PUBLISHED}


@login_required
@require_POST
def document_upload(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Upload one document (or a new version of it) to the file."""
    dossier = dossier_for(request, dossier_id)
    form = forms.DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            lambda: document_version_upload(
                actor=request.user,
                address=client_address(request),
                dossier=dossier,
                document_type=data["document_type"],
                uploaded_file=data["file"],
            ),
            _("Document uploaded."),
        )
    else:
        messages.error(request, _("Choose a file to upload."))
    return back_to(request, dossier)


@login_required
def document_download(request: HttpRequest, dossier_id: int, document_id: int) -> HttpResponseBase:
    """One uploaded version, to whoever may see the file; 404 for anyone else (and for another file's document)."""
    try:
        return dossier_document_response(
            user=request.user, document_id=document_id, dossier_id=dossier_id, request=request
        )
    except NotFound as error:
        raise Http404(str(error)) from error


@login_required
def published_document_download(request: HttpRequest, dossier_id: int, output_id: int) -> HttpResponseBase:
    """A signed document of the published file (decision, PV extract, authorised plan), in its signed version;
    404 before the file is published, for the session's agenda, and for anyone who may not see the file."""
    dossier = dossier_for(request, dossier_id)
    try:
        document = published.published_output_get(dossier=dossier, output_id=output_id).document
    except NotFound as error:
        raise Http404(str(error)) from error
    return document_response(document, request=request)
