"""Verification verdicts kept in Redis, so that `/verify/<token>/` does not re-run pyHanko on every request.

A verdict depends only on the PDF's bytes (immutable: the stored version is named by its SHA-256), on the copy
compared with it, and on what is trusted. The key therefore holds the SHA-256 of the verified bytes, the
SHA-256 of the stored version a copy is compared with, and a fingerprint of the trust configuration (the DER
of every trust root and intermediate, sorted): new roots, a rotated intermediate or a changed report format
give new keys, and the old verdicts are never read again. Entries expire after `SIGNING_VERIFY_CACHE_SECONDS`
(validation data and revocation may change with time, so no verdict is kept for ever). Redis down: verified
every time (`gis_core.limits.fail_open`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings

from gis_core.limits.fail_open import fail_open_redis
from gis_core.signing.verify import SignatureReport, VerificationReport

FORMAT_VERSION = "1"  # bump when VerificationReport changes: older entries are then ignored
KEY_PREFIX = "signing:verdict"


def trust_fingerprint(certificates: Sequence[asn1_x509.Certificate]) -> str:
    digests = sorted(hashlib.sha256(certificate.dump()).hexdigest() for certificate in certificates)
    return hashlib.sha256("\n".join([FORMAT_VERSION, *digests]).encode()).hexdigest()


def verdict_key(*, content_sha256: str, stored_sha256: str | None, trust: str) -> str:
    return f"{KEY_PREFIX}:{trust}:{content_sha256}:{stored_sha256 or '-'}"


def report_dumps(report: VerificationReport) -> str:
    def encode(value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            return {"datetime": value.isoformat()}
        raise TypeError(f"cannot store {type(value).__name__} in a verdict")

    return json.dumps(asdict(report), default=encode)


def report_loads(text: str | bytes) -> VerificationReport:
    data = json.loads(text)
    signatures = []
    for item in data["signatures"]:
        timestamp = item["timestamp"]
        item["timestamp"] = datetime.datetime.fromisoformat(timestamp["datetime"]) if timestamp else None
        signatures.append(SignatureReport(**item))
    return VerificationReport(
        sha256=data["sha256"],
        readable=data["readable"],
        signatures=signatures,
        matches_stored=data["matches_stored"],
    )


def cached_verdict(key: str, verify: Callable[[], VerificationReport]) -> VerificationReport:
    """The report stored under `key`, else `verify()`'s, stored for `SIGNING_VERIFY_CACHE_SECONDS`."""
    seconds = settings.SIGNING_VERIFY_CACHE_SECONDS
    url = settings.SIGNING_VERIFY_CACHE_URL
    if seconds <= 0 or not url:
        return verify()
    redis = fail_open_redis(url, purpose="verification verdicts")
    stored = redis.run(lambda client: client.get(key), fallback=None)
    if stored is not None:
        try:
            return report_loads(stored)
        except (ValueError, KeyError, TypeError):
            pass  # an entry of another shape: verify again and overwrite it
    report = verify()
    text = report_dumps(report)
    redis.run(lambda client: client.set(key, text, ex=seconds), fallback=None)
    return report
