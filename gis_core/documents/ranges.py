"""HTTP range requests on a stored document (RFC 9110 §14): which bytes a `Range` header asks for.

A range (`bytes=0-1023`, `bytes=1024-`, `bytes=-500`) is what PDF.js and media players send; several ranges in one
request (`bytes=0-1023,50000-51023`) are what the plan viewer asks for to open a large plan in one round trip
(`multipart/byteranges`, `downloads.py`): they are sorted and those that overlap or nearly touch are merged (RFC 9110
§14.1.1 lets a server coalesce), so a client never gets a byte twice. A header the server does not take (another
unit, a syntax error, more than `MAX_RANGES` ranges) is ignored, and the whole document is sent with 200, as the RFC
allows; so is a range whose `If-Range` does not name the current ETag (a date never matches: versions are served
without Last-Modified). A range that starts past the end is unsatisfiable; a request none of whose ranges can be
satisfied gets 416.
"""

import re
from dataclasses import dataclass

_RANGES = re.compile(r"^\s*bytes\s*=(.*)$", re.IGNORECASE | re.DOTALL)
_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")
MAX_RANGES = 200  # a plan of a few hundred pages; past it, the whole document (nginx's `max_ranges` does the same)
COALESCE_GAP_BYTES = 80  # ranges closer than a part's headers are sent as one


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


class _Ignored(Exception):
    """A range specification the server does not take: the whole header is ignored."""


def _one(spec: str, size: int) -> ByteRange | None:
    """One `first-last` specification; None when it cannot be satisfied (past the end, or the last 0 bytes)."""
    match = _SPEC.match(spec)
    if match is None:
        raise _Ignored
    first, last = match.groups()
    if not first and not last:
        raise _Ignored
    if not first:  # a suffix: the last N bytes
        suffix = int(last)
        return ByteRange(start=max(0, size - suffix), end=size - 1, size=size) if suffix else None
    start = int(first)
    if last and int(last) < start:
        raise _Ignored
    if start >= size:
        return None
    return ByteRange(start=start, end=min(int(last) if last else size - 1, size - 1), size=size)


def _coalesced(ranges: list[ByteRange]) -> list[ByteRange]:
    merged: list[ByteRange] = []
    for byte_range in sorted(ranges, key=lambda item: item.start):
        if merged and byte_range.start <= merged[-1].end + COALESCE_GAP_BYTES:
            last = merged[-1]
            merged[-1] = ByteRange(start=last.start, end=max(last.end, byte_range.end), size=last.size)
        else:
            merged.append(byte_range)
    return merged


def requested_ranges(*, range_header: str | None, if_range: str | None, etag: str, size: int) -> list[ByteRange] | None:
    """The ranges to send, sorted and coalesced (one or more), or None for the whole document;
    `RangeNotSatisfiable` for a 416."""
    if not range_header:
        return None
    if if_range is not None and if_range.strip() != etag:
        return None
    match = _RANGES.match(range_header)
    if match is None:
        return None
    specs = match.group(1).split(",")
    if len(specs) > MAX_RANGES:
        return None
    try:
        ranges = [_one(spec, size) for spec in specs]
    except _Ignored:
        return None
    satisfiable = [byte_range for byte_range in ranges if byte_range is not None]
    if not satisfiable:
        raise RangeNotSatisfiable(size)
    return _coalesced(satisfiable)
