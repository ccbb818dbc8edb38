"""Who signs: the `Signer` interface and its implementations, chosen by dotted path in `SIGNING_SIGNER_BACKEND`.

A `Signer` is one person's signing credentials; `session()` yields the pyHanko signer to use (a context manager,
because a PKCS#11 token session must be closed). A *backend* turns a Django user into a `Signer`:

- `Pkcs12Backend` (default; development and tests): the user's PKCS#12 from the development PKI
  (`manage.py signing_dev_pki --users <username>`), passphrase read from the file next to it.
- `Pkcs11Backend` (production: HSM or smart card): pyHanko's `PKCS11Signer`, key and certificate found on the token
  by label (`SIGNING_PKCS11_KEY_LABEL`, `{username}` substituted), module/token/PIN from settings. Needs the
  `python-pkcs11` package and a token: NOT exercised by the test suite (no token here).
- `RemoteServiceBackend` (a remote signing service): any class named by `SIGNING_REMOTE_SERVICE` that implements
  `RemoteSignatureService` (certificate chain of a user, raw signature of the signed attributes); the adapter
  `RemoteServiceSigner` does the rest. The adapter is tested with an in-process service.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.conf import settings
from django.utils.module_loading import import_string
from pyhanko.sign import signers as pyhanko_signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from gis_core.signing.errors import SignerUnavailable
from gis_core.signing.pki import DevelopmentPki


@runtime_checkable
class Signer(Protocol):
    """One person's signing credentials."""

    @property
    def display_name(self) -> str:
        """The name as the certificate states it (its common name)."""
        ...

    def session(self) -> contextlib.AbstractContextManager[pyhanko_signers.Signer]:
        """A pyHanko signer, valid inside the `with` block."""
        ...


class SignerBackend(Protocol):
    """Finds the signing credentials of a user."""

    def signer_for(self, *, user: Any) -> Signer: ...


def common_name(certificate: asn1_x509.Certificate) -> str:
    """The certificate subject's common name (or the whole subject when it has none)."""
    native = certificate.subject.native
    return str(native.get("common_name") or certificate.subject.human_friendly)


# --- PKCS#12 -----------------------------------------------------------------------------------------------


class Pkcs12Signer:
    """Credentials in a PKCS#12 file; the decrypted key is cached per file (loading costs ~ a signature)."""

    def __init__(self, pkcs12_path: Path, passphrase: bytes) -> None:
        self.pyhanko_signer = _load_pkcs12(str(pkcs12_path), passphrase)

    @property
    def display_name(self) -> str:
        certificate = self.pyhanko_signer.signing_cert
        assert certificate is not None
        return common_name(certificate)

    @contextlib.contextmanager
    def session(self) -> Iterator[pyhanko_signers.Signer]:
        yield self.pyhanko_signer


class KeyCachingSigner(pyhanko_signers.SimpleSigner):
    """pyHanko's `SimpleSigner`, minus re-parsing the private key on every signature.

    `SimpleSigner.sign_raw` loads the DER key each time, and OpenSSL 3 checks an RSA key's primes on load
    (~0.1 s for 2048 bits, more than everything else in a one-page signature). The parsed key is kept instead.
    """

    _pyca_key: PrivateKeyTypes | None = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if self._pyca_key is None:
            self._pyca_key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
        key = self._pyca_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)  # other mechanisms (PSS, EdDSA...): pyHanko's own path


@functools.lru_cache(maxsize=256)
def _load_pkcs12(path: str, passphrase: bytes) -> KeyCachingSigner:
    with open(path, "rb") as handle:
        data = handle.read()
    loaded = pyhanko_signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase)
    return KeyCachingSigner(
        signing_key=loaded.signing_key, signing_cert=loaded.signing_cert, cert_registry=loaded.cert_registry
    )


class Pkcs12Backend:
    """The user's PKCS#12 in the development PKI (`settings.SIGNING_PKI_DIR`)."""

    def signer_for(self, *, user: Any) -> Signer:
        credentials = DevelopmentPki(Path(settings.SIGNING_PKI_DIR)).user_paths(user.get_username())
        if not (credentials.pkcs12_path.exists() and credentials.passphrase_path.exists()):
            raise SignerUnavailable(
                f"No signing certificate for {user.get_username()!r}: "
                f"run `manage.py signing_dev_pki --users {user.get_username()}`."
            )
        return Pkcs12Signer(credentials.pkcs12_path, credentials.passphrase)


