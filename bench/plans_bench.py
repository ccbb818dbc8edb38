"""S9: plan review (issue 12) — the revision comparison, the annotated copy, the first page of a large plan.

- compare: two A1 pages at 150 dpi (version 1 and 2 of `tests/plans/plan_files.py`'s plan, ~4967 x 3508 px),
  `permits.plans.pdf.compare.compare_pages`, each round in a fresh process: its wall time and the process's peak
  RSS (Django loaded, as in a worker), beside its RSS before the comparison. Goals: under 2 s, under 500 MB.
- annotated copy: a 50-page, ~50 MB plan (a raster hatch on every page) with 200 annotations of every kind (4 per
  page) and the remarks' summary page, `permits.plans.pdf.annotated.annotated_copy`, median after one warm-up
  (WeasyPrint's first load). Goal: under 3 s.
- first page: the same 50 MB plan served over loopback by `gis_core.documents.downloads.document_response` (the
  kernel behind every document download) in a threaded WSGI server; time to page 1 rendered (PDFium, 72 dpi) by
  a client that downloads the whole file first, and by one that reads it through HTTP Range requests of 64 KB
  blocks (PDFium pulls only what page 1 needs, as PDF.js does). If the response does not answer a Range request
  with 206, the Range half is reported as not run. Goal of the issue: under 1.5 s.
- first page shown: the same plan in our plan viewer (PDF.js in Chromium) served by the whole application, against the
  same viewer on the full download (`bench/plan_viewer_bench.py`, in a process of its own). Goal: under 1.5 s.
Writes bench/results/S9.json and prints one `S9 ...` line per case.
Run: `.venv/bin/python bench/plans_bench.py [--rounds 5] [--cases first_page_shown ...]` (the cases not run are
kept from the last S9.json).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import pypdfium2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIRequest  # noqa: E402

from bench.loopback import serve  # noqa: E402
from gis_core.documents.downloads import document_response  # noqa: E402
from gis_core.documents.models import StoredDocument  # noqa: E402
from permits.plans.pdf.annotated import RemarksSummary, SummaryRemark, annotated_copy  # noqa: E402
from permits.plans.pdf.compare import compare_pages  # noqa: E402
from tests.plans.plan_files import METRES_PER_POINT, PLAN, plan_pdf  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "S9.json"
PAGES, HATCH_BYTES = 50, 1_000_000  # 50 pages of ~1 MB: ~50 MB
BLOCK = 64 * 1024
KINDS = [
    ("distance", [[400, 1200], [683.46, 1200]], {"kind": "distance", "value": 10.0, "unit": "m"}),
    ("area", [list(corner) for corner in PLAN.room_corners], {"kind": "area", "value": 24.0, "unit": "m2"}),
    ("cloud", [[1380, 480], [1920, 1320]], None),
    ("rectangle", [[2000, 1400], [2200, 1550]], None),
    ("arrow", [[900, 900], [690, 1190]], None),
    ("line", [[2000, 800], [2200, 700]], None),
    ("polyline", [[300, 300], [350, 400], [450, 380]], None),
    ("path-length", [[1000, 300], [1100, 300], [1100, 400]], {"kind": "path-length", "value": 7.06, "unit": "m"}),
    ("polygon", [[2000, 900], [2200, 900], [2100, 1100]], None),
    ("angle", [[1400, 1300], [1400, 500], [1900, 500]], {"kind": "angle", "value": 90.0, "unit": "deg"}),
    ("text", [[900, 1000]], None),
    ("stamp", [[1000, 1500]], None),
]


def rss_mb(field: str = "VmHWM") -> float:
    """This process's resident memory (VmRSS) or its peak so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compare_once() -> None:
    """Two comparisons in this (fresh) process, the first cold (PDFium and FFT set-up), the second warm as in a
    worker that has compared before; prints their figures as JSON."""
    before, after = plan_pdf(version=1), plan_pdf(version=2)
    rss_before = rss_mb("VmRSS")
    seconds, cpu = [], []
    for _ in range(2):
        start, start_cpu = time.perf_counter(), time.process_time()
        comparison = compare_pages(before, 1, after, 1, dpi=150)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(json.dumps({"cold_seconds": seconds[0], "seconds": seconds[1], "cpu_seconds": cpu[1],
                      "rss_before_mb": rss_before,
                      "peak_rss_mb": rss_mb(), "regions": len(comparison.regions),
                      "png_bytes": len(comparison.diff_png)}))  # fmt: skip


