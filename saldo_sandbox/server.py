"""One loopback HTTP server that plays every provider Saldo talks to, and the Demo Bank.

Written from the providers' documents on its own (it shares no code with desktop_app.core),
so that a misreading on either side shows up as a failing test instead of hiding. The wire
shapes, paths and rules are listed in the package docstring (``saldo_sandbox``); requests are
dispatched by the table in ``routes.py`` to one module per provider.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from desktop_app.demo_bank.loopback import LoopbackHandler, LoopbackServer
from saldo_sandbox.exchange import Answered, Exchange
from saldo_sandbox.routes import find
from saldo_sandbox.state import SandboxState

log = logging.getLogger(__name__)


class SandboxHandler(LoopbackHandler):
    server: SandboxServer
    max_body = 16 * 1024 * 1024

    def serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        x = Exchange(self, method, path, query, b"")  # one per request: its faults end with it
        try:
            body = self.read_body()
            if body is None:
                x.json(400, {"error": "invalid_request", "error_description": "bad Content-Length"})
                return
            x.body = body
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

    def do_DELETE(self) -> None:  # Enable Banking closes a session with DELETE /sessions/{id}
        self.serve("DELETE")


class SandboxServer(LoopbackServer):
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState) -> None:
        self.state = state
        super().__init__(address, SandboxHandler)
