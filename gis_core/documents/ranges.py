"""HTTP range requests on a stored document (RFC 9110 §14): which bytes a `Range` header asks for.

One range per request (`bytes=0-1023`, `bytes=1024-`, `bytes=-500`): what PDF.js and media players send. A header
the server does not take (another unit, a syntax error, several ranges) is ignored, and the whole document is
sent with 200, as the RFC allows; so is a range whose `If-Range` does not name the current ETag (a date never
matches: versions are served without Last-Modified). A range that starts past the end is unsatisfiable (416).
"""

import re
from dataclasses import dataclass

_SINGLE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ByteRange:
    """The bytes `start` to `end` inclusive of a document of `size` bytes."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


class RangeNotSatisfiable(Exception):
    """The range starts past the document's end (or asks for the last 0 bytes): a 416."""

    def __init__(self, size: int) -> None:
        super().__init__(f"The document has {size} bytes; the requested range is outside it.")
        self.size = size


def requested_range(*, range_header: str | None, if_range: str | None, etag: str, size: int) -> ByteRange | None:
    """The single range to send, or None for the whole document; `RangeNotSatisfiable` for a 416."""
    if not range_header:
        return None
    if if_range is not None and if_range.strip() != etag:
        return None
    match = _SINGLE_RANGE.match(range_header)
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiable(size)
        return ByteRange(start=max(0, size - suffix), end=size - 1, size=size)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid: ignored
    if start >= size:
        raise RangeNotSatisfiable(size)
    return ByteRange(start=start, end=min(int(last) if last else size - 1, size - 1), size=size)
