"""Real test files: small PDFs written by pypdf, images drawn by Pillow, and a large PDF streamed to disk."""

import hashlib
import io
import os
from pathlib import Path

from PIL import Image
from pypdf import PdfWriter

MIB = 1024 * 1024


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(image_format: str, size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def write_large_pdf(path: Path, payload_bytes: int, width: int = 8192) -> str:
    """A valid one-page PDF whose page shows one gray image of `payload_bytes` random-looking bytes.

    Written in 1 MiB chunks (memory stays flat); returns the file's SHA-256.
    """
    height = payload_bytes // width
    payload_bytes = width * height
    digest = hashlib.sha256()
    offsets: list[int] = []
    block = os.urandom(MIB)
    with path.open("wb") as out:

        def write(data: bytes) -> None:
            digest.update(data)
            out.write(data)

        def start_object(number: int, text: str) -> None:
            offsets.append(out.tell())
            write(f"{number} 0 obj\n{text}".encode())

        write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        start_object(1, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
        start_object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
        start_object(
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            "/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>\nendobj\n",
        )
        start_object(
            4,
            f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray "
            f"/BitsPerComponent 8 /Length {payload_bytes} >>\nstream\n",
        )
        remaining = payload_bytes
        while remaining:
            chunk = block[: min(MIB, remaining)]
            write(chunk)
            remaining -= len(chunk)
        write(b"\nendstream\nendobj\n")
        content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
        start_object(5, f"<< /Length {len(content)} >>\nstream\n")
        write(content + b"\nendstream\nendobj\n")
        xref = out.tell()
        write(b"xref\n0 6\n0000000000 65535 f \n")
        for offset in offsets:
            write(f"{offset:010d} 00000 n \n".encode())
        write(f"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return digest.hexdigest()


def write_multipart_body(path: Path, file_path: Path, *, field: str = "file", filename: str = "plan.pdf") -> str:
    """A multipart/form-data body holding `file_path`, streamed to `path`; returns the boundary."""
    boundary = "----urbaplan-test-boundary-7d1f0c"
    with path.open("wb") as out, file_path.open("rb") as source:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        while chunk := source.read(MIB):
            out.write(chunk)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    return boundary
