"""Timestamps (RFC 3161): the timestamper pyHanko uses, and a local timestamp authority for development and tests.

`timestamper()` is what signing uses: pyHanko's `HTTPTimeStamper` on `SIGNING_TSA_URL` when it is set (production:
a real, qualified TSA), else, with `SIGNING_TSA_LOCAL` on (development and tests), the local authority in-process.
The same authority answers real HTTP requests at `/tsa/` (mounted only when `SIGNING_TSA_LOCAL` is on) and as a
bare WSGI app (`wsgi_application`), so pyHanko's HTTP client, its CLI or `openssl ts` can use it too.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from asn1crypto import cms, core, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from gis_core.signing.errors import TimestampUnavailable
from gis_core.signing.pki import DevelopmentPki

REPLY_CONTENT_TYPE = "application/timestamp-reply"
MAX_QUERY_BYTES = 16 * 1024
# A private-arc policy OID for the development TSA (never a real TSA's policy).
DEVELOPMENT_POLICY = "1.3.6.1.4.1.55555.1.1"


class LocalTimestampAuthority(DummyTimeStamper):
    """pyHanko's in-process TSA with our development policy OID; signs with the PKI's TSA certificate."""

    def __init__(self, *, private_key: rsa.RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.private_key = private_key

    def _build_tst_info(
        self, message_imprint: tsp.MessageImprint, dt: datetime.datetime, req: tsp.TimeStampReq
    ) -> tsp.TSTInfo:
        info = super()._build_tst_info(message_imprint, dt, req)
        info["policy"] = tsp.ObjectIdentifier(DEVELOPMENT_POLICY)
        return info

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        """As pyHanko's, with the RSA key parsed once (not on every request: OpenSSL 3 checks the primes)."""
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self.private_key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs

    def respond(self, query: bytes) -> bytes:
        """DER TimeStampResp for a DER TimeStampReq; a malformed request gets a `rejection` response."""
        try:
            request = tsp.TimeStampReq.load(query)
            request.native  # noqa: B018 - parse fully now, so a malformed request fails here
        except (ValueError, TypeError):
            status = tsp.PKIStatusInfo({"status": "rejection", "fail_info": tsp.PKIFailureInfo({"bad_data_format"})})
            status_der = status.dump()  # TimeStampResp ::= SEQUENCE { status, timeStampToken OPTIONAL }
            return b"\x30" + bytes([len(status_der)]) + status_der
        return self.request_tsa_response(request).dump()


@functools.cache
def _authority_for(directory: str) -> LocalTimestampAuthority:
    pki = DevelopmentPki(Path(directory))
    issued = pki.tsa()
    key_info = keys.PrivateKeyInfo.load(issued.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))
    chain = [asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)) for cert in pki.chain()]
    return LocalTimestampAuthority(
        tsa_cert=asn1_x509.Certificate.load(issued.certificate.public_bytes(Encoding.DER)),
        tsa_key=key_info,
        certs_to_embed=SimpleCertificateStore.from_certs(chain),
        private_key=issued.key,
    )


def local_authority() -> LocalTimestampAuthority:
    """The local TSA of `settings.SIGNING_PKI_DIR` (its certificate is created on first use)."""
    return _authority_for(str(settings.SIGNING_PKI_DIR))


def timestamper() -> TimeStamper:
    """The timestamper signing uses now: `SIGNING_TSA_URL` over HTTP, else the local TSA when allowed."""
    url = settings.SIGNING_TSA_URL
    if url:
        return HTTPTimeStamper(url, timeout=settings.SIGNING_TSA_TIMEOUT)
    if settings.SIGNING_TSA_LOCAL:
        return local_authority()
    raise TimestampUnavailable("No timestamp authority: set SIGNING_TSA_URL (or SIGNING_TSA_LOCAL for development).")


@csrf_exempt
def timestamp_view(request: HttpRequest) -> HttpResponse:
    """POST `application/timestamp-query` -> `application/timestamp-reply` (RFC 3161 over HTTP)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = request.body
    if not body or len(body) > MAX_QUERY_BYTES:
        return HttpResponseBadRequest("a DER TimeStampReq is expected", content_type="text/plain")
    return HttpResponse(local_authority().respond(body), content_type=REPLY_CONTENT_TYPE)


def wsgi_application(pki_directory: Path) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A bare WSGI app answering timestamp queries with the TSA of `pki_directory` (benchmarks, other tools)."""
    authority = _authority_for(str(pki_directory))

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST")])
            return [b""]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if not 0 < length <= MAX_QUERY_BYTES:
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"a DER TimeStampReq is expected"]
        reply = authority.respond(environ["wsgi.input"].read(length))
        start_response("200 OK", [("Content-Type", REPLY_CONTENT_TYPE), ("Content-Length", str(len(reply)))])
        return [reply]

    return application
