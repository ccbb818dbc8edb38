"""`manage.py mail_catcher --port N [--host 127.0.0.1]`: the development mail catcher (aiosmtpd), storing every
message in the outbox's maildir (`DEV_OUTBOX_DIR/mail`) until stopped (TERM or Ctrl-C). Refused in production."""

import signal
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_core.notifications.development import MaildirHandler

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class Command(BaseCommand):
    help = "Run the development SMTP mail catcher on loopback; messages go to DEV_OUTBOX_DIR/mail (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--host", default="127.0.0.1", help="a loopback address (the catcher accepts anyone)")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION or not settings.DEVELOPMENT_TOOLS:
            raise CommandError("the mail catcher is a development tool (DEVELOPMENT_TOOLS is off)")
        if options["host"] not in LOOPBACK:
            raise CommandError("the mail catcher listens on loopback only")
        from aiosmtpd.controller import Controller  # a development requirement (requirements-dev.txt)

        root = Path(settings.DEV_OUTBOX_DIR)
        controller = Controller(MaildirHandler(root), hostname=options["host"], port=options["port"], ready_timeout=10)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        controller.start()
        self.stdout.write(f"mail catcher on {options['host']}:{options['port']}, storing in {root / 'mail'}")
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
