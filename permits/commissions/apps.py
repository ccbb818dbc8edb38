"""App config of the commissions (label `commissions`)."""

from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "permits.commissions"
    label = "commissions"
    verbose_name = "Commissions, sessions and signatures"
    default_auto_field = "django.db.models.BigAutoField"
