"""App configuration of the API tokens."""

from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "gis_core.api_tokens"
    label = "api_tokens"
    verbose_name = "API tokens"
    default_auto_field = "django.db.models.BigAutoField"
