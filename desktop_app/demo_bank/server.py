"""The Demo Bank's HTTP server on 127.0.0.1: a small route table over the OAuth and data routes.

:class:`DemoBank` is the public face: ``start()`` binds an ephemeral loopback port (or the one
given) and returns the base URL, ``stop()`` shuts it down; it is also a context manager.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from desktop_app.demo_bank import oauth
from desktop_app.demo_bank.bank import Bank, Request, Response, json_response
from desktop_app.demo_bank.loopback import LoopbackHandler, LoopbackServer, Running
from desktop_app.demo_bank.wire import account_json, error, transactions_page

log = logging.getLogger(__name__)


def _consent_of(bank: Bank, req: Request) -> tuple[str, ...] | None:
    """The accounts the bearer token may read, or None when the token is unknown, expired or revoked."""
    auth = req.headers.get("Authorization", "")
    presented = auth[7:] if auth[:7].lower() == "bearer " else ""
    with bank.lock:
        consent = bank.state.by_access(presented, bank.now()) if presented else None
    return None if consent is None else consent.accounts


def _unauthorized() -> Response:
    return json_response(401, error("invalid_token", "The access token is invalid or revoked."))


def accounts(bank: Bank, req: Request) -> Response:
    shared = _consent_of(bank, req)
    if shared is None:
        return _unauthorized()
    today, now = bank.today(), bank.now()
    return json_response(200, {"accounts": [account_json(bank.ledger, a, today, now) for a in bank.accounts(shared)]})


def transactions(bank: Bank, req: Request) -> Response:
    shared = _consent_of(bank, req)
    if shared is None:
        return _unauthorized()
    account_id = unquote(req.params["account"])
    if account_id not in shared:
        return json_response(404, error("not_found", "Unknown account."))
    status, body = transactions_page(bank.ledger, account_id, bank.today(), req.query)
    return json_response(status, body)


Route = tuple[str, re.Pattern[str], Callable[[Bank, Request], Response]]
ROUTES: tuple[Route, ...] = (
    ("GET", re.compile(r"/demo/oauth/authorize"), oauth.authorize),
    ("GET", re.compile(r"/demo/consent"), oauth.consent_form),
    ("POST", re.compile(r"/demo/consent"), oauth.consent_answer),
    ("POST", re.compile(r"/demo/oauth/token"), oauth.token),
    ("POST", re.compile(r"/demo/oauth/revoke"), oauth.revoke),
    ("GET", re.compile(r"/demo/api/accounts"), accounts),
    ("GET", re.compile(r"/demo/api/accounts/(?P<account>[^/]+)/transactions"), transactions),
)


def dispatch(bank: Bank, req: Request) -> Response:
    for method, pattern, route in ROUTES:
        found = pattern.fullmatch(req.path)
        if found and method == req.method:
            req.params = found.groupdict()
            return route(bank, req)
    return json_response(404, error("not_found", "No such endpoint."))


class _Handler(LoopbackHandler):
    server: _Server

    def serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        raw = self.read_body()
        if raw is None:
            return self._send(json_response(400, error("invalid_request", "Bad Content-Length.")))
        req = Request(
            method,
            parts.path,
            {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True) if method == "POST" else {},
            self.headers,
        )
        try:
            answer = dispatch(self.server.bank, req)
        except Exception:
            log.exception("Demo Bank: %s %s failed", method, parts.path)
            answer = json_response(500, error("server_error", "The Demo Bank failed; see its log."))
        self._send(answer)

    def _send(self, answer: Response) -> None:
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Cache-Control", "no-store")
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(LoopbackServer):
    def __init__(self, address: tuple[str, int], bank: Bank) -> None:
        self.bank = bank
        super().__init__(address, _Handler)


class DemoBank(Running):
    """The Demo Bank on 127.0.0.1, its state kept in `data_dir` (``demo-bank.json``).

    `seed` and `transactions` shape the ledger the first time only; afterwards the saved state
    decides, so a restart serves the same ledger and honours the tokens already issued. `clock`
    (epoch seconds, default ``time.time``) is for tests. Raises :class:`DemoBankError` on
    ``start()`` when the state file cannot be used.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        seed: int = 2026,
        transactions: int = 3000,
        port: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self._seed, self._transactions, self._port = seed, transactions, port
        self._clock = clock or time.time

    def start(self) -> str:
        if self._server is None:
            bank = Bank(self.data_dir, self._seed, self._transactions, self._clock)
            server = _Server(("127.0.0.1", self._port), bank)
            bank.url = server.url
            self._run(server, "saldo-demo-bank")
        return self.url
