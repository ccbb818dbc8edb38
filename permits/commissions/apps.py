"""App config of the commissions (label `commissions`); `ready` subscribes its handler (`subscribers`)."""

from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "permits.commissions"
    label = "commissions"
    verbose_name = "Commissions, sessions and signatures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from permits.commissions import subscribers  # noqa: F401  (its decorator subscribes the handler)
