"""A plain HTTP server on a free loopback port, in a thread, for tests that need a real peer
(one that records what it was asked, or answers oddly)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def http_peer(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """The peer's base URL while it runs."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
