"""Typed errors of the document store; `gis_core.problems` maps them to problem details (400, 404, 409, 413).

Each error carries a stable `code` in its problem document so that clients can react without parsing text.
"""

from typing import Any

from gis_core.problems import DomainError


class DocumentError(DomainError):
    """Base of every document error."""

    code = "document_invalid"
    title = "Invalid document"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, code=self.code, **extra)


class DocumentEmpty(DocumentError):
    code = "document_empty"
    title = "Empty document"


class DocumentTooLarge(DocumentError):
    status = 413  # Content Too Large (RFC 9110)
    code = "document_too_large"
    title = "Document too large"


class DocumentTypeUnrecognised(DocumentError):
    code = "document_type_unrecognised"
    title = "Unrecognised document type"


class DocumentTypeNotAllowed(DocumentError):
    code = "document_type_not_allowed"
    title = "Document type not allowed"


class PdfBroken(DocumentError):
    code = "pdf_broken"
    title = "Broken PDF"


class PdfEncrypted(DocumentError):
    code = "pdf_encrypted"
    title = "Encrypted PDF"


class ImageBroken(DocumentError):
    code = "image_broken"
    title = "Broken image"


class ImageTooLarge(DocumentError):
    code = "image_too_large"
    title = "Image too large"


class DocumentQuotaExceeded(DocumentError):
    """The documents of one owner (a file) would pass their number or total size (settings)."""

    status = 409
    code = "document_quota_exceeded"
    title = "Document quota exceeded"


class DocumentAlreadySuperseded(DocumentError):
    status = 409
    code = "document_already_superseded"
    title = "Document already superseded"


class DocumentImmutable(DocumentError):
    status = 409
    code = "document_immutable"
    title = "Stored documents are immutable"


class DocumentNotFound(DocumentError):
    status = 404
    code = "document_not_found"
    title = "Not found"
