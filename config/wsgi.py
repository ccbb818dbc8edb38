"""WSGI entry point: Django, wrapped by the WSGI wrappers that settings list (`WSGI_WRAPPERS`, outermost last),
e.g. the tiles face's cached-tile path. Listed by dotted path so the kernel imports no face."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
for wrapper in settings.WSGI_WRAPPERS:
    application = import_string(wrapper)(application)
