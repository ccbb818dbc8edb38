"""WSGI entry point: Django, wrapped by the WSGI wrappers that settings list (`WSGI_WRAPPERS`, outermost last),
e.g. the tiles face's cached-tile path. Listed by dotted path so the kernel imports no face. It refuses to start
(ImproperlyConfigured) when the public read-only connection can do more than read the public views
(`gis_core.public_reader`)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.utils.module_loading import import_string

from gis_core.public_reader import reader_confinement_require

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# The platform refuses to serve if the public read-only connection can read a base table or write anything.
reader_confinement_require()
for wrapper in settings.WSGI_WRAPPERS:
    application = import_string(wrapper)(application)
