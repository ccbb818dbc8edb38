"""App configuration of the backups (`gis_core.backups`, label `backups`): commands only, no models."""

from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "gis_core.backups"
    label = "backups"
    verbose_name = "Backups"
