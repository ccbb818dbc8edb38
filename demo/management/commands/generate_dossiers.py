"""`generate_dossiers --count N [--seed S] [--from D] [--days N]`: synthetic files with their audit trail (bench
and tests of the indicators); see `demo.generate_dossiers`."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from demo.generate_dossiers import dossiers_generate


class Command(BaseCommand):
    help = "Write N synthetic files with their audit events (needs the procedure catalogue and communes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first filing day (a year ago)")
        parser.add_argument("--days", type=int, default=365, help="filing days spread over this many days")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 1 or options["days"] < 1:
            raise CommandError("--count and --days must be positive")
        first = options["first"] or timezone.localdate() - timedelta(days=options["days"])
        try:
            written = dossiers_generate(
                count=options["count"], seed=options["seed"], first_day=first, days=options["days"]
            )
        except LookupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{written} files generated")
