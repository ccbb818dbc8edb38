"""Service tests of `document_store`: verification by content, all-or-nothing storage, versions, immutability."""

import hashlib
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from gis_core.documents import errors, selectors, services
from gis_core.documents.models import StoredDocument
from gis_core.documents.services import document_store
from gis_core.problems import DomainError, as_problem
from tests.documents.conftest import DocumentDirs
from tests.documents.files import encrypted_pdf_bytes, image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


class CountingStream(io.BytesIO):
    """A stream that records how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def assert_nothing_left(dirs: DocumentDirs) -> None:
    assert StoredDocument.objects.count() == 0
    assert dirs.stored_files() == []
    assert dirs.temp_files() == []


def test_pdf_is_stored_with_hash_pages_and_a_key_not_derived_from_the_filename(document_dirs: DocumentDirs) -> None:
    content = pdf_bytes(pages=3)
    user = get_user_model().objects.create_user("architect", password="x-secret-42")

    document = document_store(
        stream=io.BytesIO(content), filename="../../etc/Plan RDC.pdf", allowed_kinds=["pdf"], max_bytes=10**6, user=user
    )

    document.refresh_from_db()
    assert document.kind == "pdf"
    assert document.content_type == "application/pdf"
    assert document.page_count == 3
    assert document.size_bytes == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.original_filename == "Plan RDC.pdf"
    assert document.created_by == user
    assert (document.version, document.lineage, document.supersedes) == (1, document.pk, None)
    assert "Plan" not in document.storage_key and document.storage_key.endswith(f"{document.pk.hex}.pdf")
    [stored] = document_dirs.stored_files()
    assert stored.read_bytes() == content
    assert document_dirs.temp_files() == []
    with selectors.document_open(document=document) as opened:
        assert opened.read() == content


@pytest.mark.parametrize(
    ("image_format", "content_type", "extension"),
    [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"), ("TIFF", "image/tiff", "tif"),
     ("WEBP", "image/webp", "webp")],
)  # fmt: skip
def test_images_are_verified_and_measured(
    document_dirs: DocumentDirs, image_format: str, content_type: str, extension: str
) -> None:
    content = image_bytes(image_format, size=(64, 48))

    document = document_store(
        uploaded_file=SimpleUploadedFile("photo.bin", content, content_type="application/pdf"),
        allowed_kinds=["image"],
        max_bytes=10**6,
        user=None,
    )

    assert (document.kind, document.content_type, document.width, document.height) == ("image", content_type, 64, 48)
    assert document.page_count is None
    assert document.storage_key.endswith("." + extension)
    assert document.created_by is None


@pytest.mark.parametrize(
    ("content", "filename", "allowed", "error"),
    [
        (image_bytes("PNG"), "plan.pdf", ["pdf"], errors.DocumentTypeNotAllowed),  # a PNG renamed .pdf
        (pdf_bytes(), "photo.jpg", ["image"], errors.DocumentTypeNotAllowed),  # a PDF renamed .jpg
        (b"MZ\x90\x00 this is an executable", "plan.pdf", ["pdf", "image"], errors.DocumentTypeUnrecognised),
        (b"<html><script>alert(1)</script>", "plan.pdf", ["pdf", "image"], errors.DocumentTypeUnrecognised),
        (b"", "plan.pdf", ["pdf"], errors.DocumentEmpty),
    ],
)
def test_content_decides_not_the_name_or_the_client_content_type(
    document_dirs: DocumentDirs, content: bytes, filename: str, allowed: list[str], error: type[Exception]
) -> None:
    upload = SimpleUploadedFile(filename, content, content_type="application/pdf")

    with pytest.raises(error):
        document_store(uploaded_file=upload, allowed_kinds=allowed, max_bytes=10**6, user=None)

    assert_nothing_left(document_dirs)


@pytest.mark.parametrize(
    "content",
    [
        pdf_bytes(pages=2)[:-200],  # truncated
        pdf_bytes(pages=2)[:40],  # header only
        b"%PDF-1.7\n" + b"\x00garbage" * 200 + b"\n%%EOF\n",  # a header and nothing that parses
    ],
    ids=["truncated", "header-only", "garbage"],
)
def test_broken_pdf_is_refused(document_dirs: DocumentDirs, content: bytes) -> None:
    with pytest.raises(errors.PdfBroken) as caught:
        document_store(stream=io.BytesIO(content), filename="plan.pdf", allowed_kinds=["pdf"], max_bytes=10**6)

    assert caught.value.extra["code"] == "pdf_broken"
    assert_nothing_left(document_dirs)


def test_encrypted_pdf_is_refused(document_dirs: DocumentDirs) -> None:
    with pytest.raises(errors.PdfEncrypted):
        document_store(
            stream=io.BytesIO(encrypted_pdf_bytes()), filename="plan.pdf", allowed_kinds=["pdf"], max_bytes=10**6
        )

    assert_nothing_left(document_dirs)


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_truncated_image_is_refused(document_dirs: DocumentDirs, image_format: str) -> None:
    content = image_bytes(image_format, size=(400, 300))
    with pytest.raises(errors.ImageBroken):
        document_store(
            stream=io.BytesIO(content[: len(content) // 2]), filename="x", allowed_kinds=["image"], max_bytes=10**6
        )

    assert_nothing_left(document_dirs)


def test_image_with_too_many_pixels_is_refused(document_dirs: DocumentDirs, settings: Any) -> None:
    settings.DOCUMENTS_MAX_IMAGE_PIXELS = 100 * 100
    with pytest.raises(errors.ImageTooLarge):
        document_store(
            stream=io.BytesIO(image_bytes("PNG", size=(200, 100))),
            filename="x",
            allowed_kinds=["image"],
            max_bytes=10**6,
        )

    assert_nothing_left(document_dirs)


def test_too_large_stream_is_refused_early(document_dirs: DocumentDirs) -> None:
    stream = CountingStream(b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))

    with pytest.raises(errors.DocumentTooLarge) as caught:
        document_store(stream=stream, filename="plan.pdf", allowed_kinds=["pdf"], max_bytes=1024 * 1024)

    assert stream.bytes_read <= 1024 * 1024 + 1  # stopped one byte past the limit, not at the end
    assert caught.value.extra == {"code": "document_too_large", "max_bytes": 1024 * 1024}
    assert_nothing_left(document_dirs)


def test_too_large_upload_is_refused_before_reading(document_dirs: DocumentDirs) -> None:
    upload = SimpleUploadedFile("plan.pdf", pdf_bytes(), content_type="application/pdf")

    with pytest.raises(errors.DocumentTooLarge):
        document_store(uploaded_file=upload, allowed_kinds=["pdf"], max_bytes=100)

    assert upload.tell() == 0
    assert_nothing_left(document_dirs)


def test_database_failure_removes_the_stored_file(document_dirs: DocumentDirs, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_record(**kwargs: Any) -> StoredDocument:
        raise IntegrityError("simulated")

    monkeypatch.setattr(services, "_record", failing_record)

    with pytest.raises(IntegrityError):
        document_store(stream=io.BytesIO(pdf_bytes()), filename="plan.pdf", allowed_kinds=["pdf"], max_bytes=10**6)

    assert_nothing_left(document_dirs)


def test_a_new_version_supersedes_the_previous_and_both_remain(document_dirs: DocumentDirs) -> None:
    first_content, second_content = pdf_bytes(pages=1), pdf_bytes(pages=2)
    first = document_store(stream=io.BytesIO(first_content), filename="plan-v1.pdf", allowed_kinds=["pdf"])
    second = document_store(
        stream=io.BytesIO(second_content), filename="plan-v2.pdf", allowed_kinds=["pdf"], supersedes=first
    )
    third = document_store(
        stream=io.BytesIO(image_bytes("PNG")), filename="plan-v3.png", allowed_kinds=["pdf", "image"], supersedes=second
    )

    assert (second.version, second.lineage, second.supersedes_id) == (2, first.lineage, first.pk)
    assert (third.version, third.lineage, third.supersedes_id) == (3, first.lineage, second.pk)
    assert list(selectors.document_versions(document=second)) == [first, second, third]
    assert selectors.document_latest(document=first) == third
    assert selectors.document_is_latest(document=third) and not selectors.document_is_latest(document=first)
    assert list(selectors.documents_latest_versions(lineages=[first.lineage])) == [third]
    assert len(document_dirs.stored_files()) == 3
    with selectors.document_open(document=first) as opened:
        assert opened.read() == first_content


def test_the_same_content_uploaded_twice_is_two_versions_rows(document_dirs: DocumentDirs) -> None:
    content = pdf_bytes()
    first = document_store(stream=io.BytesIO(content), filename="a.pdf", allowed_kinds=["pdf"])
    again = document_store(stream=io.BytesIO(content), filename="a.pdf", allowed_kinds=["pdf"], supersedes=first)

    assert first.sha256 == again.sha256 and first.pk != again.pk and first.storage_key != again.storage_key


def test_an_old_version_cannot_be_superseded_twice(document_dirs: DocumentDirs) -> None:
    first = document_store(stream=io.BytesIO(pdf_bytes()), filename="a.pdf", allowed_kinds=["pdf"])
    document_store(stream=io.BytesIO(pdf_bytes()), filename="b.pdf", allowed_kinds=["pdf"], supersedes=first)

    with pytest.raises(errors.DocumentAlreadySuperseded) as caught:
        document_store(stream=io.BytesIO(pdf_bytes()), filename="c.pdf", allowed_kinds=["pdf"], supersedes=first)

    assert caught.value.status == 409 and caught.value.extra["latest_version"] == 2
    assert StoredDocument.objects.count() == 2 and len(document_dirs.stored_files()) == 2


def test_stored_documents_cannot_be_modified_or_deleted(document_dirs: DocumentDirs) -> None:
    document = document_store(stream=io.BytesIO(pdf_bytes()), filename="a.pdf", allowed_kinds=["pdf"])
    original_sha256 = document.sha256

    document.sha256 = "0" * 64
    with pytest.raises(errors.DocumentImmutable):
        document.save()
    with pytest.raises(errors.DocumentImmutable):
        document.delete()
    with pytest.raises(errors.DocumentImmutable):
        StoredDocument.objects.filter(pk=document.pk).update(original_filename="other.pdf")
    with pytest.raises(errors.DocumentImmutable):
        StoredDocument.objects.filter(pk=document.pk).delete()
    for statement in (
        "UPDATE documents_storeddocument SET sha256 = repeat('0', 64) WHERE id = %s",
        "DELETE FROM documents_storeddocument WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [document.pk])

    document.refresh_from_db()
    assert document.sha256 == original_sha256
    assert len(document_dirs.stored_files()) == 1


def test_document_errors_are_problem_details() -> None:
    problem = as_problem(errors.PdfEncrypted("The PDF is encrypted."))

    assert isinstance(errors.PdfEncrypted("x"), DomainError)
    assert problem == {
        "type": "about:blank",
        "title": "Encrypted PDF",
        "status": 400,
        "detail": "The PDF is encrypted.",
        "code": "pdf_encrypted",
    }


def test_unknown_ids_are_not_found() -> None:
    with pytest.raises(errors.DocumentNotFound):
        selectors.document_get(document_id="not-a-uuid")
    with pytest.raises(errors.DocumentNotFound):
        selectors.document_get(document_id="00000000-0000-0000-0000-000000000000")


def test_clean_filename_keeps_the_name_only() -> None:
    assert services.clean_filename("C:\\Users\\me\\plan\x00.pdf") == "plan.pdf"
    assert services.clean_filename("مخطط.pdf") == "مخطط.pdf"
    assert services.clean_filename("") == "document"
    assert len(services.clean_filename("a" * 400 + ".pdf")) == 255


def test_orphan_files_left_by_an_outer_rollback_are_found_and_removed(document_dirs: DocumentDirs) -> None:
    from django.core.management import call_command

    kept = document_store(stream=io.BytesIO(pdf_bytes()), filename="kept.pdf", allowed_kinds=["pdf"])
    with pytest.raises(RuntimeError), transaction.atomic():  # the caller's transaction fails after the store
        document_store(stream=io.BytesIO(pdf_bytes()), filename="lost.pdf", allowed_kinds=["pdf"])
        raise RuntimeError("the dossier service failed later")
    assert len(document_dirs.stored_files()) == 2

    listing = io.StringIO()
    call_command("documents_orphans", older_than_hours=0, stdout=listing, stderr=io.StringIO())
    assert len(listing.getvalue().split()) == 1 and kept.storage_key not in listing.getvalue()
    assert len(document_dirs.stored_files()) == 2

    call_command("documents_orphans", older_than_hours=0, delete=True, stdout=io.StringIO(), stderr=io.StringIO())
    [remaining] = document_dirs.stored_files()
    assert remaining.name == kept.storage_key.rsplit("/", 1)[-1]


def test_truncated_jpeg_is_refused_even_when_a_library_relaxed_pillow(
    document_dirs: DocumentDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES globally when imported; uploads stay strict anyway."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    content = image_bytes("JPEG", size=(400, 300))
    with pytest.raises(errors.ImageBroken):
        document_store(
            stream=io.BytesIO(content[: len(content) // 2]), filename="x", allowed_kinds=["image"], max_bytes=10**6
        )
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the process-wide setting is left as it was
    assert_nothing_left(document_dirs)
