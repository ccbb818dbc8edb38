"""`manage.py api_token_create <username> [--name NAME]`: a new API token for a user, printed once."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_core.api_tokens.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown once: only its digest is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, shown in the user's list")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        issued = api_token_create(user=user, name=options["name"])
        self.stdout.write(f"{issued.key}\n(expires {issued.token.expires_at:%Y-%m-%d %H:%M %Z})")
