"""Wire helpers every simulated provider uses: exact JSON numbers, redirects, PKCE, paging tokens, ids."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from desktop_app.demo_bank.oauth import s256
from desktop_app.demo_bank.wire import major, money_text, parse_day
from saldo_sandbox.data import Tx
from saldo_sandbox.state import Client

__all__ = [
    "cursor",
    "dumps_exact",
    "fake_jwt",
    "major",
    "masked",
    "money_text",
    "parse_day",
    "provider_tx_id",
    "redirect_allowed",
    "s256",
    "same",
    "uncursor",
]

_DEC = "@@dec@@"
_DEC_RE = re.compile(r'"@@dec@@(-?[0-9]+(?:\.[0-9]+)?)"')


def _mark(o: Any) -> Any:
    if isinstance(o, Decimal):
        return f"{_DEC}{format(o, 'f')}"
    if isinstance(o, dict):
        return {k: _mark(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_mark(v) for v in o]
    return o


def dumps_exact(body: Any) -> bytes:
    """JSON where Decimals become exact JSON numbers (Aiia's and Aritma v3's wire format), never floats."""
    return _DEC_RE.sub(r"\1", json.dumps(_mark(body), ensure_ascii=False)).encode()


def redirect_allowed(client: Client, redirect: str, provider: str) -> bool:
    """Exact match, except any port on loopback and Aiia's registered wildcard paths."""
    try:
        got = urlsplit(redirect)
        got_port = got.port
    except ValueError:
        return False
    if got.fragment or not got.scheme or not got.hostname:
        return False
    for registered in client.redirects:
        want = urlsplit(registered)
        loopback = want.scheme == "http" and want.hostname in ("127.0.0.1", "localhost", "::1")
        if got.scheme != want.scheme or got.hostname != want.hostname:
            continue
        if not loopback and got_port != want.port:
            continue
        if want.path.endswith("/*"):
            if provider == "aiia" and got.path.startswith(want.path[:-1]) and not got.query:
                return True
        elif got.path == want.path and got.query == want.query:
            return True
    return False


def same(a: str, b: str) -> bool:
    """Constant-time comparison that also takes non-ASCII text."""
    return secrets.compare_digest(a.encode(), b.encode())


def cursor(offset: int) -> str:
    """An opaque paging token (clients must not compute them)."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def uncursor(token: str | None) -> int | None:
    """The offset behind a token, 0 for none, None for a token this server never issued."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not text.startswith("o:") or not text[2:].isdigit():
        return None
    return int(text[2:])


def fake_jwt(claims: dict[str, Any]) -> str:
    """An unsigned id_token-shaped value (the sandbox has no keys to sign with)."""

    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def provider_tx_id(provider: str, t: Tx, pending: bool) -> str | None:
    """The id a provider shows for a movement. Aiia gives the booked version a new id."""
    if provider == "aiia":
        return t.id if pending else f"{t.id}-B"
    if provider == "connectpay" and pending:
        return None  # pending entries carry no transactionId in the NextGenPSD2 shape
    if provider == "simplefin":  # a posted row has a new id with no link to its pending one
        return f"{t.id}-P" if pending else t.id
    return t.id


def masked(name: str) -> str:
    return name[:2] + "*" * 8 + name[-2:]
