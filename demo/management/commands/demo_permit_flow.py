"""`manage.py demo_permit_flow`: one building-permit file from draft to publication on the Cambridge demo."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo.common import DemoDataMissing
from demo.permit_flow import demo_permit_flow


class Command(BaseCommand):
    help = "Run a building-permit file through the whole journey on the Cambridge demo data (after load_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo_permit_flow(report=self.stdout.write)
        except DemoDataMissing as error:
            raise CommandError(error.detail) from error
