"""What a document really is: magic bytes first, then a real parse (pypdf for PDFs, Pillow for images).

The client's filename and content type are never trusted. `SIGNATURES` is the table of accepted formats;
`inspect_document` sniffs a file's first bytes, checks the detected kind against the caller's allowed kinds,
and parses the content, raising the typed errors of `gis_core.documents.errors`.
"""

import threading
import warnings
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.db import models
from PIL import Image, ImageFile
from pypdf import PdfReader

from gis_core.documents.errors import (
    DocumentEmpty,
    DocumentTypeNotAllowed,
    DocumentTypeUnrecognised,
    ImageBroken,
    ImageTooLarge,
    PdfBroken,
    PdfEncrypted,
)

HEADER_BYTES = 16


class DocumentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    IMAGE = "image", "Image"


@dataclass(frozen=True)
class Signature:
    """One accepted format: its magic bytes (at `offset`), MIME type, kind, extension and Pillow format."""

    magic: bytes
    content_type: str
    kind: DocumentKind
    extension: str
    pillow_format: str = ""
    offset: int = 0
    also: tuple[int, bytes] | None = None  # a second marker (offset, bytes), for RIFF containers

    def matches(self, header: bytes) -> bool:
        if header[self.offset : self.offset + len(self.magic)] != self.magic:
            return False
        if self.also is None:
            return True
        offset, marker = self.also
        return header[offset : offset + len(marker)] == marker


SIGNATURES: tuple[Signature, ...] = (
    Signature(b"%PDF-", "application/pdf", DocumentKind.PDF, "pdf"),
    Signature(b"\x89PNG\r\n\x1a\n", "image/png", DocumentKind.IMAGE, "png", "PNG"),
    Signature(b"\xff\xd8\xff", "image/jpeg", DocumentKind.IMAGE, "jpg", "JPEG"),
    Signature(b"II*\x00", "image/tiff", DocumentKind.IMAGE, "tif", "TIFF"),
    Signature(b"MM\x00*", "image/tiff", DocumentKind.IMAGE, "tif", "TIFF"),
    Signature(b"RIFF", "image/webp", DocumentKind.IMAGE, "webp", "WEBP", also=(8, b"WEBP")),
)


@dataclass(frozen=True)
class Inspection:
    """The verified facts about a document's content."""

    signature: Signature
    page_count: int | None = None
    width: int | None = None
    height: int | None = None

    @property
    def kind(self) -> DocumentKind:
        return self.signature.kind

    @property
    def content_type(self) -> str:
        return self.signature.content_type


def sniff(header: bytes) -> Signature:
    """The signature matching a file's first bytes, or `DocumentTypeUnrecognised`."""
    if not header:
        raise DocumentEmpty("The document is empty.")
    for signature in SIGNATURES:
        if signature.matches(header):
            return signature
    raise DocumentTypeUnrecognised(
        "The file is neither a PDF nor a PNG, JPEG, TIFF or WebP image (judged by its content, not its name)."
    )


def inspect_document(file: IO[Any], *, allowed_kinds: Collection[str], max_image_pixels: int) -> Inspection:
    """Sniff, check the kind against `allowed_kinds`, and parse `file` (a seekable binary file on disk)."""
    file.seek(0)
    signature = sniff(file.read(HEADER_BYTES))
    if signature.kind not in allowed_kinds:
        allowed = ", ".join(sorted(str(kind) for kind in allowed_kinds)) or "nothing"
        raise DocumentTypeNotAllowed(
            f"This document is a {signature.content_type} file; accepted here: {allowed}.",
            detected_content_type=signature.content_type,
        )
    file.seek(0)
    if signature.kind == DocumentKind.PDF:
        return Inspection(signature, page_count=inspect_pdf(file))
    width, height = inspect_image(file, signature=signature, max_pixels=max_image_pixels)
    return Inspection(signature, width=width, height=height)


def inspect_pdf(file: IO[Any]) -> int:
    """Page count of a PDF that pypdf can read; `PdfBroken` or `PdfEncrypted` otherwise.

    The file object is handed to pypdf as is (a path would make pypdf read the whole file into memory);
    only the cross-reference table and the page tree are read, never the content streams.
    """
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise PdfEncrypted("The PDF is encrypted or password-protected; upload it without protection.")
        page_count = len(reader.pages)
        for page in reader.pages:
            _ = page.mediabox  # every page object resolves
    except PdfEncrypted:
        raise
    except Exception as error:  # pypdf on untrusted input raises many types; each one means "cannot be read"
        raise PdfBroken(f"The PDF cannot be read ({type(error).__name__}: {error}).") from error
    if page_count < 1:
        raise PdfBroken("The PDF has no pages.")
    return page_count


_TRUNCATION_FLAG_LOCK = threading.Lock()


@contextmanager
def _truncated_images_refused() -> Iterator[None]:
    """Decode with Pillow's strict mode, whatever a library set globally.

    WeasyPrint sets `ImageFile.LOAD_TRUNCATED_IMAGES = True` when imported, which would let a truncated upload
    through; the flag is process-wide, so it is switched off only for this decode, under a lock.
    """
    with _TRUNCATION_FLAG_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def inspect_image(file: IO[Any], *, signature: Signature, max_pixels: int) -> tuple[int, int]:
    """(width, height) of an image that Pillow opens and verifies as the sniffed format.

    PNG chunks are checked by `verify()` without decoding; JPEGs are decoded at 1/8 scale (truncation shows);
    TIFF and WebP are decoded in full, within `max_pixels`.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[signature.pillow_format]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageTooLarge(
                        f"The image is {width} x {height} pixels; at most {max_pixels} pixels are accepted.",
                        width=width,
                        height=height,
                    )
                image.verify()
            if signature.pillow_format != "PNG":
                file.seek(0)
                with Image.open(file, formats=[signature.pillow_format]) as image, _truncated_images_refused():
                    if signature.pillow_format == "JPEG":
                        image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except ImageTooLarge:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageTooLarge(f"The image is too large to be processed safely ({error}).") from error
    except Exception as error:  # Pillow on untrusted input: any failure means the image cannot be read
        raise ImageBroken(f"The image cannot be read ({type(error).__name__}: {error}).") from error
    if width < 1 or height < 1:
        raise ImageBroken("The image has no pixels.")
    return width, height
