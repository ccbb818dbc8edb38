"""Plain PDFs for the signing tests and the S8 benchmark, written with pypdf (A4 pages of Helvetica text).

Content streams are left uncompressed on purpose: a test can find a page's text in the file's bytes and change it.
"""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

A4 = (595.0, 842.0)
MARKER = b"Urbaplan test page"


def sample_pdf(pages: int = 1, *, title: str = "Plan de masse") -> bytes:
    """A PDF of `pages` A4 pages, each with a title line, `MARKER` and its number, plus some body text."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    for number in range(1, pages + 1):
        page = writer.add_blank_page(*A4)
        lines = [f"{title}", f"{MARKER.decode()} {number:03d} / {pages:03d}"]
        lines += [f"Ligne {row:02d} : surface, hauteur, retraits, COS et CES du projet." for row in range(1, 30)]
        commands = ["BT", "/F1 12 Tf", "14 TL", "60 780 Td"]
        for line in lines:
            commands.append(f"({line}) Tj T*")
        commands.append("ET")
        commands.append("0.5 w 50 50 495 742 re S")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(commands).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
