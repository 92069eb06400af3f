"""One loopback HTTP server that plays every provider Saldo talks to, and the Demo Bank.

Written from the providers' documents on its own (it shares no code with desktop_app.core),
so that a misreading on either side shows up as a failing test instead of hiding. The wire
shapes, paths and rules are listed in the package docstring (``saldo_sandbox``); requests are
dispatched by the table in ``routes.py`` to one module per provider.
"""

from __future__ import annotations

import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from saldo_sandbox.admin import ground_truth
from saldo_sandbox.exchange import Answered, Exchange
from saldo_sandbox.routes import find
from saldo_sandbox.state import SandboxState

log = logging.getLogger(__name__)


class SandboxHandler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_HEAD(self) -> None:
        self._route("GET")

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        x = Exchange(self, method, path, query, b"")  # one per request: its faults end with it
        try:
            # Read a body whatever the method, so it cannot be taken for the next request on this connection.
            length = int(self.headers.get("Content-Length") or 0)
            x.body = self.rfile.read(length) if length > 0 else b""
            found = find(method, path)
            if found is None:
                x.json(404, {"error": "not_found", "error_description": f"nothing at {path}"})
                return
            handler, x.params = found
            handler(x)
        except Answered:
            pass
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            log.exception("sandbox: %s %s failed", method, path)
            x.truncate = False
            x.json(500, {"error": "server_error", "error_description": "the sandbox failed; see its log"})


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], state: SandboxState) -> None:
        self.state = state
        super().__init__(address, SandboxHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def ground_truth(self, provider: str, customer: str | None = None) -> dict[str, Any]:
        """What the bank holds now (see ``admin.ground_truth``)."""
        return ground_truth(self.state, provider, customer)