def review(pages: int, count: int) -> list[dict[str, Any]]:
    annotations = []
    for number in range(count):
        kind, points, measurement = KINDS[number % len(KINDS)]
        annotations.append(
            {
                "id": number + 1, "page": number % pages + 1, "kind": kind, "points": points,
                "text": "Vérifier ce point / يرجى التحقق", "stamp": "to-correct" if kind == "stamp" else None,
                "colour": "#b91c1c", "author": {"id": 1, "display_name": "Amina El Idrissi", "role": "member"},
                "status": "open", "measurement": measurement, "created_at": "2026-12-07T10:00:00+00:00",
            }
        )  # fmt: skip
    return annotations


def bench_compare(rounds: int) -> dict[str, Any]:
    runs = []
    for _ in range(rounds):
        output = subprocess.run(
            [sys.executable, __file__, "--compare-once"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    median = statistics.median(run["seconds"] for run in runs)
    cpu = statistics.median(run["cpu_seconds"] for run in runs)
    cold = statistics.median(run["cold_seconds"] for run in runs)
    peak = max(run["peak_rss_mb"] for run in runs)
    print(
        f"S9 compare two A1 pages at 150 dpi: ours {median:.2f} s warm (CPU {cpu:.2f} s), {cold:.2f} s in a fresh"
        " process (goal < 2 s)"
        f" | peak RSS {peak:.0f} MB (goal < 500 MB; the process held {runs[0]['rss_before_mb']:.0f} MB with Django"
        f" loaded before it) | 1 process | {runs[0]['regions']} regions, picture {runs[0]['png_bytes'] // 1024} KB"
    )
    return {
        "median_seconds": median,
        "median_cpu_seconds": cpu,
        "median_cold_seconds": cold,
        "peak_rss_mb_max": peak,
        "runs": runs,
    }


def bench_annotated(data: bytes, rounds: int) -> dict[str, Any]:
    annotations = review(PAGES, 200)
    calibrations = {page: {"metres_per_point": METRES_PER_POINT, "scale_denominator": 100} for page in range(1, 51)}
    summary = RemarksSummary(
        reference="PC-2026-0042",
        document="Plans architecturaux, version 1",
        remarks=[SummaryRemark(number=n, text=f"Remarque {n}", status="open", pages=[n]) for n in range(1, 11)],
    )
    start = time.perf_counter()
    size = len(annotated_copy(data, annotations, calibrations, summary))
    first = time.perf_counter() - start
    times, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        annotated_copy(data, annotations, calibrations, summary)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median, cpu_median = statistics.median(times), statistics.median(cpu)
    print(
        f"S9 annotated copy 50 pages 200 annotations: ours {median:.2f} s (CPU {cpu_median:.2f} s; goal < 3 s; first"
        f" call {first:.2f} s) |"
        f" 1 process | {len(data) / 1e6:.1f} MB in, +{(size - len(data)) / 1e3:.0f} KB appended"
    )
    return {
        "median_seconds": median,
        "median_cpu_seconds": cpu_median,
        "first_call_seconds": first,
        "runs": times,
        "output_bytes": size,
    }


def serve_document(data: bytes, directory: Path) -> tuple[WSGIServer, int]:
    """`data` as a stored document answered by the kernel's `document_response`, on a loopback port."""
    (directory / "plan.pdf").write_bytes(data)
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory)},
        },
    }
    document = StoredDocument(
        storage_key="plan.pdf", size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        content_type="application/pdf", original_filename="plan.pdf", kind="pdf", version=1,
    )  # fmt: skip

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        response = document_response(document, request=WSGIRequest(environ), as_attachment=False, mode="stream")
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return response

    return serve(application)


class RangeUnsupported(Exception):
    pass


