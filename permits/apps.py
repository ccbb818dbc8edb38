"""The permits app; `ready` registers the notification subscribers (`permits.notifications`) on the event bus."""

from django.apps import AppConfig


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = "Permit files and workflow"

    def ready(self) -> None:
        from permits import notifications  # noqa: F401  (its decorators subscribe the handlers)
