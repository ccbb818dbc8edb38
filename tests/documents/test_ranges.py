"""Range requests on document downloads (what lets PDF.js show the first page of a large plan before the rest):
206 with Content-Range for one range, 206 multipart/byteranges for several (sorted, coalesced), 416 when none can
be satisfied, If-Range honoured; through Django's test client, and with `requests`, `curl -r` and Python's own
MIME parser against a live server."""

import email
import email.message
import hashlib
import os
import subprocess
from typing import Any

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gis_core.documents.ranges import MAX_RANGES, ByteRange, RangeNotSatisfiable, requested_ranges
from tests.documents.conftest import DocumentDirs
from tests.documents.files import pdf_bytes

pytestmark = pytest.mark.urls("tests.documents.urls")

ETAG = '"abc"'


def big_pdf() -> bytes:
    """A valid PDF of about 700 KB (random padding in a comment), more than two blocks of the stream."""
    return pdf_bytes(pages=3) + b"\n%" + os.urandom(700_000).hex().encode()[:700_000] + b"\n"


def parts(content_type: str, body: bytes) -> list[tuple[str, bytes]]:
    """The parts of a multipart/byteranges body, read by Python's own MIME parser: (Content-Range, bytes)."""
    message = email.message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    assert message.is_multipart() and not message.defects
    answer = []
    for part in message.get_payload():
        assert isinstance(part, email.message.Message) and part["Content-Type"] == "application/pdf"
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        answer.append((str(part["Content-Range"]), payload))
    return answer


def stored(client: Client, content: bytes) -> str:
    response = client.post("/upload/", {"file": SimpleUploadedFile("plan.pdf", content, "application/pdf")})
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", [ByteRange(0, 99, 1000)]),
        ("bytes=900-", [ByteRange(900, 999, 1000)]),
        ("bytes=-100", [ByteRange(900, 999, 1000)]),
        ("bytes=-5000", [ByteRange(0, 999, 1000)]),  # a suffix longer than the document: all of it
        ("bytes=990-5000", [ByteRange(990, 999, 1000)]),  # clipped at the end
        ("BYTES = 10 - 19", [ByteRange(10, 19, 1000)]),
        ("bytes=0-0", [ByteRange(0, 0, 1000)]),
        (None, None),
        ("", None),
        ("items=0-10", None),  # another unit: ignored
        ("bytes=5-1", None),  # invalid: ignored
        ("bytes=-", None),
        ("bytes=a-b", None),
        ("bytes=0-9,x-y", None),  # one invalid range: the whole header is ignored
        # several: sorted; merged when they overlap or nearly touch; the unsatisfiable ones dropped
        ("bytes=500-599,0-9", [ByteRange(0, 9, 1000), ByteRange(500, 599, 1000)]),
        ("bytes=0-10,20-30", [ByteRange(0, 30, 1000)]),
        ("bytes=0-99,50-149,-10", [ByteRange(0, 149, 1000), ByteRange(990, 999, 1000)]),
        ("bytes=0-9,5000-6000", [ByteRange(0, 9, 1000)]),
        ("bytes=" + ",".join(["0-0"] * (MAX_RANGES + 1)), None),  # too many: the whole document
    ],
)
def test_which_bytes_a_range_asks_for(header: str | None, expected: list[ByteRange] | None) -> None:
    assert requested_ranges(range_header=header, if_range=None, etag=ETAG, size=1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=1000-,2000-2100"])
def test_a_range_outside_the_document_is_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        requested_ranges(range_header=header, if_range=None, etag=ETAG, size=1000)


def test_if_range_must_name_the_current_version() -> None:
    taken = requested_ranges(range_header="bytes=0-9", if_range=ETAG, etag=ETAG, size=1000)
    assert taken == [ByteRange(0, 9, 1000)]
    assert requested_ranges(range_header="bytes=0-9", if_range='"old"', etag=ETAG, size=1000) is None
    assert (
        requested_ranges(range_header="bytes=0-9", if_range="Wed, 21 Oct 2026 07:28:00 GMT", etag=ETAG, size=1000)
        is None
    )


@pytest.mark.django_db
def test_ranges_through_the_download_view(client: Client, document_dirs: DocumentDirs) -> None:
    content = big_pdf()
    size = len(content)
    url = f"/documents/{stored(client, content)}/"
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    etag = whole["ETag"]

    first = client.get(url, headers={"Range": "bytes=0-1023"})
    assert first.status_code == 206
    assert first["Content-Range"] == f"bytes 0-1023/{size}" and first["Content-Length"] == "1024"
    assert first["Content-Type"] == "application/pdf" and first["ETag"] == etag
    assert first.getvalue() == content[:1024]

    middle = client.get(url, headers={"Range": f"bytes=1000-{size - 1000}"})  # across several 256 KiB blocks
    assert middle.getvalue() == content[1000 : size - 999]
    tail = client.get(url, headers={"Range": "bytes=-2048"})
    assert tail["Content-Range"] == f"bytes {size - 2048}-{size - 1}/{size}"
    assert tail.getvalue() == content[-2048:]

    refused = client.get(url, headers={"Range": f"bytes={size}-"})
    assert refused.status_code == 416 and refused["Content-Range"] == f"bytes */{size}"
    assert refused["Content-Type"] == "application/problem+json"

    assert client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag}).status_code == 206
    stale = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"an-older-version"'})
    assert stale.status_code == 200 and stale.getvalue() == content
    several = client.get(url, headers={"Range": f"bytes={size - 100}-,0-9,300000-300099"})
    assert several.status_code == 206 and several["Content-Type"].startswith("multipart/byteranges; boundary=")
    body = several.getvalue()
    assert int(several["Content-Length"]) == len(body)
    assert parts(several["Content-Type"], body) == [
        (f"bytes 0-9/{size}", content[:10]),
        (f"bytes 300000-300099/{size}", content[300000:300100]),
        (f"bytes {size - 100}-{size - 1}/{size}", content[-100:]),
    ]
    assert client.get(url, headers={"Range": "bytes=0-9", "If-None-Match": etag}).status_code == 304

    accel = client.get(f"{url}?mode=x-accel", headers={"Range": "bytes=0-9"})  # nginx answers the range
    assert accel.status_code == 200 and accel["Accept-Ranges"] == "bytes" and accel["X-Accel-Redirect"]


