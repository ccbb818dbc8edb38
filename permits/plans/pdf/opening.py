"""Which bytes of a PDF a viewer reads before it can show a page, so that it asks for them in ONE request.

PDF.js opens a PDF that is not linearised by reading its end (the last cross-reference section), the catalog, and
then every node and page dictionary of the page tree, one after the other (it checks the last page before it shows
the first). In a 50-page plan written page by page, those dictionaries lie a megabyte apart: 50 round trips in a
row before page 1 appears. pypdf reads the cross-reference table (not the pages' content) and gives where each of
those objects lies (or the object stream that holds it); the viewer asks for the chunks holding them in a single
`multipart/byteranges` request (`gis_core.documents.ranges`) and answers PDF.js's own requests from them.

The ranges are whole chunks of `chunk_bytes` (PDF.js's `rangeChunkSize`: it only takes whole chunks), merged when
adjacent. They are a hint: a viewer that reads more (or another PDF.js) still asks for what it misses.
"""

import bisect
import re
from collections.abc import Iterator
from typing import IO, Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from permits.plans.pdf.errors import UnreadablePlan

TAIL_BYTES = 1024  # PDF.js looks for `startxref` in the file's last kilobyte
_STARTXREF = re.compile(rb"startxref\s+(\d+)")
MAX_XREF_BYTES = 4 * 1024 * 1024  # a cross-reference section larger than this is read by the viewer as it needs it
MAX_OBJECT_BYTES = 16 * 1024 * 1024  # a larger image of the page is fetched by the viewer as it draws it
RESOURCE_KINDS = ("/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading")


class _Layout:
    """Where each object lies in the file, from the cross-reference table: an object ends where the next begins."""

    def __init__(self, reader: PdfReader, size: int, xref_start: int | None) -> None:
        self.reader = reader
        starts = {offset for section in reader.xref.values() for offset in section.values() if offset is not None}
        self.starts = sorted(starts | {size} | ({xref_start} if xref_start is not None else set()))

    def span(self, reference: IndirectObject) -> tuple[int, int] | None:
        """[start, end) of the object, or of the object stream that holds it; at most `MAX_OBJECT_BYTES`."""
        in_stream = self.reader.xref_objStm.get(reference.idnum)
        if in_stream is not None:
            reference = IndirectObject(in_stream[0], 0, self.reader)
        start = self.reader.xref.get(reference.generation, {}).get(reference.idnum)
        if start is None:
            return None
        index = bisect.bisect_right(self.starts, start)
        end = self.starts[index] if index < len(self.starts) else start + 1
        return start, min(end, start + MAX_OBJECT_BYTES)


def _page_tree(reader: PdfReader) -> Iterator[IndirectObject]:
    """The catalog, then every node and leaf of the page tree, depth first (each once: a loop is not followed)."""
    catalog = reader.trailer.raw_get("/Root")
    if not isinstance(catalog, IndirectObject):
        return
    yield catalog
    pages = catalog.get_object().raw_get("/Pages")  # type: ignore[union-attr]
    stack, seen = [pages], set()
    while stack:
        node = stack.pop()
        if not isinstance(node, IndirectObject) or node.idnum in seen:
            continue
        seen.add(node.idnum)
        yield node
        kids = node.get_object().get("/Kids")  # type: ignore[union-attr]
        if kids is not None:
            stack.extend(reversed(list(kids.get_object())))  # raw references: the kids are not parsed here


def _page_objects(reader: PdfReader, page_number: int) -> Iterator[IndirectObject]:
    """The objects page `page_number` is drawn from: its contents and its resources (one level down)."""
    if not 1 <= page_number <= len(reader.pages):
        return
    page = reader.pages[page_number - 1]
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    if isinstance(contents, IndirectObject):
        yield contents
    listed = contents.get_object() if contents is not None else None
    if isinstance(listed, ArrayObject):  # several content streams
        yield from (item for item in listed if isinstance(item, IndirectObject))
    resources = page.raw_get("/Resources") if "/Resources" in page else None
    if isinstance(resources, IndirectObject):
        yield resources
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject):
        return
    for kind in RESOURCE_KINDS:
        group = resources.raw_get(kind) if kind in resources else None
        if isinstance(group, IndirectObject):
            yield group
        group = group.get_object() if group is not None else None
        if isinstance(group, DictionaryObject):
            yield from (value for value in group.values() if isinstance(value, IndirectObject))


def _xref_start(file: IO[bytes], size: int) -> int | None:
    file.seek(max(0, size - TAIL_BYTES))
    found = _STARTXREF.findall(file.read())
    return int(found[-1]) if found else None


def _xref_spans(reader: PdfReader, start: int | None, size: int) -> list[tuple[int, int]]:
    """The last cross-reference section and the one before it (`/Prev`: a signed plan's original), each bounded
    by its largest possible extent (20 bytes an entry, or less when compressed)."""
    entries = int(reader.trailer.get("/Size", 0) or 0)
    extent = min(MAX_XREF_BYTES, 20 * entries + 2048)
    previous = reader.trailer.get("/Prev")
    starts = [start, int(previous) if isinstance(previous, int) else None]
    return [(offset, min(size, offset + extent)) for offset in starts if offset is not None and 0 <= offset < size]


def opening_spans(file: IO[bytes], *, page: int = 1) -> list[tuple[int, int]]:
    """Byte spans [start, end) a viewer reads to open the PDF and show `page`: the start and end of the file,
    the last cross-reference sections, the catalog, the page tree and the page's contents and resources (a
    stream with its data: page 1's drawing and images come in the same request)."""
    size = file.seek(0, 2)
    xref = _xref_start(file, size)
    try:
        reader = PdfReader(file, strict=False)
        layout = _Layout(reader, size, xref)
        references = [*_page_tree(reader), *_page_objects(reader, page)]
        objects = [span for reference in references if (span := layout.span(reference)) is not None]
        spans = [(0, 1), (max(0, size - TAIL_BYTES), size), *_xref_spans(reader, xref, size)]
    except Exception as error:  # pypdf raises many types; stored PDFs were parsed at upload
        raise UnreadablePlan(f"The PDF's page tree cannot be read ({type(error).__name__}: {error}).") from error
    spans += [(start, min(size, end)) for start, end in objects if 0 <= start < size]
    return sorted(set(spans))


def chunk_ranges(spans: list[tuple[int, int]], *, size: int, chunk_bytes: int) -> list[tuple[int, int]]:
    """The whole chunks holding `spans`, as inclusive byte ranges, adjacent chunks merged."""
    chunks = {index for start, end in spans for index in range(start // chunk_bytes, (end - 1) // chunk_bytes + 1)}
    ranges: list[list[int]] = []
    for index in sorted(chunks):
        start, end = index * chunk_bytes, min(size, (index + 1) * chunk_bytes) - 1
        if ranges and ranges[-1][1] + 1 == start:
            ranges[-1][1] = end
        else:
            ranges.append([start, end])
    return [(start, end) for start, end in ranges]


def opening(file: IO[bytes], *, page: int, chunk_bytes: int) -> dict[str, Any]:
    """What the plan viewer asks for to open a PDF at `page`: its size, the chunk size, the ranges."""
    size = file.seek(0, 2)
    ranges = chunk_ranges(opening_spans(file, page=page), size=size, chunk_bytes=chunk_bytes)
    return {"size_bytes": size, "chunk_bytes": chunk_bytes, "ranges": [list(span) for span in ranges]}
