"""S6 peer: MapProxy's own WSGI app on the same generated YAML, for `gunicorn bench.wms_peer_app:application`.

`MAPPROXY_CONFIG` names the YAML and `MAPSERVER_CONFIG_FILE` MapServer's config file (bench/wms_bench.py sets both).
"""

import os

from mapproxy.wsgiapp import make_wsgi_app

application = make_wsgi_app(os.environ["MAPPROXY_CONFIG"], reloader=False)
