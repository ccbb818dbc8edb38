"""`manage.py demo_accounts [--quiet]`: the tour's demo accounts, one per role, with the one development password
(idempotent; refused in production). Prints the accounts, their use and the back-office TOTP secrets; the accounts
that sign get a development certificate under SIGNING_PKI_DIR (kept when there)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.accounts import DemoAccountsRefused, demo_accounts_ensure, development_pki
from demo.cambridge import DEMO_COMMUNE
from gis_core.models import Territory


class Command(BaseCommand):
    help = "Create (or repair) the tour's demo accounts, one per role, and print them with their one password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="print only what changed")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = Territory.objects.filter(code=DEMO_COMMUNE).first()
        if commune is None:
            raise CommandError(f"commune {DEMO_COMMUNE} is missing: run `manage.py load_demo` first")
        try:
            states = demo_accounts_ensure(commune=commune, pki=development_pki())
        except DemoAccountsRefused as error:
            raise CommandError(str(error)) from error
        changed = [state for state in states if state.changed]
        if options["quiet"]:
            if changed:
                self.stdout.write(f"Demo accounts: {len(changed)} created or repaired.")
            return
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (development only). Password for every one: {settings.DEMO_PASSWORD}")
        for state in states:
            account = state.account
            role = account.role or "applicant"
            totp = f"  TOTP secret {state.totp_secret}" if state.totp_secret else ""
            signs = "  (signs: development certificate)" if state.certificate else ""
            self.stdout.write(f"  {account.username:<28} {role:<21} {account.use}{totp}{signs}")
        self.stdout.write("Development outbox (e-mails and SMS): http://127.0.0.1:8000/dev/outbox/")
