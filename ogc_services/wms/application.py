"""MapProxy's WSGI application, loaded from the generated YAML and reloaded when it changes.

MapProxy runs MapServer's CGI binary with a copy of this process's environment, so the MapServer 8 config file
is given through `MAPSERVER_CONFIG_FILE` here, once, when the app is (re)loaded.
"""

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from ogc_services.wms.configuration import configuration_ensure

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_lock = threading.Lock()
_loaded: dict[str, tuple[int, WsgiApp]] = {}


def mapproxy_app() -> WsgiApp:
    """The MapProxy app of the current settings (the configuration is regenerated when its inputs change)."""
    config = configuration_ensure()
    path = str(config.mapproxy_config)
    version = config.mapproxy_config.stat().st_mtime_ns
    cached = _loaded.get(path)
    if cached and cached[0] == version:
        return cached[1]
    with _lock:
        cached = _loaded.get(path)
        if cached and cached[0] == version:
            return cached[1]
        from mapproxy.wsgiapp import make_wsgi_app

        os.environ["MAPSERVER_CONFIG_FILE"] = str(config.mapserver_config)
        app: WsgiApp = make_wsgi_app(path, reloader=False)
        _loaded[path] = (version, app)
        return app