@pytest.mark.django_db(transaction=True)
def test_ranges_over_http_with_requests_and_curl(live_server: Any, document_dirs: DocumentDirs) -> None:
    content = big_pdf()
    document_id = stored(Client(), content)
    url = f"{live_server.url}/documents/{document_id}/"

    head = requests.get(url, headers={"Range": "bytes=0-65535"}, timeout=30)
    assert head.status_code == 206 and head.content == content[:65536]
    assert head.headers["Content-Range"] == f"bytes 0-65535/{len(content)}"
    # PDF.js reads a plan in pieces: the pieces put together are the document
    pieces = [
        requests.get(url, headers={"Range": f"bytes={start}-{start + 99_999}"}, timeout=30).content
        for start in range(0, len(content), 100_000)
    ]
    assert hashlib.sha256(b"".join(pieces)).hexdigest() == hashlib.sha256(content).hexdigest()
    assert requests.get(url, headers={"Range": f"bytes={len(content) + 1}-"}, timeout=30).status_code == 416
    # the plan viewer's one request for the pieces it needs to open a plan
    several = requests.get(url, headers={"Range": "bytes=0-1023,400000-400999,-512"}, timeout=30)
    assert several.status_code == 206
    assert [body for _, body in parts(several.headers["Content-Type"], several.content)] == [
        content[:1024],
        content[400000:401000],
        content[-512:],
    ]

    curl = subprocess.run(
        ["curl", "--silent", "--show-error", "--fail", "-r", "100-199", "--dump-header", "-", url],
        capture_output=True,
        check=True,
        timeout=30,
    )
    headers, _, body = curl.stdout.partition(b"\r\n\r\n")
    assert headers.startswith(b"HTTP/1.1 206") and body == content[100:200]
