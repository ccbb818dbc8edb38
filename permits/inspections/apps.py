"""App config of the site inspections (label `inspections`); `ready` subscribes the notifications."""

from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "permits.inspections"
    label = "inspections"
    verbose_name = "Site inspections (récolement)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from permits.inspections import notifications, subscribers  # noqa: F401  (decorators subscribe the handlers)
