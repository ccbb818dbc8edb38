"""`manage.py signing_dev_pki [--users alice bob] [--all-users] [--dir PATH]`: the development PKI (idempotent).

Creates what is missing under SIGNING_PKI_DIR: root CA, intermediate, TSA certificate, NSS database trusting the
root (for `pdfsig -nssdir`), and a PKCS#12 per named user (CN = the user's full name, or the username; the
e-mail when the user has one). Existing files are kept. Development and tests only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from gis_core.signing.pki import DevelopmentPki


class Command(BaseCommand):
    help = "Create the development CA, TSA certificate, NSS database and users' PKCS#12 files (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", nargs="*", default=[], help="usernames to give a PKCS#12")
        parser.add_argument("--all-users", action="store_true", help="every active user")
        parser.add_argument("--dir", default="", help="PKI directory (default: SIGNING_PKI_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        pki = DevelopmentPki(Path(options["dir"] or settings.SIGNING_PKI_DIR))
        pki.ensure()
        user_model = get_user_model()
        usernames = list(options["users"])
        if options["all_users"]:
            usernames += list(user_model.objects.filter(is_active=True).values_list("username", flat=True))
        for username in dict.fromkeys(usernames):
            user = user_model.objects.filter(username=username).first()
            display_name = (user.get_full_name() if user is not None else "") or username
            email = (user.email if user is not None else "") or ""
            credentials = pki.user(username, display_name=display_name, email=email)
            self.stdout.write(f"{username}: {credentials.pkcs12_path} (passphrase in {credentials.passphrase_path})")
        self.stdout.write(f"root CA: {pki.root().cert_path}")
        self.stdout.write(f"TSA: {pki.tsa().cert_path}")
        self.stdout.write(f"NSS database: sql:{pki.nss_dir}  (pdfsig -nssdir sql:{pki.nss_dir} file.pdf)")
