"""ASGI entry point; like config.wsgi, it refuses to start when the public read-only connection can do more than
read the public views (`gis_core.public_reader`)."""

import os

from django.core.asgi import get_asgi_application

from gis_core.public_reader import reader_confinement_require

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
reader_confinement_require()
