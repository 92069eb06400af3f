"""The loopback redirect receiver (RFC 8252 §7.3, §8.3).

Bound before the browser opens, on 127.0.0.1 (and ::1 when the provider insists on
``localhost``), never on every interface. Threaded, with a per-request timeout, so a
browser's idle pre-connect sockets never block the real redirect. Only ``GET`` on the
provider's path is answered; anything else gets a 404 and the wait goes on. A request with
the wrong ``state`` gets an error page but does not end the wait either: a stray or hostile
request must not cut the person's flow short. Pages are static, echo nothing, and are sent
with ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store`` — the stdlib's own
error pages for malformed requests included.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from desktop_app.core.errors import ConsentCancelled, ConsentTimeout, OAuthError, PortInUse, StateMismatch
from desktop_app.core.oauth.flow import AuthorizationRequest, Callback, validate_callback
from desktop_app.core.oauth.profile import OAuthProfile
from desktop_app.core.resources import resource_bytes

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 5.0
MAX_LINE = 8192


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # two receivers must never share a port
    block_on_close = False

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily, receiver: LoopbackReceiver) -> None:
        self.address_family = family
        self.receiver = receiver
        # A fixed port must be usable again at once after a try (its old connections linger in
        # TIME_WAIT). SO_REUSEADDR allows that on POSIX and still refuses a second listener; on
        # Windows it would let another program share the port, so it stays off there.
        self.allow_reuse_address = receiver.profile.fixed_port is not None and os.name != "nt"
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # a browser that refuses the https receiver's certificate drops the handshake: not a bug
        log.debug("receiver: a request failed before it was read")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = REQUEST_TIMEOUT
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass  # request lines carry the code: never log them

    def do_GET(self) -> None:
        self.server.receiver._handle(self)

    def _not_found(self) -> None:
        self._page(404, "receiver/not-found.html")

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _not_found

    def version_string(self) -> str:
        return "Saldo"  # not the Python version

    def setup(self) -> None:
        super().setup()  # sets the per-request timeout on the socket
        handshake = getattr(self.request, "do_handshake", None)
        if handshake is not None:
            handshake()  # TLS (the https receiver): in this request's thread, under its timeout

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":
            # No browser speaks 0.9, and a 0.9 answer has no headers to carry the policies below.
            self.send_error(400)
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own 400/414/431/501 pages, replaced: same headers as every page, nothing echoed.

        The stdlib puts the offending request line or version into the reason phrase and the
        body (``message``/``explain``); both are dropped for the standard phrase and a static page.
        """
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # so the headers are written at all
        self._page(code, "receiver/bad-request.html", close=True)

    def _page(self, status: int, name: str, *, close: bool = False) -> None:
        body = resource_bytes(name)
        self.send_response(status)
        if close:
            self.send_header("Connection", "close")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class LoopbackReceiver:
    """Waits for one valid redirect. Use as a context manager so the port is always released."""

    def __init__(self, profile: OAuthProfile) -> None:
        self.profile = profile
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._result: Callback | None = None
        self._error: OAuthError | None = None
        self._request: AuthorizationRequest | None = None
        self.rejected = 0
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> str:
        """Bind and serve; returns the redirect URI to register in the authorization request."""
        host = self.profile.redirect_host
        targets = [("127.0.0.1", socket.AF_INET)]
        if host == "localhost":
            targets.append(("::1", socket.AF_INET6))
        port = self.profile.fixed_port or 0
        for address, family in targets:
            try:
                server = _Server((address, port), family, self)
            except OSError as exc:
                self.close()
                if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                    raise PortInUse(
                        f"Port {port} on this computer is in use by another program, and "
                        f"{self.profile.provider} only accepts that port. Close the other program and try again.",
                        "port_in_use",
                    ) from None
                if family == socket.AF_INET6:
                    continue  # no IPv6 loopback here: IPv4 alone will do
                raise
            port = server.server_address[1]
            self._secure(server)
            self._servers.append(server)
        self.port = port
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="saldo-receiver", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        shown = "[::1]" if host == "::1" else host
        return f"{self.scheme}://{shown}:{port}{self.profile.redirect_path}"

    scheme = "http"

    def _secure(self, server: _Server) -> None:
        """Where the https receiver puts TLS on the listening socket; plain http does nothing."""

    def expect(self, request: AuthorizationRequest) -> None:
        """Tell the receiver which authorization to accept answers for."""
        self._request = request

    def wait(self, timeout: float) -> Callback:
        """Block until a valid redirect, an error from the provider, cancel or timeout."""
        if not self._done.wait(timeout):
            raise ConsentTimeout(
                f"No answer from {self.profile.provider} in time ({_duration(timeout)}). "
                "Try again, or paste the address the browser ended on.",
                "timeout",
            )
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def deliver(self, callback: Callback) -> None:
        """Complete the wait from elsewhere (a pasted redirect that passed validation)."""
        with self._lock:
            if not self._done.is_set():
                self._result = callback
                self._done.set()

    def cancel(self) -> None:
        with self._lock:
            if not self._done.is_set():
                self._error = ConsentCancelled("Cancelled.", "cancelled")
                self._done.set()

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests --------------------------------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        if parts.path != self.profile.redirect_path or self._request is None:
            handler._not_found()
            return
        if self._done.is_set():
            handler._page(200, "receiver/done.html")
            return
        try:
            callback = validate_callback(self._request, parts.query)
        except StateMismatch:
            self.rejected += 1
            handler._page(400, "receiver/mismatch.html")
            return
        except OAuthError as exc:
            with self._lock:
                if not self._done.is_set():
                    self._error = exc
                    self._done.set()
            handler._page(200, "receiver/declined.html")
            return
        self.deliver(callback)
        handler._page(200, "receiver/success.html")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{round(seconds)} seconds"
    return f"{round(seconds / 60)} minutes"
