"""App configuration of the immutable document store (`gis_core.documents`, label `documents`)."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "gis_core.documents"
    label = "documents"
    verbose_name = "Documents (immutable versions)"
    default_auto_field = "django.db.models.BigAutoField"
