from django.apps import AppConfig


class GisCoreConfig(AppConfig):
    name = "gis_core"
    verbose_name = "Spatial kernel and territories"

    def ready(self) -> None:
        from gis_core import public_reader  # noqa: F401 - registers the check that the public reader is confined
