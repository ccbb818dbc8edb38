"""`manage.py demo_commission_flow [--weeks N]`: one file booked, examined, decided, signed and published."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.commission_flow import demo_commission_flow
from demo.common import DemoDataMissing


class Command(BaseCommand):
    help = "Run a building-permit file through the commission on the demo data (needs `load_demo`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=4, help="Sessions generated this many weeks ahead.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo_commission_flow(report=self.stdout.write, weeks=options["weeks"])
        except DemoDataMissing as error:
            raise CommandError(error.detail) from error
