"""Stamps with a QR code to the public page (decoded by zbarimg), and the page itself (valid / altered, 3 languages)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfWriter

from gis_core.signing import services, stamp
from gis_core.signing.errors import SigningError
from gis_core.signing.models import VerificationToken
from gis_core.signing.signers import signer_for
from tests.signing.pdf_factory import MARKER

pytestmark = pytest.mark.django_db
# The page reads through the public read-only connection, which sees committed rows only.
PAGE_READS = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])


def decode_qr_codes(path: Path, tmp_path: Path) -> list[str]:
    """Render every page with pdftoppm and decode its QR codes with zbarimg (Debian zbar-tools)."""
    if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
        pytest.skip("zbarimg (zbar-tools) or pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-r", "120", "-png", str(path), str(tmp_path / "page")], check=True)
    found = []
    for image in sorted(tmp_path.glob("page-*.png")):
        result = subprocess.run(
            ["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
            capture_output=True,
            text=True,
            check=False,
        )
        found.append(result.stdout.strip())
    return found


@pytest.fixture
def stamped_plan(pdf_document: Any, signer_users: list[Any]) -> Any:
    plan = services.document_stamp(document=pdf_document(3, name="plan.pdf"), reference="PC-2026-0042", purpose="plan")
    return services.pdf_sign(document=plan, signer=signer_for(user=signer_users[2]), field_name="President")


def test_every_page_of_the_stamped_plan_has_a_qr_code_to_its_verification_page(
    stamped_plan: Any, tmp_path: Path
) -> None:
    token = VerificationToken.objects.get(lineage=stamped_plan.lineage)
    path = tmp_path / "plan.pdf"
    path.write_bytes(services.document_bytes(stamped_plan))
    url = f"http://testserver/verify/{token.token}/"
    assert decode_qr_codes(path, tmp_path) == [url, url, url]
    assert services.document_verify(document=stamped_plan).status == "valid"


def test_a_signed_document_cannot_be_stamped_again(stamped_plan: Any) -> None:
    with pytest.raises(SigningError):
        services.document_stamp(document=stamped_plan, reference="PC-2026-0042")


@PAGE_READS
def test_public_page_reports_the_stored_document_and_checks_copies(stamped_plan: Any, client: Client) -> None:
    token = VerificationToken.objects.get(lineage=stamped_plan.lineage).token
    url = f"/verify/{token}/"

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-status="valid"' in html and "Sara Ouazzani" in html and "PC-2026-0042" in html
    assert "@urbaplan.test" not in html  # no personal data beyond the document: the e-mail is not shown

    original = services.document_bytes(stamped_plan)
    same = client.post(url, {"copy": SimpleUploadedFile("copy.pdf", original, "application/pdf")})
    assert 'data-copy="identical"' in same.content.decode()

    position = original.index(MARKER)
    tampered = original[:position] + b"Y" + original[position + 1 :]
    altered = client.post(url, {"copy": SimpleUploadedFile("copy.pdf", tampered, "application/pdf")})
    body = altered.content.decode()
    assert altered.status_code == 200
    assert 'data-copy="different"' in body and body.count('data-status="altered"') == 1

    garbage = client.post(url, {"copy": SimpleUploadedFile("copy.pdf", b"not a pdf", "application/pdf")})
    assert 'data-status="altered"' in garbage.content.decode()

    for language, direction, title in (
        ("fr", "ltr", "Vérification du document"),
        ("ar", "rtl", "التحقق من الوثيقة"),
        ("en", "ltr", "Document verification"),
    ):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'lang="{language}" dir="{direction}"' in html and f"<h1>{title}</h1>" in html


@pytest.mark.django_db(databases=["default", "geoportal"])
def test_unknown_token_is_404(client: Client) -> None:
    assert client.get("/verify/no-such-token/").status_code == 404


def test_a_blank_page_without_a_content_stream_is_stamped_too(tmp_path: Path) -> None:
    """Scanned or generated plans may have pages with no /Contents at all: they are stamped like any other."""
    blank = PdfWriter()
    blank.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    blank.write(buffer)
    url = "http://testserver/verify/blank/"
    stamped = stamp.stamp_pdf(
        buffer.getvalue(),
        url=url,
        label=stamp.StampText(purpose="plan", reference="PC-2026-0043", date="2026-11-29"),
        font_path=settings.SIGNING_STAMP_FONT,
    )
    path = tmp_path / "blank.pdf"
    path.write_bytes(stamped)
    assert decode_qr_codes(path, tmp_path) == [url]
