"""HTTP plumbing on 127.0.0.1 shared by the Demo Bank and the development simulator.

A keep-alive handler that always reads a request's body (so a stray body cannot be taken for the
next request on the connection), a threaded server that keeps routine disconnects off stderr,
and :class:`Running`, the start-in-a-thread / stop / context-manager life cycle.
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

log = logging.getLogger(__name__)


class LoopbackHandler(BaseHTTPRequestHandler):
    """Subclasses implement `serve(method)`; HEAD is served as GET (the body is then left out)."""

    protocol_version = "HTTP/1.1"
    timeout = 10
    max_body = 64 * 1024

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self.serve("GET")

    def do_HEAD(self) -> None:
        self.serve("GET")

    def do_POST(self) -> None:
        self.serve("POST")

    def serve(self, method: str) -> None:
        raise NotImplementedError

    def read_body(self) -> bytes | None:
        """The body, whatever the method; None (and the connection marked to close) on a bad length."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= self.max_body:
            self.close_connection = True
            return None
        return self.rfile.read(length) if length else b""


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client dropping its connection is routine: no traceback on stderr.
        log.debug("connection from %s ended badly", client_address, exc_info=True)


class Running:
    """A server running on a daemon thread: ``start()`` in the subclass, then `url`, `stop()`, ``with``."""

    def __init__(self) -> None:
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None

    def _run(self, server: LoopbackServer, name: str) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
        )
        self._thread.start()

    def start(self) -> str:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running; call start() first")
        return self._server.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
