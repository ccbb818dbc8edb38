"""The opening of a plan (`permits.plans.pdf.opening`): the chunks a viewer needs to open a PDF and draw a page,
asked for in one request. Proven by reading the plan with ONLY those bytes (everything else zeroed): pypdf still
finds every page and its box, page 1's drawing and image are there whole, and so is a signed plan's original
revision (its cross-reference section before the signature's)."""

from __future__ import annotations

import io
import itertools

import pytest
from pypdf import PdfReader

from gis_core.signing import pades
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.signers import Pkcs12Signer
from permits.plans.pdf.errors import UnreadablePlan
from permits.plans.pdf.opening import chunk_ranges, opening
from tests.legal_path import pki  # noqa: F401 - the development PKI of the session, as a fixture
from tests.plans.plan_files import PLAN, plan_pdf

CHUNK = 16 * 1024


def only(data: bytes, ranges: list[list[int]]) -> bytes:
    """`data` with every byte outside `ranges` zeroed: what a viewer holds after the one request."""
    kept = bytearray(len(data))
    for start, end in ranges:
        kept[start : end + 1] = data[start : end + 1]
    return bytes(kept)


def image_or_none(reader: PdfReader, index: int) -> bytes | None:
    """The page's hatch image, or None where its bytes are missing (pypdf fails in its own ways on zeros)."""
    try:
        return reader.pages[index]["/Resources"]["/XObject"]["/Hatch"].get_object().get_data()  # type: ignore[index]
    except Exception:
        return None


def test_the_opening_holds_the_page_tree_and_the_first_page_and_little_else() -> None:
    data = plan_pdf(pages=12, hatch_bytes=60_000)  # each page's image ~60 KB: its dictionary far from the next
    answer = opening(io.BytesIO(data), page=1, chunk_bytes=CHUNK)
    assert answer["size_bytes"] == len(data) and answer["chunk_bytes"] == CHUNK
    ranges = answer["ranges"]
    assert all(start % CHUNK == 0 and (end + 1) % CHUNK in (0, len(data) % CHUNK) for start, end in ranges)
    assert all(previous[1] + 1 < following[0] for previous, following in itertools.pairwise(ranges))
    assert sum(end - start + 1 for start, end in ranges) < len(data) / 2  # not the whole plan

    reader = PdfReader(io.BytesIO(only(data, ranges)), strict=False)
    original = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 12
    assert [page.mediabox.width for page in reader.pages] == [PLAN.width] * 12
    assert reader.pages[0].get_contents().get_data() == original.pages[0].get_contents().get_data()  # type: ignore[union-attr]
    assert image_or_none(reader, 0) == image_or_none(original, 0) is not None
    # another page's image is not in it (the viewer asks for it when it draws that page)
    assert image_or_none(reader, 11) != image_or_none(original, 11) is not None


def test_another_page_brings_its_own_drawing() -> None:
    data = plan_pdf(pages=6, hatch_bytes=60_000)
    ranges = opening(io.BytesIO(data), page=5, chunk_bytes=CHUNK)["ranges"]
    reader, original = PdfReader(io.BytesIO(only(data, ranges)), strict=False), PdfReader(io.BytesIO(data))
    assert reader.pages[4].get_contents().get_data() == original.pages[4].get_contents().get_data()  # type: ignore[union-attr]


def test_a_signed_plan_opens_with_its_original_revision(pki: DevelopmentPki) -> None:  # noqa: F811
    credentials = pki.user("opening-architect", display_name="Architecte")
    with Pkcs12Signer(credentials.pkcs12_path, credentials.passphrase).session() as signer:
        signed = pades.sign_pdf(
            plan_pdf(pages=4, hatch_bytes=60_000),
            signer=signer,
            field_name="Architect",
            options=pades.SignatureOptions(timestamper=None),
        )
    ranges = opening(io.BytesIO(signed), page=1, chunk_bytes=CHUNK)["ranges"]
    reader = PdfReader(io.BytesIO(only(signed, ranges)), strict=False)
    assert len(reader.pages) == 4 and "/AcroForm" in reader.trailer["/Root"]  # type: ignore[operator]


def test_what_is_not_a_pdf_is_a_clear_error() -> None:
    with pytest.raises(UnreadablePlan):
        opening(io.BytesIO(b"%PDF-1.7\nnot really\n%%EOF"), page=1, chunk_bytes=CHUNK)


def test_chunks_are_whole_and_adjacent_ones_merged() -> None:
    spans = [(0, 1), (10, 20), (CHUNK + 5, CHUNK + 6), (5 * CHUNK - 1, 5 * CHUNK + 1), (9 * CHUNK, 9 * CHUNK + 10)]
    assert chunk_ranges(spans, size=9 * CHUNK + 10, chunk_bytes=CHUNK) == [
        (0, 2 * CHUNK - 1),
        (4 * CHUNK, 6 * CHUNK - 1),
        (9 * CHUNK, 9 * CHUNK + 9),
    ]
