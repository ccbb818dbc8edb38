"""Peak memory of a 200 MB document upload through Django's real WSGI handler (a script, not a test).

Run: `python -m tests.documents.measure_upload_memory [size_mb]` (DATABASE_URL as for the tests). It creates a
throw-away test database (`test_urbaplan_docs_memory`), stores documents under a temporary directory, writes a
multipart body holding a PDF of the given size to disk, warms the process up with a small upload, then posts the
large body (read by Django from the file, as a WSGI server would from the socket) and prints the growth of the
process's peak resident set size (`ru_maxrss`) and of its current RSS.
"""

import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from io import BytesIO
from pathlib import Path


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def post(handler: Callable[..., Iterable[bytes]], body: Path | bytes, boundary: str) -> tuple[int, bytes]:
    size = body.stat().st_size if isinstance(body, Path) else len(body)
    stream = body.open("rb") if isinstance(body, Path) else BytesIO(body)
    status: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/upload/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": stream,
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(size),
    }
    with stream:
        chunks = handler(environ, lambda line, headers, exc_info=None: status.append(line))
        content = b"".join(chunks)
    return int(status[0].split()[0]), content


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    work = Path(tempfile.mkdtemp(prefix="documents-memory-"))
    (work / "store").mkdir()
    (work / "upload-tmp").mkdir()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DOCUMENTS_DIR"] = str(work / "store")
    os.environ["FILE_UPLOAD_TEMP_DIR"] = str(work / "upload-tmp")
    os.environ["TEST_DATABASE_NAME"] = "test_urbaplan_docs_memory"

    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings, setup_databases, teardown_databases

    from tests.documents.files import MIB, pdf_bytes, write_large_pdf, write_multipart_body

    pdf_path = work / "large.pdf"
    write_large_pdf(pdf_path, payload_bytes=size_mb * MIB)
    body_path = work / "body.multipart"
    boundary = write_multipart_body(body_path, pdf_path)
    pdf_path.unlink()
    small_pdf = work / "small.pdf"
    small_pdf.write_bytes(pdf_bytes())
    small_body = work / "small.multipart"
    write_multipart_body(small_body, small_pdf)

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        with override_settings(ROOT_URLCONF="tests.documents.urls", DEBUG=False):
            handler = WSGIHandler()
            status, _ = post(handler, small_body, boundary)  # warm-up: imports, connections, pypdf, Pillow
            assert status == 201, status
            peak_before, rss_before = peak_rss_mib(), current_rss_mib()
            started = time.perf_counter()
            status, content = post(handler, body_path, boundary)
            elapsed = time.perf_counter() - started
            peak_after, rss_after = peak_rss_mib(), current_rss_mib()
        print(
            f"upload of {body_path.stat().st_size / MIB:.1f} MiB -> HTTP {status} in {elapsed:.2f} s: {content[:120]!r}"
        )
        print(
            f"peak RSS {peak_before:.1f} -> {peak_after:.1f} MiB (growth {peak_after - peak_before:.1f} MiB); "
            f"current RSS {rss_before:.1f} -> {rss_after:.1f} MiB"
        )
    finally:
        teardown_databases(old_config, verbosity=0)
        for path in sorted(work.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        work.rmdir()


if __name__ == "__main__":
    main()
