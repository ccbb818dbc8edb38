"""Development PKI: a root CA, an intermediate, a TSA certificate, a PKCS#12 per user, and an NSS database.

Layout under `settings.SIGNING_PKI_DIR` (default `var/pki/`), written by `manage.py signing_dev_pki`:
`root-ca.{pem,key.pem}`, `intermediate-ca.{pem,key.pem}`, `tsa.{pem,key.pem}`, `users/<username>.p12` with its
passphrase in `users/<username>.pass` (mode 0600), `nssdb/` (certutil, trusting the root, for `pdfsig -nssdir`).
Everything is created once and reused (idempotent). Development and tests only: production keys live in an HSM
or a smart card (PKCS#11) or at a remote signing service, never in files made by this module.
"""

from __future__ import annotations

import datetime
import re
import secrets
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ORGANISATION = "Urbaplan (development)"
ROOT_NAME = "Urbaplan Development Root CA"
INTERMEDIATE_NAME = "Urbaplan Development Signing CA"
TSA_NAME = "Urbaplan Development Timestamp Authority"
NSS_ROOT_NICKNAME = "urbaplan-dev-root"
NSS_INTERMEDIATE_NICKNAME = "urbaplan-dev-signing-ca"
KEY_BITS = 2048
CA_YEARS = 10
LEAF_YEARS = 3
_USERNAME_SAFE = re.compile(r"[^A-Za-z0-9_.@+-]")

PrivateKey = rsa.RSAPrivateKey


@dataclass(frozen=True)
class Issued:
    """A certificate and its key, as loaded from (or just written to) the PKI directory."""

    certificate: x509.Certificate
    key: PrivateKey
    cert_path: Path
    key_path: Path


@dataclass(frozen=True)
class UserCredentials:
    """A user's PKCS#12 and the file holding its passphrase."""

    username: str
    pkcs12_path: Path
    passphrase_path: Path

    @property
    def passphrase(self) -> bytes:
        return self.passphrase_path.read_bytes().strip()


class DevelopmentPki:
    """The development PKI rooted at `directory`; each method creates what is missing and returns what exists."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.users_dir = self.directory / "users"
        self.nss_dir = self.directory / "nssdb"

    # --- authorities ------------------------------------------------------------------------------------

    def ensure(self) -> None:
        """Root, intermediate, TSA certificate and NSS database."""
        self.tsa()
        self.nss_database()

    def root(self) -> Issued:
        return self._load_or_create("root-ca", lambda key: self._build_ca(key, ROOT_NAME, None, path_length=1))

    def intermediate(self) -> Issued:
        root = self.root()
        return self._load_or_create(
            "intermediate-ca", lambda key: self._build_ca(key, INTERMEDIATE_NAME, root, path_length=0)
        )

    def tsa(self) -> Issued:
        intermediate = self.intermediate()

        def build(key: PrivateKey) -> x509.Certificate:
            builder = self._leaf_builder(key, _name(TSA_NAME), intermediate)
            builder = builder.add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
            ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            return builder.sign(intermediate.key, hashes.SHA256())

        return self._load_or_create("tsa", build)

    def chain(self) -> list[x509.Certificate]:
        """Intermediate then root: what a signature embeds besides the signer's certificate."""
        return [self.intermediate().certificate, self.root().certificate]

    # --- users ------------------------------------------------------------------------------------------

    def user_paths(self, username: str) -> UserCredentials:
        safe = _USERNAME_SAFE.sub("_", username)
        return UserCredentials(username, self.users_dir / f"{safe}.p12", self.users_dir / f"{safe}.pass")

    def user(self, username: str, *, display_name: str = "", email: str = "") -> UserCredentials:
        """The user's PKCS#12 (CN = display name, or the username), created with a random passphrase if absent."""
        credentials = self.user_paths(username)
        if credentials.pkcs12_path.exists() and credentials.passphrase_path.exists():
            return credentials
        intermediate = self.intermediate()
        key = _new_key()
        attributes = [
            x509.NameAttribute(NameOID.COMMON_NAME, display_name or username),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        ]
        if email:
            attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
        builder = self._leaf_builder(key, x509.Name(attributes), intermediate).add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        if email:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        certificate = builder.sign(intermediate.key, hashes.SHA256())
        passphrase = secrets.token_urlsafe(18).encode()
        blob = pkcs12.serialize_key_and_certificates(
            name=username.encode(),
            key=key,
            cert=certificate,
            cas=self.chain(),
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
        )
        self.users_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(credentials.passphrase_path, passphrase + b"\n")
        _write_private(credentials.pkcs12_path, blob)
        return credentials

    # --- NSS --------------------------------------------------------------------------------------------

    def nss_database(self) -> Path:
        """An NSS database (sql:) trusting our root for signatures, for `pdfsig -nssdir` and other NSS clients."""
        root, intermediate = self.root(), self.intermediate()
        if (self.nss_dir / "cert9.db").exists() and self._nss_has(NSS_ROOT_NICKNAME):
            return self.nss_dir
        self.nss_dir.mkdir(parents=True, exist_ok=True)
        if not (self.nss_dir / "cert9.db").exists():
            _run(["certutil", "-N", "-d", f"sql:{self.nss_dir}", "--empty-password"])
        _run(["certutil", "-A", "-d", f"sql:{self.nss_dir}", "-n", NSS_ROOT_NICKNAME, "-t", "CT,C,C", "-i",
              str(root.cert_path)])  # fmt: skip
        _run(["certutil", "-A", "-d", f"sql:{self.nss_dir}", "-n", NSS_INTERMEDIATE_NICKNAME, "-t", ",,", "-i",
              str(intermediate.cert_path)])  # fmt: skip
        return self.nss_dir

    def _nss_has(self, nickname: str) -> bool:
        result = subprocess.run(
            ["certutil", "-L", "-d", f"sql:{self.nss_dir}", "-n", nickname], capture_output=True, check=False
        )
        return result.returncode == 0

    # --- building blocks --------------------------------------------------------------------------------

    def _load_or_create(self, stem: str, build: Callable[[PrivateKey], x509.Certificate]) -> Issued:
        cert_path, key_path = self.directory / f"{stem}.pem", self.directory / f"{stem}.key.pem"
        if cert_path.exists() and key_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            return Issued(x509.load_pem_x509_certificate(cert_path.read_bytes()), key, cert_path, key_path)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = _new_key()
        certificate = build(key)
        _write_private(
            key_path,
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        return Issued(certificate, key, cert_path, key_path)

    def _build_ca(
        self, key: PrivateKey, common_name: str, issuer: Issued | None, *, path_length: int
    ) -> x509.Certificate:
        now = _now()
        subject = _name(common_name)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if issuer is None else issuer.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        )
        signing_key = key if issuer is None else issuer.key
        if issuer is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
            )
        return builder.sign(signing_key, hashes.SHA256())

    def _leaf_builder(self, key: PrivateKey, subject: x509.Name, issuer: Issued) -> x509.CertificateBuilder:
        now = _now()
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365 * LEAF_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
        )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        ]
    )


def _new_key() -> PrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _write_private(path: Path, data: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True)
