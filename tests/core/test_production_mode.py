"""Production mode (`URBAPLAN_ENV=production`) refuses to start with a development setting left, and a correct
production configuration passes `manage.py check --deploy` with no warning."""

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from gis_core.signing.pki import DevelopmentPki

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def certificate_file(directory: Path, organisation: str) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation), x509.NameAttribute(NameOID.COMMON_NAME, "CA")]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    path = directory / f"{organisation.replace(' ', '-')}.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def production_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A complete production configuration; `overrides` put one development setting back."""
    root = certificate_file(tmp_path, "Commune of Casablanca Root CA")
    development_prefixes = ("DJANGO_", "SIGNING_", "WMS_", "DEMO_", "DEVELOPMENT_", "SMS_", "OPENDATA_")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(development_prefixes)}
    environment.update(
        URBAPLAN_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="urbanisme.casablanca.ma",
        SIGNING_TSA_URL="https://tsa.example.ma/",
        SIGNING_SIGNER_BACKEND="gis_core.signing.signers.Pkcs11Backend",
        SIGNING_TRUST_ROOTS=str(root),
        SIGNING_INTERMEDIATES=str(root),
        OPENDATA_PUBLISHER_EMAIL="donnees.ouvertes@casablanca.ma",
    )
    environment.update(overrides)
    return environment


def manage(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MANAGE), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_complete_production_configuration_passes_the_deployment_check(tmp_path: Path) -> None:
    result = manage(production_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "refusal"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG is on"),
        ({"DJANGO_SECRET_KEY": "dev-only-insecure-key-change-me"}, "DJANGO_SECRET_KEY is the development key"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY is the development key or weak"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS is empty"),
        ({"SIGNING_TSA_LOCAL": "true"}, "SIGNING_TSA_LOCAL is on"),
        ({"SIGNING_TSA_URL": ""}, "SIGNING_TSA_URL is empty"),
        ({"SIGNING_SIGNER_BACKEND": "gis_core.signing.signers.Pkcs12Backend"}, "development PKI's PKCS#12 files"),
        ({"WMS_DEMO": "true"}, "WMS_DEMO is on"),
        ({"DEMO_PASSWORD": "urbaplan-demo"}, "DEMO_PASSWORD is set"),
        ({"DEVELOPMENT_TOOLS": "true"}, "DEVELOPMENT_TOOLS is on"),
        ({"SMS_PROVIDER": "gis_core.notifications.development.OutboxSmsProvider"}, "SMS_PROVIDER is the development"),
        ({"SIGNING_TRUST_ROOTS": "/nonexistent/root.pem"}, "cannot be read"),
        ({"OPENDATA_PUBLISHER_EMAIL": ""}, "OPENDATA_PUBLISHER_EMAIL is the example address"),
    ],
)
def test_production_mode_refuses_to_start_with_a_development_setting(
    tmp_path: Path, overrides: dict[str, str], refusal: str
) -> None:
    result = manage(production_environment(tmp_path, **overrides), "check")
    assert result.returncode != 0
    assert "production mode refuses to start" in result.stderr
    assert refusal in result.stderr


def test_production_mode_refuses_the_development_pki(tmp_path: Path) -> None:
    pki = DevelopmentPki(tmp_path / "pki")
    pki.ensure()
    result = manage(production_environment(tmp_path, SIGNING_TRUST_ROOTS=str(pki.root().cert_path)), "check")
    assert result.returncode != 0
    assert "belongs to the development PKI" in result.stderr


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    result = manage(production_environment(tmp_path, URBAPLAN_ENV="staging"), "check")
    assert result.returncode != 0
    assert "URBAPLAN_ENV must be 'development' or 'production'" in result.stderr


def test_development_defaults_keep_the_development_tools_on(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SIGNING_", "WMS_"))}
    environment.pop("URBAPLAN_ENV", None)
    environment["DJANGO_DEBUG"] = "false"  # the development tools do not hang on DEBUG
    code = "from django.conf import settings; print(settings.SIGNING_TSA_LOCAL, settings.WMS_DEMO, settings.DEBUG)"
    result = subprocess.run(
        [sys.executable, str(MANAGE), "shell", "-v", "0", "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]
