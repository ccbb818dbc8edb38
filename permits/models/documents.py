"""Documents of a file: one `DossierDocument` row per upload, pointing at the immutable stored version it created.

The content lives in `gis_core.documents` (`StoredDocument`: verified, hashed, never changed); versions of one
document form a chain there through `supersedes`. A row here says which file the version belongs to, as which
document type (a code of the procedure's `RequiredDocument` catalogue, or `revised-plan` / `other`), in which
instruction round and by whom it was uploaded. Rows are written once and never updated or deleted.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gis_core.documents.models import StoredDocument
from permits.models.dossiers import Dossier

REVISED_PLAN = "revised-plan"
OTHER_DOCUMENT = "other"
FREE_DOCUMENT_TYPES = frozenset({REVISED_PLAN, OTHER_DOCUMENT})
#: The application form generated and sealed by the platform (`permits.application_form`), never uploaded.
SIGNED_APPLICATION = "signed-application"
#: How the document types that are not in a procedure's catalogue are named to people.
FREE_TYPE_LABELS = {
    REVISED_PLAN: _("Revised plans"),
    OTHER_DOCUMENT: _("Other documents"),
    SIGNED_APPLICATION: _("Signed application (written and sealed by the platform)"),
}


class DossierDocumentImmutable(RuntimeError):
    """Someone tried to change or delete the record of an upload (a programming error)."""


class DossierDocument(models.Model):
    """One uploaded version of one document of a file."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    document_type = models.SlugField(
        max_length=64, help_text=_("A required-document code of the procedure, or revised-plan / other.")
    )
    required_document = models.ForeignKey(
        "permits.RequiredDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="uploads"
    )
    round_number = models.PositiveSmallIntegerField(
        help_text=_("Instruction round of the file when uploaded (0 before the first round).")
    )
    stored_document = models.OneToOneField(
        StoredDocument, on_delete=models.PROTECT, related_name="dossier_document", help_text=_("This version.")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "uploaded_at", "id"]
        indexes = [models.Index(fields=["dossier", "document_type"], name="permits_doc_dossier_type")]

    def __str__(self) -> str:
        return f"{self.document_type} of file {self.dossier_id} (round {self.round_number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise DossierDocumentImmutable("an upload record is never changed; upload a new version")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise DossierDocumentImmutable("an upload record is never deleted")
