"""The project's configuration: settings read from the environment, the URL map, the WSGI/ASGI entry points and
the Celery application. It imports the apps; no app imports it (import-linter checks it)."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