class RangeReader(io.RawIOBase):
    """A seekable file over HTTP Range requests (64 KB blocks, cached), on one keep-alive connection."""

    def __init__(self, port: int, size: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        self.size, self.position, self.requests = size, 0, 0
        self.blocks: dict[int, bytes] = {}
        self._block(0)  # the probe: a server without Range support is reported before PDFium reads anything

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def _block(self, index: int) -> bytes:
        if index not in self.blocks:
            first, last = index * BLOCK, min(self.size, (index + 1) * BLOCK) - 1
            self.connection.request("GET", "/plan.pdf", headers={"Range": f"bytes={first}-{last}"})
            response = self.connection.getresponse()
            body = response.read()
            self.requests += 1
            if response.status != 206:
                raise RangeUnsupported(f"the download answered {response.status} to a Range request, not 206")
            self.blocks[index] = body
        return self.blocks[index]

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self.size - self.position)
        done = 0
        while done < wanted:
            index, offset = divmod(self.position + done, BLOCK)
            chunk = self._block(index)[offset : offset + wanted - done]
            buffer[done : done + len(chunk)] = chunk
            done += len(chunk)
        self.position += done
        return done


def first_page(source: Any) -> None:
    document = pypdfium2.PdfDocument(source)
    document[0].render(scale=1).to_numpy()
    document.close()


def bench_first_page(data: bytes, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="s9-") as directory:
        server, port = serve_document(data, Path(directory))
        full, ranged, requests = [], [], 0
        note = ""
        for _ in range(rounds):
            start = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port)
            connection.request("GET", "/plan.pdf")
            body = connection.getresponse().read()
            first_page(body)
            full.append(time.perf_counter() - start)
            connection.close()
            if note:
                continue
            start = time.perf_counter()
            try:
                reader = RangeReader(port, len(data))
            except RangeUnsupported as error:
                note = str(error)
                continue
            first_page(reader)
            ranged.append(time.perf_counter() - start)
            requests = reader.requests
        server.shutdown()
    result: dict[str, Any] = {"full_download_seconds": full, "range_seconds": ranged, "range_requests": requests}
    full_median = statistics.median(full)
    if ranged:
        range_median = statistics.median(ranged)
        result |= {"range_median_seconds": range_median, "full_median_seconds": full_median}
        print(
            f"S9 first page of a 50 MB plan: Range {range_median:.2f} s ({requests} requests of 64 KB) | full download"
            f" then open {full_median:.2f} s, ratio {full_median / range_median:.1f}x (goal < 1.5 s) | 1 connection"
            f" | {len(data) / 1e6:.1f} MB, {PAGES} pages"
        )
    else:
        result |= {"full_median_seconds": full_median, "range_not_run": note}
        print(
            f"S9 first page of a 50 MB plan: Range NOT RUN ({note}) | full download then open {full_median:.2f} s"
            f" | 1 connection | {len(data) / 1e6:.1f} MB, {PAGES} pages"
        )
    return result


def bench_viewer(rounds: int) -> dict[str, Any]:
    """The viewer case (`bench/plan_viewer_bench.py`), in a process of its own: Django on a database of its own."""
    output = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "plan_viewer_bench.py"), "--rounds", str(rounds), "--pages",
         str(PAGES), "--hatch-bytes", str(HATCH_BYTES)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True,
    ).stdout  # fmt: skip
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    ranged, full = result["range"], result["full_download"]
    result["ratio"] = full["median_seconds"] / ranged["median_seconds"]
    print(
        f"S9 first page SHOWN in the viewer (PDF.js, Chromium), 50 MB plan: Range {ranged['median_seconds']:.2f} s"
        f" ({ranged['median_bytes_before_first_page'] / 1e6:.1f} MB sent before it) | same viewer on the full"
        f" download {full['median_seconds']:.2f} s, ratio {result['ratio']:.1f}x (goal < 1.5 s) | 1 browser, cold"
        f" cache each round | {result['plan_bytes'] / 1e6:.1f} MB, {result['pages']} pages"
    )
    return result


CASES = ("compare", "annotated_copy", "first_page", "first_page_shown")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES), help="the others kept from S9.json")
    parser.add_argument("--compare-once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare_once:
        compare_once()
        return
    large = plan_pdf(pages=PAGES, hatch_bytes=HATCH_BYTES)
    cases = {
        "compare": lambda: bench_compare(args.rounds),
        "annotated_copy": lambda: bench_annotated(large, args.rounds),
        "first_page": lambda: bench_first_page(large, args.rounds),
        "first_page_shown": lambda: bench_viewer(args.rounds),
    }
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() and set(args.cases) != set(CASES) else {}
    results: dict[str, Any] = {**kept, "scenario": "S9", "plan_bytes": len(large), "pages": PAGES}
    for case in args.cases:
        results[case] = cases[case]()
    results |= {"cpus": os.cpu_count(), "load_average_after": os.getloadavg()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
