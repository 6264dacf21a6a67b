"""An HTTP server on 127.0.0.1 in a thread of its own, for the tests' stand-ins for
Cognito (a JWKS publisher, a hostile endpoint): real HTTP, so the client's timeouts,
size limits and redirect refusal are exercised, not bypassed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean and answers JSON."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_json(self, document: Any, status: int = 200, content_type: str = "application/json") -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class LoopbackServer:
    """Serves ``handler`` (a ``QuietHandler`` subclass) on a free loopback port at ``url``
    until ``close()``."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()
