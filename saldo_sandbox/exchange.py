"""One request and its answer: what a route function receives.

A fresh :class:`Exchange` is made for every request, so whatever a fault decides for one answer
(cut it short, say) applies to that answer only, never to later ones on the same keep-alive
connection. Helpers that answer and must stop the route raise :class:`Answered`.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import parse_qs

from saldo_sandbox.wire import dumps_exact

if TYPE_CHECKING:
    from saldo_sandbox.state import SandboxState


class Answered(Exception):
    """Raised once the response is sent, to unwind the route."""


class Exchange:
    def __init__(
        self, handler: BaseHTTPRequestHandler, method: str, path: str, query: dict[str, str], body: bytes
    ) -> None:
        self.handler = handler
        self.method = method
        self.path = path
        self.q = query
        self.body = body
        self.params: dict[str, str] = {}  # named groups of the matched route
        self.truncate = False  # a "truncated" fault: send the real answer cut in half

    @property
    def st(self) -> SandboxState:
        return self.handler.server.state  # type: ignore[attr-defined, no-any-return]

    @property
    def url(self) -> str:
        return self.handler.server.url  # type: ignore[attr-defined, no-any-return]

    @property
    def headers(self) -> Any:
        return self.handler.headers

    def send(
        self, status: int, body: bytes, ctype: str = "application/json", headers: dict[str, str] | None = None
    ) -> None:
        if self.truncate:
            body = body[: max(1, len(body) // 2)]
        h = self.handler
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)

    def json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.send(status, dumps_exact(body), "application/json; charset=utf-8", headers)

    def html(self, status: int, body: str) -> None:
        self.send(status, body.encode(), "text/html; charset=utf-8", {"Referrer-Policy": "no-referrer"})

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"", "text/plain", {"Location": location})

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def form1(self) -> dict[str, str]:
        return {k: v[0] for k, v in self.form().items()}

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> NoReturn:
        """Send JSON and stop the route."""
        self.json(status, body, headers)
        raise Answered
