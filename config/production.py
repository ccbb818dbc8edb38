"""What production mode (`URBAPLAN_ENV=production`) refuses to start with.

`config.settings` calls `production_refusals` once every setting is read, and raises `ImproperlyConfigured` with
the whole list: every process (web server, Celery worker, `manage.py`) then stops at start-up, before serving or
signing anything. Development tools (the local TSA at `/tsa/`, MapProxy's demo pages, the development PKI, the
demo accounts' password, the outbox page and SMS provider of the tour) are refused by name, whatever DEBUG says.
"""

from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"
DEVELOPMENT_SIGNER_BACKEND = "gis_core.signing.signers.Pkcs12Backend"  # PKCS#12 files of the development PKI
DEVELOPMENT_PKI_ORGANISATION = "Urbaplan (development)"  # gis_core.signing.pki.ORGANISATION
MINIMUM_SECRET_KEY_LENGTH = 50
DEVELOPMENT_DEMO_PASSWORD = "urbaplan-demo"  # the tour's demo accounts (demo/accounts.py)
DEVELOPMENT_SMS_PROVIDER = "gis_core.notifications.development.OutboxSmsProvider"
DEVELOPMENT_PUBLISHER_EMAIL = "opendata@example.org"  # the open-data catalogue's contact point by default


def production_refusals(values: dict[str, Any]) -> list[str]:
    """Why these settings may not run in production (empty: they may)."""
    refusals = []
    if values["DEBUG"]:
        refusals.append("DJANGO_DEBUG is on")
    secret_key = values["SECRET_KEY"]
    if secret_key == DEVELOPMENT_SECRET_KEY or len(set(secret_key)) < 5 or len(secret_key) < MINIMUM_SECRET_KEY_LENGTH:
        refusals.append(f"DJANGO_SECRET_KEY is the development key or weak ({MINIMUM_SECRET_KEY_LENGTH}+ random chars)")
    if not values["ALLOWED_HOSTS"]:
        refusals.append("DJANGO_ALLOWED_HOSTS is empty")
    if not values.get("MFA_REQUIRED_FOR_BACK_OFFICE", True):
        refusals.append("MFA_REQUIRED_FOR_BACK_OFFICE is off: back-office roles sign in with TOTP in production")
    if values["SIGNING_TSA_LOCAL"]:
        refusals.append("SIGNING_TSA_LOCAL is on: the development timestamp authority cannot timestamp decisions")
    if not values["SIGNING_TSA_URL"]:
        refusals.append("SIGNING_TSA_URL is empty: signatures need a real timestamp authority")
    if values["SIGNING_SIGNER_BACKEND"] == DEVELOPMENT_SIGNER_BACKEND:
        refusals.append("SIGNING_SIGNER_BACKEND reads the development PKI's PKCS#12 files (use PKCS#11 or remote)")
    for path in [*values["SIGNING_TRUST_ROOTS"], *values["SIGNING_INTERMEDIATES"]]:
        refusal = _certificate_refusal(Path(path))
        if refusal:
            refusals.append(refusal)
    if values["DEMO_PASSWORD"]:
        refusals.append("DEMO_PASSWORD is set: demo accounts and their shared password are a development tool")
    if values["DEVELOPMENT_TOOLS"]:
        refusals.append("DEVELOPMENT_TOOLS is on: the outbox page and the mail catcher are development tools")
    if values["SMS_PROVIDER"] == DEVELOPMENT_SMS_PROVIDER:
        refusals.append("SMS_PROVIDER is the development outbox: SMS would never leave the server")
    if values["WMS_DEMO"]:
        refusals.append("WMS_DEMO is on: MapProxy's demo pages are a development tool")
    if values["OPENDATA_PUBLISHER_EMAIL"] == DEVELOPMENT_PUBLISHER_EMAIL:
        refusals.append("OPENDATA_PUBLISHER_EMAIL is the example address: harvesters would show it as the contact")
    return refusals


def _certificate_refusal(path: Path) -> str | None:
    try:
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
    except OSError:
        return f"signing trust certificate {path} cannot be read"
    except ValueError:
        return f"signing trust certificate {path} is not a PEM certificate"
    organisations = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if any(attribute.value == DEVELOPMENT_PKI_ORGANISATION for attribute in organisations):
        return f"signing trust certificate {path} belongs to the development PKI"
    return None