# --- PKCS#11 (HSM, smart card) -----------------------------------------------------------------------------


class Pkcs11Signer:
    """A key on a PKCS#11 token, through pyHanko's `PKCS11Signer` (untested here: no token on these machines)."""

    def __init__(self, *, module: str, token_label: str, key_label: str, pin: str, display_name: str) -> None:
        self.module, self.token_label, self.key_label, self.pin = module, token_label, key_label, pin
        self._display_name = display_name

    @property
    def display_name(self) -> str:
        return self._display_name

    @contextlib.contextmanager
    def session(self) -> Iterator[pyhanko_signers.Signer]:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11

        token_session = pkcs11.open_pkcs11_session(
            self.module, token_criteria=TokenCriteria(label=self.token_label), user_pin=self.pin
        )
        try:
            yield pkcs11.PKCS11Signer(token_session, cert_label=self.key_label, key_label=self.key_label)
        finally:
            token_session.close()


class Pkcs11Backend:
    """Settings: SIGNING_PKCS11_MODULE, SIGNING_PKCS11_TOKEN_LABEL, SIGNING_PKCS11_PIN, SIGNING_PKCS11_KEY_LABEL."""

    def signer_for(self, *, user: Any) -> Signer:
        if not settings.SIGNING_PKCS11_MODULE:
            raise SignerUnavailable("SIGNING_PKCS11_MODULE is not set.")
        username = user.get_username()
        return Pkcs11Signer(
            module=settings.SIGNING_PKCS11_MODULE,
            token_label=settings.SIGNING_PKCS11_TOKEN_LABEL,
            key_label=settings.SIGNING_PKCS11_KEY_LABEL.format(username=username),
            pin=settings.SIGNING_PKCS11_PIN,
            display_name=(user.get_full_name() if hasattr(user, "get_full_name") else "") or username,
        )


# --- remote signing service --------------------------------------------------------------------------------


class RemoteSignatureService(Protocol):
    """What a remote signing service must offer (an adapter to its HTTP API lives with its configuration)."""

    def certificate_chain(self, *, user: Any) -> list[bytes]:
        """DER certificates: the user's signing certificate first, then its issuers."""
        ...

    def sign(self, *, user: Any, data: bytes, digest_algorithm: str) -> bytes:
        """The raw signature (PKCS#1 v1.5 for RSA, DER ECDSA) of `data` (the CMS signed attributes)."""
        ...


class _RemotePyhankoSigner(pyhanko_signers.Signer):
    def __init__(self, service: RemoteSignatureService, user: Any, chain: list[asn1_x509.Certificate]) -> None:
        self._service, self._user = service, user
        super().__init__(signing_cert=chain[0], cert_registry=SimpleCertificateStore.from_certs(chain[1:]))

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:  # size estimation: a signature of the right length, no round trip
            key_bits = self.signing_cert.public_key.bit_size if self.signing_cert is not None else 2048
            return bytes(max(key_bits // 8, 72))
        return self._service.sign(user=self._user, data=data, digest_algorithm=digest_algorithm)


class RemoteServiceSigner:
    """Adapts a `RemoteSignatureService` to our `Signer`."""

    def __init__(self, service: RemoteSignatureService, user: Any) -> None:
        chain = [asn1_x509.Certificate.load(der) for der in service.certificate_chain(user=user)]
        if not chain:
            raise SignerUnavailable("The signing service has no certificate for this user.")
        self._pyhanko = _RemotePyhankoSigner(service, user, chain)
        self._display_name = common_name(chain[0])

    @property
    def display_name(self) -> str:
        return self._display_name

    @contextlib.contextmanager
    def session(self) -> Iterator[pyhanko_signers.Signer]:
        yield self._pyhanko


class RemoteServiceBackend:
    """The service class named by SIGNING_REMOTE_SERVICE (instantiated without arguments, once per call)."""

    def signer_for(self, *, user: Any) -> Signer:
        if not settings.SIGNING_REMOTE_SERVICE:
            raise SignerUnavailable("SIGNING_REMOTE_SERVICE is not set.")
        service = import_string(settings.SIGNING_REMOTE_SERVICE)()
        return RemoteServiceSigner(service, user)


def signer_for(*, user: Any) -> Signer:
    """The signer of `user` from the backend named by `settings.SIGNING_SIGNER_BACKEND`."""
    backend: SignerBackend = import_string(settings.SIGNING_SIGNER_BACKEND)()
    return backend.signer_for(user=user)
