"""The Demo Bank's live state behind one lock, and the request/response values its routes use.

A route is a plain function ``(bank, request) -> Response``: it never touches the socket, so the
HTTP plumbing (``server.py``) stays in one place.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from desktop_app.demo_bank.ledger import PENDING_DAYS, Account, Ledger, generate
from desktop_app.demo_bank.state import STATE_FILE, DemoState

NAME = "Demo Bank"
CLIENT_ID = "demo-client"  # a public client: no secret
YEARS_BACK = 3
# The ledger runs this far past the day the Demo Bank was first opened, so new movements keep
# appearing (and card payments keep pending for a few days) as the real days go by.
DAYS_AHEAD = 2 * 365


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, list[str]]
    headers: Any  # email.message.Message: case-insensitive .get()
    params: dict[str, str] = field(default_factory=dict)  # named parts of the matched path

    def field(self, name: str) -> str:
        return (self.form.get(name) or [""])[0]


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(body, ensure_ascii=False).encode(), headers=headers or {})


def html_response(status: int, text: str) -> Response:
    return Response(status, text.encode(), "text/html; charset=utf-8", {"Referrer-Policy": "no-referrer"})


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", "text/plain", {"Location": location})


def redirect_back(uri: str, params: dict[str, str], state: str | None) -> Response:
    """Send the browser back to the client; `state` is echoed exactly when one was sent."""
    if state is not None:
        params = {**params, "state": state}
    sep = "&" if urlsplit(uri).query else "?"
    return redirect(f"{uri}{sep}{urlencode(params)}")


@dataclass
class Grant:
    """An authorization request on its way through the consent page to a code."""

    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    challenge: str
    created: float
    accounts: tuple[str, ...] = ()


class Bank:
    """Everything the Demo Bank knows. Consents and tokens persist (``state``); codes and open
    consent requests live only in memory, as they last minutes."""

    def __init__(self, data_dir: Path, seed: int, transactions: int, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.state = DemoState.load(data_dir / STATE_FILE, seed, transactions, self.today())
        anchor = self.state.anchor
        self.ledger: Ledger = generate(
            "demo",
            self.state.seed,
            self.state.transactions * (YEARS_BACK * 365 + DAYS_AHEAD) // (YEARS_BACK * 365),
            anchor + timedelta(days=DAYS_AHEAD),
            years=YEARS_BACK + DAYS_AHEAD // 365,
            pending_from=anchor - timedelta(days=PENDING_DAYS - 1),
        )
        self.codes: dict[str, tuple[Grant, float]] = {}
        self.requests: dict[str, Grant] = {}
        self.url = ""  # set once the server is bound

    def now(self) -> float:
        return self.clock()

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock(), UTC).date()

    def accounts(self, ids: tuple[str, ...] | None = None) -> list[Account]:
        return [a for a in self.ledger.accounts if ids is None or a.id in ids]
