"""App config of the signing kernel."""

from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "gis_core.signing"
    label = "signing"
    verbose_name = "Electronic signatures"
    default_auto_field = "django.db.models.BigAutoField"
