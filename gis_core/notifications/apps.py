"""App configuration of the notification delivery kernel."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "gis_core.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"
