"""Project configuration (settings, urls, Celery app) and the shared spatial kernel."""

from gis_core.celery import app as celery_app

__all__ = ["celery_app"]
