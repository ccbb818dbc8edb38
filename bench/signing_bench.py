"""S8: PDF signing throughput — our signing kernel vs pyHanko's CLI (one process per signature) and raw pyHanko.

Same keys (a development PKI made for the run), same TSA (our local RFC 3161 authority served over HTTP on
loopback, used by all three through pyHanko's HTTP client), same PDFs (1 and 50 pages), PAdES B-T:
- ours: `gis_core.signing` (`Pkcs12Signer` + `pades.sign_pdf`), in-process, key loaded once;
- raw pyHanko in-process: `SimpleSigner.load_pkcs12` once, `signers.sign_pdf` per signature;
- CLI: `pyhanko sign addsig --use-pades --timestamp-url ... pkcs12 in out p12 --passfile f`, one process each.
Rounds alternate the three; medians are compared. Writes bench/results/S8.json and prints one line per case.
Run: `.venv/bin/python bench/signing_bench.py [--rounds 7] [--cli-rounds 3]`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
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

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields as pyhanko_fields  # noqa: E402
from pyhanko.sign import signers as pyhanko_signers  # noqa: E402
from pyhanko.sign.timestamps import HTTPTimeStamper  # noqa: E402

from bench.loopback import serve  # noqa: E402
from gis_core.signing import pades, tsa  # noqa: E402
from gis_core.signing.pki import DevelopmentPki  # noqa: E402
from gis_core.signing.signers import Pkcs12Signer  # noqa: E402
from tests.signing.pdf_factory import sample_pdf  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "S8.json"
CLI = str(Path(sys.executable).with_name("pyhanko"))


def serve_tsa(pki_directory: Path) -> tuple[str, WSGIServer]:
    server, port = serve(tsa.wsgi_application(pki_directory))
    return f"http://127.0.0.1:{port}/", server


def timed(function: Any, argument: Any) -> tuple[float, int]:
    start = time.perf_counter()
    size = function(argument)
    return time.perf_counter() - start, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="in-process rounds per case")
    parser.add_argument("--cli-rounds", type=int, default=3, help="CLI rounds per case (each ~1-2 s)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="s8-"))
    pki = DevelopmentPki(work / "pki")
    pki.ensure()
    credentials = pki.user("bench", display_name="Bench Signer")
    passfile = work / "pass.txt"
    passfile.write_bytes(credentials.passphrase)
    url, server = serve_tsa(pki.directory)

    ours_signer = Pkcs12Signer(credentials.pkcs12_path, credentials.passphrase)
    raw_signer = pyhanko_signers.SimpleSigner.load_pkcs12(
        str(credentials.pkcs12_path), passphrase=credentials.passphrase
    )
    options = pades.SignatureOptions(timestamper=HTTPTimeStamper(url), embed_validation_info=False)

    def ours(data: bytes) -> int:
        with ours_signer.session() as signer:
            return len(pades.sign_pdf(data, signer=signer, field_name="Signature1", options=options))

    def raw(data: bytes) -> int:
        output = io.BytesIO()
        metadata = pyhanko_signers.PdfSignatureMetadata(
            field_name="Signature1", md_algorithm="sha256", subfilter=pyhanko_fields.SigSeedSubFilter.PADES
        )
        pyhanko_signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(data)),
            metadata,
            signer=raw_signer,
            timestamper=HTTPTimeStamper(url),
            output=output,
        )
        return len(output.getvalue())

    def cli(path: Path) -> int:
        out = path.with_suffix(".cli-signed.pdf")
        subprocess.run(
            [CLI, "sign", "addsig", "--field", "Signature1", "--use-pades", "--timestamp-url", url, "pkcs12",
             "--passfile", str(passfile), str(path), str(out), str(credentials.pkcs12_path)],
            check=True, capture_output=True,
        )  # fmt: skip
        return out.stat().st_size

    results: dict[str, Any] = {"scenario": "S8", "level": "PAdES B-T", "key": "RSA 2048", "cases": {}}
    for pages in (1, 50):
        data = sample_pdf(pages)
        path = work / f"input-{pages}.pdf"
        path.write_bytes(data)
        ours(data), raw(data)  # warm-up (imports, key parsing, TSA connection)
        times: dict[str, list[float]] = {"ours": [], "pyhanko_inprocess": [], "pyhanko_cli": []}
        sizes: dict[str, int] = {}
        for round_number in range(args.rounds):
            for name, run in (("ours", ours), ("pyhanko_inprocess", raw)):
                elapsed, sizes[name] = timed(run, data)
                times[name].append(elapsed)
            if round_number < args.cli_rounds:
                elapsed, sizes["pyhanko_cli"] = timed(cli, path)
                times["pyhanko_cli"].append(elapsed)
        medians = {name: statistics.median(values) for name, values in times.items()}
        case: dict[str, Any] = {
            "pages": pages,
            "input_bytes": len(data),
            "median_seconds": medians,
            "raw_seconds": times,
            "output_bytes": sizes,
            "signatures_per_second": {name: 1 / value for name, value in medians.items()},
            "speedup_vs_cli": medians["pyhanko_cli"] / medians["ours"],
            "fraction_of_inprocess_pyhanko": medians["pyhanko_inprocess"] / medians["ours"],
        }
        results["cases"][f"{pages}_page"] = case
        print(
            f"S8 sign {pages:>2}p: ours {medians['ours'] * 1000:.0f} ms"
            f" | pyHanko CLI {medians['pyhanko_cli'] * 1000:.0f} ms"
            f" (ratio {case['speedup_vs_cli']:.1f}x, goal >= 2x) | in-process pyHanko "
            f"{medians['pyhanko_inprocess'] * 1000:.0f} ms (ours at {case['fraction_of_inprocess_pyhanko'] * 100:.0f}%"
            f" of its speed, goal >= 80%) | 1 connection | {len(data)} B in, {sizes['ours']} B out"
        )
    results["goals"] = {
        "speedup_vs_cli_ge_2": all(case["speedup_vs_cli"] >= 2 for case in results["cases"].values()),
        "fraction_of_inprocess_ge_0_8": all(
            case["fraction_of_inprocess_pyhanko"] >= 0.8 for case in results["cases"].values()
        ),
    }
    server.shutdown()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
