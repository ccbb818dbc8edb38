"""A threaded WSGI server on a free loopback port, quiet, for the benches that serve an application in their own
process (S9: one stored document, or the whole Django application for the plan viewer)."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Silent: a bench's thousands of requests are counted, not logged."""


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve(application: Any) -> tuple[WSGIServer, int]:
    """`application` answered on 127.0.0.1 by one thread per connection; the server (`shutdown()` it) and its port."""
    server = make_server("127.0.0.1", 0, application, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_port
