"""The demo accounts of the tour: one account per role of the demo commune, all with the one development password
(`DEMO_PASSWORD`), created or brought back to their demo state by `manage.py demo_accounts` (`make run`).

A table, not code per role: `DEMO_ACCOUNTS` (the people) and the commission members, one per agency of the
catalogue (every agency a demo commission seats or consults). Each run is idempotent: an account already in its
demo state is left untouched (its password hash is not rewritten), so a second run changes nothing and reports the
same. Back-office accounts get a fixed TOTP secret (`demo_totp_secret`) printed with them: the second factor of the
tour, derived from the username so that every machine prints the same codes' secret. Accounts that sign (the
president, the signing authority, the commission members, the inspector) get a development certificate
(`gis_core.signing.pki.DevelopmentPki`, under `SIGNING_PKI_DIR`) when a PKI is given, as `signing_dev_pki --users`
would make it: an existing certificate is kept.

Production never runs this: the command refuses `PRODUCTION`, and `config.production` refuses a `DEMO_PASSWORD`.
"""

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from gis_core.models import Territory
from gis_core.signing.pki import DevelopmentPki
from parcels.models import Agency
from permits import services
from permits.models import BACK_OFFICE_ROLES, Role, RoleMembership

DEMO_EMAIL_DOMAIN = "demo.example"


class DemoAccountsRefused(Exception):
    """Demo accounts are a development tool: refused in production or without a demo password."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str | None  # None: a plain applicant (no role needed to file one's own permits)
    first_name: str
    last_name: str
    use: str  # what the tour uses the account for
    scoped_to_commune: bool = False
    agency_code: str = ""
    phone: str = ""
    superuser: bool = False
    signs: bool = False  # a development certificate (PAdES signatures: decisions, minutes, plans, reports)

    @property
    def back_office(self) -> bool:
        return self.role in BACK_OFFICE_ROLES


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "demo-applicant", None, "Amina", "Applicant", "files permits, books a commission slot", phone="+212600000001"
    ),
    DemoAccount("demo-architect", Role.ARCHITECT, "Youssef", "Architect", "files on behalf of the applicant"),
    DemoAccount("demo-desk", Role.DESK_AGENT, "Karim", "Desk", "checks completeness, sends remarks", True),
    DemoAccount(
        "demo-president", Role.COMMISSION_PRESIDENT, "Leila", "President", "holds sessions, decides", True, signs=True
    ),
    DemoAccount(
        "demo-signing-authority", Role.SIGNING_AUTHORITY, "Omar", "Signer", "signs decisions", True, signs=True
    ),
    DemoAccount(
        "demo-inspector",
        Role.INSPECTOR,
        "Hassan",
        "Inspector",
        "site inspections (récolement): the report, signed",
        True,
        signs=True,
    ),
    DemoAccount(
        "demo-admin", Role.ADMINISTRATOR, "Nadia", "Administrator", "the admin site (/admin/)", True, superuser=True
    ),
)


def member_account(agency: Agency) -> DemoAccount:
    """The commission member speaking for `agency` (gives its opinions, sits in its commissions)."""
    return DemoAccount(
        f"demo-member-{agency.code.lower()}",
        Role.COMMISSION_MEMBER,
        agency.code,
        "Member",
        f"opinions of {agency.code}",
        agency_code=agency.code,
        signs=True,  # the minutes of the sessions it sits in
    )


def demo_totp_secret(username: str) -> str:
    """The fixed TOTP secret (RFC 6238, base32, 160 bits) of a demo back-office account: the same on every machine."""
    digest = hashlib.sha1(f"urbaplan-demo-totp:{username}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")


def demo_accounts_check_allowed() -> str:
    """The demo password, or `DemoAccountsRefused` in production or when none is configured."""
    if settings.PRODUCTION:
        raise DemoAccountsRefused("demo accounts are never created in production (URBAPLAN_ENV=production)")
    if not settings.DEMO_PASSWORD:
        raise DemoAccountsRefused("DEMO_PASSWORD is empty: no demo account is created")
    return str(settings.DEMO_PASSWORD)


@dataclass(frozen=True)
class DemoAccountState:
    account: DemoAccount
    user: User
    changed: bool
    totp_secret: str  # "" for accounts without a second factor (applicant, architect)
    certificate: Path | None = None  # the development PKCS#12 of an account that signs (when a PKI was given)


def development_pki() -> DevelopmentPki:
    """The development PKI under `SIGNING_PKI_DIR` (root, intermediate, TSA, NSS database made when missing)."""
    pki = DevelopmentPki(Path(settings.SIGNING_PKI_DIR))
    pki.ensure()
    return pki


def _certificate(account: DemoAccount, user: User, pki: DevelopmentPki) -> tuple[Path, bool]:
    """The account's development PKCS#12 (CN = its full name), made when missing; whether it was made."""
    made = not pki.user_paths(account.username).pkcs12_path.exists()
    credentials = pki.user(account.username, display_name=user.get_full_name(), email=user.email)
    return credentials.pkcs12_path, made


def _ensure(
    account: DemoAccount,
    *,
    password: str,
    commune: Territory,
    agency: Agency | None,
    pki: DevelopmentPki | None = None,
) -> DemoAccountState:
    email = f"{account.username}@{DEMO_EMAIL_DOMAIN}"
    user, created = User.objects.get_or_create(username=account.username, defaults={"email": email})
    changed = created
    wanted = {
        "email": email,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "is_active": True,
        "is_staff": account.superuser,
        "is_superuser": account.superuser,
    }
    for name, value in wanted.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed = True
    if not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    _, made = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )  # verified, as after the link of the sign-up e-mail (mandate invitations reach verified addresses only)
    changed = changed or made
    if account.role:
        territory = commune if account.scoped_to_commune else None
        _, made = RoleMembership.objects.get_or_create(user=user, role=account.role, territory=territory, agency=agency)
        changed = changed or made
    if account.phone:
        profile = services.profile_get(user=user)
        if profile.phone != account.phone or not profile.notify_by_sms:
            services.profile_update(user=user, phone=account.phone, notify_by_sms=True)
            changed = True
    certificate = None
    if account.signs and pki is not None:
        certificate, made = _certificate(account, user, pki)
        changed = changed or made
    secret = demo_totp_secret(account.username) if account.back_office else ""
    if secret and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)  # the second factor back-office roles must have (web.accounts.middleware)
        changed = True
    return DemoAccountState(account, user, changed, secret, certificate)


@transaction.atomic
def demo_accounts_ensure(
    *, commune: Territory, agencies: Iterable[Agency] | None = None, pki: DevelopmentPki | None = None
) -> list[DemoAccountState]:
    """Every demo account in its demo state (created, or repaired when changed); one commission member per agency
    (the catalogue's agencies loaded first, so that every agency a demo commission seats or consults has one); with
    `pki`, a development certificate for each account that signs."""
    password = demo_accounts_check_allowed()
    if agencies is None:
        services.procedures_load()  # idempotent: the agencies, uses and procedures of the catalogue
    states = [_ensure(account, password=password, commune=commune, agency=None, pki=pki) for account in DEMO_ACCOUNTS]
    for agency in agencies if agencies is not None else Agency.objects.order_by("code"):
        states.append(_ensure(member_account(agency), password=password, commune=commune, agency=agency, pki=pki))
    return states
