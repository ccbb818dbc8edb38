"""The permits app; `ready` registers the notification subscribers (`permits.notifications`)."""

from django.apps import AppConfig


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = "Permit files and workflow"

    def ready(self) -> None:
        from permits.notifications import notifications_subscribe

        notifications_subscribe()
