"""One loopback HTTP server that plays every provider Saldo talks to, and the Demo Bank.

Written from the providers' documents on its own (it shares no code with desktop_app.core),
so that a misreading on either side shows up as a failing test instead of hiding. The wire
shapes, paths and rules are listed in the package docstring (``desktop_app.sandbox``); this
module holds the state (:class:`SandboxState`), the request handler and the server.

Everything the simulator knows sits behind one lock; handlers run on daemon threads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import logging
import random
import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any, NoReturn
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from desktop_app.sandbox.data import CURRENCY_DECIMALS, CUSTOMERS, Account, Ledger, Tx, View, generate

log = logging.getLogger(__name__)

PROVIDERS = ("demo", "aiia", "aritma", "connectpay", "tatrabanka")
NAMES = {
    "demo": "Demo Bank",
    "aiia": "Aiia",
    "aritma": "Aritma",
    "connectpay": "ConnectPay",
    "tatrabanka": "Tatra banka",
}
CODE_LIFETIME = 60  # seconds; every provider's codes are single-use
CONSENT_REQUEST_LIFETIME = 15 * 60  # how long a consent page stays answerable
ONE_TIME_LIFETIME = 24 * 3600  # Aiia one-time connections: data gone after a day
ACCESS_LIFETIME = {"demo": 3600, "aiia": 3600, "aritma": 86400, "connectpay": 3600, "tatrabanka": 90 * 86400}
REFRESH_LIFETIME = {"connectpay": 30 * 86400}  # documented only for ConnectPay
FAULT_KINDS = ("500", "503", "429", "reset", "truncated", "slow")
CONNECTPAY_FLOW = "GetPSD2AuthCode"
MAX_DEMO_PAGE = 1000
AIIA_TOKEN_TYPE = "bearer"  # noqa: S105 (lower case, as in Aiia's example response)
PSD2_SCOPES = frozenset({"psd2-ais", "psd2-pis"})
TENANT_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Client:
    """A registered test client. ``client_secret`` is None for the Demo Bank's public client."""

    client_id: str
    client_secret: str | None
    redirects: tuple[str, ...]


def registered_clients() -> dict[str, Client]:
    """The test clients every provider knows.

    Loopback redirects (127.0.0.1, [::1], localhost over http) accept any port, so a real
    loopback receiver on an ephemeral port works. Aiia also has wildcard paths registered.
    """
    clients = {}
    for p in PROVIDERS:
        redirects = tuple(f"http://{host}/callback/{p}" for host in ("127.0.0.1", "[::1]", "localhost"))
        if p == "aiia":
            redirects += ("http://127.0.0.1/aiia/*", "http://localhost/aiia/*")
        clients[p] = Client(f"{p}-client", None if p == "demo" else f"{p}-secret", redirects)
    return clients


@dataclass
class Grant:
    """An authorization request on its way through consent to a code."""

    provider: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    challenge: str | None
    accounts: tuple[str, ...] = ()
    customer: str = "c1"
    nonce: str | None = None
    one_time: bool = False
    group: str | None = None
    consent_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: float = 0.0


@dataclass
class Consent:
    """What a person approved; every token minted from one code points at it."""

    provider: str
    accounts: tuple[str, ...]
    scopes: tuple[str, ...]
    one_time: bool
    granted_at: float
    consent_id: str
    customer: str = "c1"
    revoked: bool = False
    expired: bool = False

    def gone(self, now: float) -> bool:
        return self.revoked or self.expired or (self.one_time and now - self.granted_at > ONE_TIME_LIFETIME)

    def describe(self) -> dict[str, Any]:
        return {
            "consent_id": self.consent_id,
            "provider": self.provider,
            "customer": self.customer,
            "accounts": list(self.accounts),
            "scopes": list(self.scopes),
            "one_time": self.one_time,
            "revoked": self.revoked,
            "expired": self.expired,
        }


@dataclass
class Faults:
    """Misbehaviour of the data APIs (and, if asked, the token endpoints)."""

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    latency_ms: int = 0
    queue: list[str] = field(default_factory=list)  # forced faults for the next calls, in order
    retry_after: int = 0
    slow_ms: int = 50
    where: tuple[str, ...] = ("api",)

    def describe(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "latency_ms": self.latency_ms,
            "queue": list(self.queue),
            "retry_after": self.retry_after,
            "slow_ms": self.slow_ms,
            "where": list(self.where),
        }


class SandboxState:
    """Everything the simulator knows, behind one lock.

    `clock` gives the wall time in epoch seconds (default ``time.time``); the sandbox clock is
    that plus an offset the admin can advance. Ledgers end on the clock's day at start and are
    generated on first use.
    """

    def __init__(
        self,
        seed: int,
        transactions: int,
        auto_approve: bool,
        fail_rate: float,
        latency_ms: int,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.transactions = transactions
        self.clock = clock or time.time
        self.offset = 0.0
        self.start_day = self.today()
        self._ledgers: dict[str, Ledger] = {}
        self.clients = registered_clients()
        self.auto_approve = auto_approve
        self.faults = Faults(rate=fail_rate, latency_ms=latency_ms)
        self.rng = random.Random(seed)
        self.pending_requests: dict[str, Grant] = {}
        self.codes: dict[str, tuple[Grant, float]] = {}
        self.used_codes: set[str] = set()
        self.used_nonces: set[str] = set()
        self.access: dict[str, tuple[Consent, float]] = {}
        self.refresh: dict[str, tuple[Consent, float | None]] = {}
        self.consents: dict[str, Consent] = {}
        self.force_tricky_codes = True  # Aiia's codes carry + / = %

    def now(self) -> float:
        return self.clock() + self.offset

    def today(self) -> date:
        return datetime.fromtimestamp(self.now(), UTC).date()

    def stamp(self) -> str:
        return datetime.fromtimestamp(self.now(), UTC).isoformat().replace("+00:00", "Z")

    def ledger(self, provider: str) -> Ledger:
        with self.lock:
            found = self._ledgers.get(provider)
            if found is None:
                size = self.transactions if provider == "demo" else max(self.transactions // 5, 1)
                found = self._ledgers[provider] = generate(provider, self.seed, size, self.start_day)
            return found

    def accounts(self, provider: str, customer: str | None = None) -> list[Account]:
        return [a for a in self.ledger(provider).accounts if customer is None or a.customer == customer]

    # -- admin actions ----------------------------------------------------------------------

    def _matching(self, provider: str | None, consent_id: str | None) -> list[Consent]:
        return [
            c
            for c in self.consents.values()
            if (provider is None or c.provider == provider) and (consent_id is None or c.consent_id == consent_id)
        ]

    def revoke(self, provider: str | None = None, consent_id: str | None = None) -> int:
        with self.lock:
            found = self._matching(provider, consent_id)
            for c in found:
                c.revoked = True
            return len(found)

    def expire(self, provider: str | None = None, consent_id: str | None = None) -> int:
        with self.lock:
            found = self._matching(provider, consent_id)
            for c in found:
                c.expired = True
            return len(found)

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.offset += seconds

    def add_transaction(
        self,
        provider: str,
        amount: str,
        account: str | None = None,
        description: str = "Added in the sandbox",
        counterparty: str = "Sandbox",
        pending: bool = False,
        day: date | None = None,
        customer: str | None = None,
    ) -> Tx:
        ledger = self.ledger(provider)
        with self.lock:
            candidates = [a for a in ledger.accounts if customer is None or a.customer == customer]
            target = next((a for a in candidates if a.id == account or a.iban == account), None) if account else None
            if target is None:
                if account:
                    raise ValueError(f"no account {account!r} at {provider}")
                target = candidates[0]
            when = day or self.today()
            minor = Decimal(amount).scaleb(CURRENCY_DECIMALS[target.currency])
            if minor != minor.to_integral_value():
                raise ValueError(f"{amount} has more decimals than {target.currency} allows")
            return ledger.add(
                target.id, when, int(minor), description, counterparty, when + timedelta(days=1) if pending else None
            )


# -- helpers ---------------------------------------------------------------------------------


def money_text(value: Decimal) -> str:
    """A decimal string as Berlin Group sends it: dot, leading minus, no exponent."""
    return format(value, "f")


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


def _same(a: str, b: str) -> bool:
    """Constant-time comparison that also takes non-ASCII text."""
    return secrets.compare_digest(a.encode(), b.encode())


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _major(minor: int, account: Account) -> Decimal:
    return Decimal(minor).scaleb(-CURRENCY_DECIMALS[account.currency])


def _parse_day(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _cursor(offset: int) -> str:
    """An opaque paging token (clients must not compute them)."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _uncursor(token: str | None) -> int | None:
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


def _fake_jwt(claims: dict[str, Any]) -> str:
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
    return t.id


def _masked(name: str) -> str:
    return name[:2] + "*" * 8 + name[-2:]


class _Answered(Exception):
    """Raised inside a handler once the response is sent, to unwind."""


class SandboxHandler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    timeout = 10
    _truncate = False

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    # -- plumbing ------------------------------------------------------------------------

    @property
    def st(self) -> SandboxState:
        return self.server.state

    def _send(
        self, status: int, body: bytes, ctype: str = "application/json", headers: dict[str, str] | None = None
    ) -> None:
        if self._truncate:
            body = body[: max(1, len(body) // 2)]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, dumps_exact(body), "application/json; charset=utf-8", headers)

    def _html(self, status: int, body: str) -> None:
        self._send(status, body.encode(), "text/html; charset=utf-8", {"Referrer-Policy": "no-referrer"})

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(status, b"", "text/plain", {"Location": location})

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    @staticmethod
    def _form(raw: bytes) -> dict[str, list[str]]:
        return parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)

    @classmethod
    def _form1(cls, raw: bytes) -> dict[str, str]:
        return {k: v[0] for k, v in cls._form(raw).items()}

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
        try:
            body = self._body() if method == "POST" else b""
            if path.startswith("/_admin/"):
                self._admin(method, path[len("/_admin/") :], query, body)
                return
            prefix, _, rest = path.lstrip("/").partition("/")
            if prefix not in PROVIDERS:
                self._json(404, {"error": "not_found", "error_description": f"nothing at {path}"})
                return
            rest = "/" + rest
            if rest == "/consent":
                self._consent(prefix, method, query, body)
                return
            handler: Callable[[str, str, dict[str, str], bytes], None] = getattr(self, f"_{prefix}")
            handler(method, rest, query, body)
        except _Answered:
            pass
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            log.exception("sandbox: %s %s failed", method, path)
            self._truncate = False
            self._json(500, {"error": "server_error", "error_description": "the sandbox failed; see its log"})

    # -- faults ----------------------------------------------------------------------------

    def _fault(self, where: str = "api") -> None:
        """Maybe misbehave. Raises _Answered when a fault has answered the request."""
        st = self.st
        faults = st.faults
        if faults.latency_ms and where == "api":
            time.sleep(faults.latency_ms / 1000)
        with st.lock:
            if where not in faults.where:
                return
            if faults.queue:
                kind = faults.queue.pop(0)
            elif faults.rate > 0 and st.rng.random() < faults.rate:
                kind = st.rng.choice(faults.kinds)
            else:
                return
        if kind in ("500", "502", "503", "504"):
            self._json(int(kind), {"error": "server_error", "error_description": "simulated outage"})
        elif kind == "429":
            self._json(
                429,
                {"error": "rate_limited", "error_description": "too many requests"},
                {"Retry-After": str(faults.retry_after)},
            )
        elif kind == "reset":
            # SO_LINGER with a zero timeout makes close() send a RST instead of a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.close()
        elif kind == "truncated":
            self._truncate = True  # the real answer, cut in half
            return
        elif kind == "slow":
            time.sleep(faults.slow_ms / 1000)
            return
        raise _Answered

    # -- OAuth, shared ------------------------------------------------------------------

    def _start_authorize(self, provider: str, q: dict[str, str], redirect_param: str = "redirect_uri") -> Grant:
        """Validate the parts that decide where errors may go, then the rest (errors go back).

        An unknown client or unregistered redirect is shown to the person, never redirected to.
        """
        st = self.st
        client = st.clients[provider]
        redirect = q.get(redirect_param, "")
        if q.get("client_id") != client.client_id:
            self._auth_error_page(provider, 400, "invalid_client", "unknown client_id")
        if not redirect_allowed(client, redirect, provider):
            self._auth_error_page(provider, 400, "invalid_request", f"{redirect_param} is not registered")
        state = q.get("state")
        if q.get("response_type") != "code":
            self._redirect_back(redirect, {"error": "unsupported_response_type"}, state)
        challenge = q.get("code_challenge")
        if challenge and q.get("code_challenge_method", "plain") != "S256":
            self._redirect_back(
                redirect, {"error": "invalid_request", "error_description": "code_challenge_method must be S256"}, state
            )
        scopes = tuple(q.get("scope", "").split())
        return Grant(
            provider, client.client_id, redirect, scopes, state, challenge, nonce=q.get("nonce"), created=st.now()
        )

    def _auth_error_page(self, provider: str, status: int, error: str, description: str) -> NoReturn:
        if provider == "connectpay":
            self._json(status, {"error": error, "error_description": description})
        else:
            self._html(
                status,
                f"<!doctype html><title>{html.escape(NAMES[provider])}</title>"
                f"<h1>{html.escape(error)}</h1><p>{html.escape(description)}</p>",
            )
        raise _Answered

    def _redirect_back(self, redirect: str, params: dict[str, str], state: str | None, status: int = 302) -> NoReturn:
        """Send the browser back to the client; `state` is echoed exactly when one was sent."""
        if state is not None:
            params = {**params, "state": state}
        sep = "&" if urlsplit(redirect).query else "?"
        self._redirect(f"{redirect}{sep}{urlencode(params)}", status)
        raise _Answered

    def _to_consent(self, grant: Grant, status: int = 302) -> NoReturn:
        st = self.st
        if st.auto_approve:
            grant.accounts = tuple(a.id for a in st.accounts(grant.provider, grant.customer))
            self._issue_code(grant, status)
        request_id = secrets.token_urlsafe(16)
        with st.lock:
            st.pending_requests[request_id] = grant
        self._redirect(f"{self.server.url}/{grant.provider}/consent?{urlencode({'request_id': request_id})}", status)
        raise _Answered

    def _issue_code(self, grant: Grant, status: int = 302) -> NoReturn:
        st = self.st
        code = secrets.token_urlsafe(24)
        if grant.provider == "aiia" and st.force_tricky_codes:
            code = f"{code[:8]}+{code[8:12]}/{code[12:16]}=={code[16:]}%"  # Aiia codes are not URL safe
        with st.lock:
            st.codes[code] = (grant, st.now())
        params = {"code": code}
        if grant.provider == "aiia":
            params["consentId"] = grant.consent_id
        if grant.provider == "connectpay":
            params["flowId"] = CONNECTPAY_FLOW
        self._redirect_back(grant.redirect_uri, params, grant.state, status)

    def _deny(self, grant: Grant, description: str) -> NoReturn:
        params = {"error": "access_denied", "error_description": description}
        if grant.provider == "connectpay":
            params["flowId"] = CONNECTPAY_FLOW
        self._redirect_back(grant.redirect_uri, params, grant.state)

    def _consent(self, provider: str, method: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if method == "GET":
            request_id = q.get("request_id", "")
            with st.lock:
                grant = st.pending_requests.get(request_id)
            if grant is None or grant.provider != provider or st.now() - grant.created > CONSENT_REQUEST_LIFETIME:
                return self._html(404, "<!doctype html><title>Expired</title><p>This consent request has expired.</p>")
            return self._html(200, self._consent_page(provider, request_id, grant))
        form = self._form(body)
        request_id = (form.get("request_id") or [""])[0]
        with st.lock:
            grant = st.pending_requests.pop(request_id, None)
        if grant is None or grant.provider != provider or st.now() - grant.created > CONSENT_REQUEST_LIFETIME:
            return self._html(400, "<!doctype html><title>Unknown</title><p>Unknown or used consent request.</p>")
        decision = (form.get("decision") or ["deny"])[0]
        if decision != "approve":
            self._deny(grant, "The person declined access.")
        if provider == "connectpay":
            customer = (form.get("customer") or ["c1"])[0]
            if customer not in CUSTOMERS:
                self._deny(grant, "Unknown customer.")
            grant.customer = customer
            grant.scopes = tuple(s for s in grant.scopes if s in form.get("scope", []))
            if not grant.scopes:
                self._deny(grant, "Every permission was denied.")
        offered = {a.id for a in st.accounts(provider, grant.customer)}
        chosen = tuple(dict.fromkeys(a for a in form.get("account", []) if a in offered))
        if not chosen:
            self._deny(grant, "No account was shared.")
        grant.accounts = chosen
        self._issue_code(grant)

    def _consent_page(self, provider: str, request_id: str, grant: Grant) -> str:
        template = (files("desktop_app.resources") / "sandbox" / "consent.html").read_text(encoding="utf-8")
        st = self.st
        many_customers = provider == "connectpay"
        accounts = "\n".join(
            f'<label><input type="checkbox" name="account" value="{html.escape(a.id)}" checked> '
            f"{html.escape(a.name)} <small>{html.escape(a.iban)} · {a.currency}"
            + (f" · {html.escape(a.owner)}" if many_customers else "")
            + "</small></label>"
            for a in st.accounts(provider)
        )
        extra = ""
        if many_customers:
            extra = (
                '<fieldset><legend>Customer</legend><p class="hint">Access is granted for one customer; '
                "only its accounts are shared.</p>"
                + "".join(
                    f'<label><input type="radio" name="customer" value="{key}"{" checked" if key == "c1" else ""}> '
                    f"{html.escape(label)}</label>"
                    for key, label in CUSTOMERS.items()
                )
                + "</fieldset><fieldset><legend>Permissions</legend>"
                + "".join(
                    f'<label><input type="checkbox" name="scope" value="{html.escape(s)}" checked> '
                    f"{html.escape(s)}</label>"
                    for s in grant.scopes
                )
                + "</fieldset>"
            )
        note = " This is a one-time connection: the data is deleted after 24 hours." if grant.one_time else ""
        return (
            template.replace("{{provider}}", html.escape(NAMES[provider]))
            .replace("{{request_id}}", html.escape(request_id))
            .replace("{{accounts}}", accounts)
            .replace("{{extra}}", extra)
            .replace("{{note}}", html.escape(note))
            .replace("{{action}}", f"/{provider}/consent")
        )

    def _basic_client(self, provider: str) -> bool:
        client = self.st.clients[provider]
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return False
        try:
            cid, _, secret = base64.b64decode(auth[6:], validate=True).decode().partition(":")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return False
        return _same(unquote(cid), client.client_id) and _same(unquote(secret), client.client_secret or "")

    def _redeem(
        self, provider: str, code: str, redirect: str | None, verifier: str | None, check_redirect: bool
    ) -> Grant:
        """The grant behind a code. Codes are single-use and live 60 s; PKCE is checked when used.

        Raises _Answered with the provider's error when the code cannot be redeemed.
        """
        st = self.st
        with st.lock:
            found = st.codes.pop(code, None)
            if found is not None:
                st.used_codes.add(code)
        if found is None:
            self._grant_error(provider, "invalid_grant", "The code is unknown, used or expired.")
        grant, issued = found
        if grant.provider != provider or st.now() - issued > CODE_LIFETIME:
            self._grant_error(provider, "invalid_grant", "The code is unknown, used or expired.")
        if check_redirect and redirect != grant.redirect_uri:
            self._grant_error(provider, "invalid_grant", "redirect_uri does not match the authorization request.")
        if grant.challenge and (not verifier or not _same(s256(verifier), grant.challenge)):
            self._grant_error(provider, "invalid_grant", "PKCE verification failed.")
        return grant

    def _grant_error(self, provider: str, error: str, description: str, status: int = 400) -> NoReturn:
        if provider == "aiia":
            self._json(status, {"error": error, "errorMessage": description})
        else:
            self._json(status, {"error": error, "error_description": description})
        raise _Answered

    def _mint(self, source: Grant | Consent, refresh: bool) -> dict[str, Any]:
        """New tokens for a fresh consent (from a code) or an existing one (from a refresh)."""
        st = self.st
        with st.lock:
            if isinstance(source, Grant):
                g = source
                consent = Consent(
                    g.provider, g.accounts, g.scopes, g.one_time, st.now(), g.consent_id, customer=g.customer
                )
                st.consents[consent.consent_id] = consent
            else:
                consent = source
            uuids = consent.provider == "connectpay"
            access = str(uuid.uuid4()) if uuids else secrets.token_urlsafe(32)
            lifetime = ACCESS_LIFETIME[consent.provider]
            st.access[access] = (consent, st.now() + lifetime)
            body: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": lifetime}
            if refresh:
                token = str(uuid.uuid4()) if uuids else secrets.token_urlsafe(32)
                limit = REFRESH_LIFETIME.get(consent.provider)
                st.refresh[token] = (consent, st.now() + limit if limit else None)
                body["refresh_token"] = token
            body["scope"] = " ".join(consent.scopes)
        return body

    def _use_refresh(self, provider: str, token: str) -> Consent:
        """The consent behind a refresh token, which is used up (every provider here rotates)."""
        st = self.st
        with st.lock:
            found = st.refresh.pop(token, None)
        if found is None:
            self._grant_error(provider, "invalid_grant", "The refresh token is unknown or already used.")
        consent, until = found
        if consent.provider != provider or consent.gone(st.now()) or (until is not None and st.now() > until):
            self._grant_error(provider, "invalid_grant", "The refresh token is expired or revoked.")
        return consent

    def _bearer(self, provider: str) -> Consent | None:
        st = self.st
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth[:7].lower() == "bearer " else ""
        with st.lock:
            found = st.access.get(token)
        if found is None:
            return None
        consent, expires = found
        if consent.provider != provider or consent.gone(st.now()) or st.now() > expires:
            return None
        return consent

    def _granted(self, provider: str, consent: Consent) -> list[Account]:
        return [a for a in self.st.ledger(provider).accounts if a.id in consent.accounts]

    # -- Demo Bank -----------------------------------------------------------------------

    def _demo(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if method == "GET" and path == "/oauth/authorize":
            grant = self._start_authorize("demo", q)
            if not grant.challenge:
                self._redirect_back(
                    grant.redirect_uri,
                    {"error": "invalid_request", "error_description": "PKCE (S256) is required"},
                    grant.state,
                )
            grant.scopes = grant.scopes or ("accounts",)
            self._to_consent(grant)
        if method == "POST" and path == "/oauth/token":
            form = self._form1(body)
            if form.get("client_id") != st.clients["demo"].client_id:
                self._grant_error("demo", "invalid_client", "Unknown client_id.", 401)
            self._fault("token")
            if form.get("grant_type") == "authorization_code":
                grant = self._redeem(
                    "demo", form.get("code", ""), form.get("redirect_uri"), form.get("code_verifier"), True
                )
                return self._json(200, self._mint(grant, refresh=True))
            if form.get("grant_type") == "refresh_token":
                renewed = self._use_refresh("demo", form.get("refresh_token", ""))
                return self._json(200, self._mint(renewed, refresh=True))
            self._grant_error("demo", "unsupported_grant_type", "Use authorization_code or refresh_token.")
        if method == "POST" and path == "/oauth/revoke":
            token = self._form1(body).get("token", "")
            with st.lock:
                found = st.refresh.get(token) or st.access.get(token)
                if found is not None:
                    found[0].revoked = True
            return self._json(200, {})  # RFC 7009: unknown tokens are not an error
        if not path.startswith("/api/"):
            return self._json(404, {"error": "not_found", "message": "No such endpoint."})
        consent = self._bearer("demo")
        if consent is None:
            return self._json(401, {"error": "invalid_token", "message": "The access token is invalid or revoked."})
        self._fault()
        today = st.today()
        ledger = st.ledger("demo")
        parts = path.split("/")
        if path == "/api/accounts":
            return self._json(
                200, {"accounts": [self._demo_account(ledger, a, today) for a in self._granted("demo", consent)]}
            )
        if len(parts) == 5 and parts[2] == "accounts" and parts[4] == "transactions":
            account_id = parts[3]
            if account_id not in consent.accounts:
                return self._json(404, {"error": "not_found", "message": "Unknown account."})
            try:
                start = int(q.get("cursor") or 0)
                limit = int(q.get("limit") or 100)
            except ValueError:
                return self._json(400, {"error": "invalid_request", "message": "cursor and limit are numbers."})
            if start < 0:
                return self._json(400, {"error": "invalid_request", "message": "cursor must not be negative."})
            limit = min(max(limit, 1), MAX_DEMO_PAGE)  # a larger page is served at the largest size
            view = ledger.view(account_id, today, _parse_day(q.get("from")), _parse_day(q.get("to")))
            nxt = str(start + limit) if start + limit < len(view) else None
            return self._json(
                200,
                {"transactions": [self._demo_tx(t, today) for t in view.page(start, limit)], "nextCursor": nxt},
            )
        return self._json(404, {"error": "not_found", "message": "No such endpoint."})

    def _demo_account(self, ledger: Ledger, a: Account, today: date) -> dict[str, Any]:
        return {
            "id": a.id,
            "name": a.name,
            "iban": a.iban,
            "currency": a.currency,
            "owner": a.owner,
            "balances": {
                "booked": money_text(_major(ledger.balance(a.id, today), a)),
                "available": money_text(_major(ledger.balance(a.id, today, True), a)),
                "asOf": datetime.fromtimestamp(self.st.now(), UTC).isoformat(),
            },
        }

    @staticmethod
    def _demo_tx(t: Tx, today: date) -> dict[str, Any]:
        pending = t.pending_at(today)
        return {
            "id": t.id,
            "status": "pending" if pending else "booked",
            "bookingDate": t.day.isoformat(),
            "valueDate": (t.books_on or t.day).isoformat(),
            "amount": money_text(t.amount()),
            "currency": t.currency,
            "description": t.description,
            "counterparty": t.counterparty,
            "category": t.kind,
        }

    # -- Aiia ----------------------------------------------------------------------------

    def _aiia(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if method == "GET" and path in ("/v1/oauth/connect", "/v1/oauth/connect/"):
            q.setdefault("scope", "accounts offline_access")  # the documented default
            grant = self._start_authorize("aiia", q)
            if set(grant.scopes) - {"accounts", "offline_access"} or "accounts" not in grant.scopes:
                self._redirect_back(grant.redirect_uri, {"error": "invalid_scope"}, grant.state)
            grant.one_time = "offline_access" not in grant.scopes
            grant.group = q.get("accountsGroupId") or q.get("accountsGroupName")
            self._to_consent(grant, 301 if grant.one_time else 302)
        if method == "POST" and path == "/v1/oauth/token":
            if not self._basic_client("aiia"):
                return self._json(401, {"error": "invalid_client", "errorMessage": "Client authentication failed"})
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self._json(415, {"error": "invalid_request", "errorMessage": "A JSON body is expected"})
            try:
                data = json.loads(body)
            except ValueError:
                return self._json(400, {"error": "invalid_request", "errorMessage": "Malformed JSON"})
            if not isinstance(data, dict):
                return self._json(400, {"error": "invalid_request", "errorMessage": "A JSON object is expected"})
            self._fault("token")
            if data.get("grant_type") == "authorization_code":
                redirect = data.get("redirect_uri")
                grant = self._redeem(
                    "aiia", str(data.get("code", "")), redirect if isinstance(redirect, str) else None, None, True
                )
                tokens = self._mint(grant, refresh=not grant.one_time)
                tokens.update(token_type=AIIA_TOKEN_TYPE, redirect_uri=grant.redirect_uri, consentId=grant.consent_id)
                return self._json(200, tokens)
            if data.get("grant_type") == "refresh_token":
                renewed = self._use_refresh("aiia", str(data.get("refresh_token", "")))
                tokens = self._mint(renewed, refresh=True)
                tokens.update(token_type=AIIA_TOKEN_TYPE, consentId=renewed.consent_id)
                return self._json(200, tokens)
            return self._json(400, {"error": "unsupported_grant_type", "errorMessage": "Unknown grant_type"})
        consent = self._bearer("aiia")
        if consent is None:
            return self._json(
                401, {"errorType": "Unauthorized", "errorMessage": "Access token invalid or consent gone"}
            )
        self._fault()
        today = st.today()
        ledger = st.ledger("aiia")
        parts = path.split("/")
        if path == "/v1/accounts":
            accounts = [self._aiia_account(ledger, a, today, consent) for a in self._granted("aiia", consent)]
            return self._json(200, {"accounts": accounts})
        if len(parts) >= 4 and parts[:3] == ["", "v1", "accounts"]:
            account_id = unquote(parts[3])
            if account_id not in consent.accounts:
                return self._json(404, {"errorType": "NotFound", "errorMessage": "Unknown account"})
            account = ledger.account(account_id)
            if len(parts) == 4:
                return self._json(200, self._aiia_account(ledger, account, today, consent))
            if len(parts) == 5 and parts[4] == "transactions":
                start = _uncursor(q.get("pagingToken"))
                if start is None:
                    return self._json(400, {"errorType": "BadRequest", "errorMessage": "Invalid pagingToken"})
                try:
                    size = int(q.get("pageSize") or 100)
                except ValueError:
                    size = 0
                if not 1 <= size <= 1000:
                    return self._json(400, {"errorType": "BadRequest", "errorMessage": "pageSize must be 1..1000"})
                view = ledger.view(account_id, today)
                return self._json(
                    200,
                    {
                        "pagingToken": _cursor(start + size) if start + size < len(view) else None,
                        "transactions": [self._aiia_tx(t, today) for t in view.page(start, size)],
                    },
                )
        return self._json(404, {"errorType": "NotFound", "errorMessage": "No such endpoint"})

    def _aiia_account(self, ledger: Ledger, a: Account, today: date, consent: Consent) -> dict[str, Any]:
        booked = _major(ledger.balance(a.id, today), a)
        available = _major(ledger.balance(a.id, today, True), a)
        return {
            "id": a.id,
            "name": a.name,
            "currency": a.currency,
            "owner": a.owner,
            "type": "Consumption",
            "accountProvider": {"id": "DK_SandboxBank", "name": "Sandbox Bank"},
            "booked": {"currency": a.currency, "value": booked},
            "bookedBalance": booked,
            "available": {"currency": a.currency, "value": available},
            "availableBalance": available,
            "number": {"iban": a.iban, "bban": a.iban[4:], "bbanType": a.iban[:2]},
            "lastSynchronized": self.st.stamp(),
            "isOrphaned": False,
            "syncStatus": "Finished",
            "groupId": None,
            "groupName": None,
        }

    @staticmethod
    def _aiia_tx(t: Tx, today: date) -> dict[str, Any]:
        pending = t.pending_at(today)
        party = {"name": t.counterparty}
        return {
            "id": provider_tx_id("aiia", t, pending),
            "accountId": t.account_id,
            "date": t.day.isoformat(),
            "text": t.description,
            "originalText": t.description,
            "transactionAmount": {"currency": t.currency, "value": t.amount()},
            "state": "Reserved" if pending else "Booked",
            "type": "Bank Transfer" if t.kind in ("transfer", "salary", "housing") else "Card",
            "detail": {"valueDate": t.day.isoformat(), ("destination" if t.minor < 0 else "source"): party},
            "isDeleted": False,
        }

    # -- Aritma --------------------------------------------------------------------------

    def _aritma(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        parts = path.split("/")
        # /{tenant}/connect/authorize and /{tenant}/connect/token (also /connect/token without a tenant)
        if (len(parts) == 4 and parts[2] == "connect" and TENANT_RE.match(parts[1])) or parts[1:2] == ["connect"]:
            endpoint = parts[-1]
            if method == "GET" and endpoint == "authorize":
                return self._aritma_authorize(q)
            if method == "POST" and endpoint == "token":
                return self._aritma_token(body)
        if not path.startswith("/api/"):
            return self._json(404, {"error": "not_found"})
        consent = self._bearer("aritma")
        if consent is None:
            return self._json(
                401,
                {"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "Token invalid or revoked"},
            )
        if not {"banking.ais.read", "bankservice"} & set(consent.scopes):
            return self._json(
                403,
                {"type": "about:blank", "title": "Forbidden", "status": 403, "detail": "Scope banking.ais.read needed"},
            )
        self._fault()
        if path.startswith("/api/v3/"):
            return self._aritma_v3(path, q, consent)
        return self._berlin("aritma", path, q, consent, "/api/accounts", "unstructuredRemittanceInformation")

    def _aritma_authorize(self, q: dict[str, str]) -> None:
        grant = self._start_authorize("aritma", q)
        prompt, acr = q.get("prompt"), q.get("acr_values")
        if prompt not in (None, "none", "login", "consent", "select_account"):
            self._redirect_back(
                grant.redirect_uri, {"error": "invalid_request", "error_description": "bad prompt"}, grant.state
            )
        if acr is not None and "mfa" in acr.split() and prompt != "login":
            self._redirect_back(
                grant.redirect_uri,
                {"error": "invalid_request", "error_description": "acr_values=mfa needs prompt=login"},
                grant.state,
            )
        if prompt == "none":  # silent authentication: the sandbox never has a session
            self._redirect_back(grant.redirect_uri, {"error": "login_required"}, grant.state)
        if not grant.scopes:
            self._redirect_back(grant.redirect_uri, {"error": "invalid_scope"}, grant.state)
        self._to_consent(grant)

    def _aritma_token(self, body: bytes) -> None:
        st = self.st
        form = self._form1(body)
        client = st.clients["aritma"]
        # client_secret_post: the secret travels in the form body, not in an Authorization header
        if form.get("client_id") != client.client_id or not _same(
            form.get("client_secret", ""), client.client_secret or ""
        ):
            self._grant_error("aritma", "invalid_client", "Client authentication failed.", 401)
        self._fault("token")
        if form.get("grant_type") == "authorization_code":
            grant = self._redeem(
                "aritma", form.get("code", ""), form.get("redirect_uri"), form.get("code_verifier"), True
            )
            tokens = self._mint(grant, refresh="offline_access" in grant.scopes)
            if "openid" in grant.scopes:
                claims = {
                    "iss": f"{self.server.url}/aritma",
                    "sub": "alex",
                    "aud": client.client_id,
                    "iat": int(st.now()),
                    "exp": int(st.now()) + 300,
                    "nonce": grant.nonce,
                }
                tokens["id_token"] = _fake_jwt({k: v for k, v in claims.items() if v is not None})
            return self._json(200, tokens)
        if form.get("grant_type") == "refresh_token":
            renewed = self._use_refresh("aritma", form.get("refresh_token", ""))
            return self._json(200, self._mint(renewed, refresh=True))
        self._grant_error("aritma", "unsupported_grant_type", "Unknown grant_type.")

    def _aritma_v3(self, path: str, q: dict[str, str], consent: Consent) -> None:
        """Bank Service API v3: PascalCase JSON with numeric amounts (paths partly inferred)."""
        st = self.st
        ledger = st.ledger("aritma")
        today = st.today()
        company = "c0mpany-" + ledger.accounts[0].id
        parts = path.split("/")

        def problem(status: int, detail: str) -> None:
            self._json(
                status,
                {
                    "type": "about:blank",
                    "title": "Bad Request" if status == 400 else "Not Found",
                    "status": status,
                    "detail": detail,
                },
            )

        if path == "/api/v3/companies":
            return self._json(200, [{"CompanyId": company, "Name": "Alex Jensen", "OrganizationNumber": None}])
        if len(parts) != 5 or parts[4] != company:
            return problem(404, "Unknown company or endpoint")
        accounts = self._granted("aritma", consent)
        if parts[3] == "accounts":
            return self._json(
                200,
                {
                    "CompanyId": company,
                    "Accounts": [
                        {
                            "AccountId": a.id,
                            "AccountNumber": a.iban[4:],
                            "Iban": a.iban,
                            "Bic": "DNBANOKK",
                            "Currency": a.currency,
                            "Name": a.name,
                            "BookedBalance": _major(ledger.balance(a.id, today), a),
                            "AvailableBalance": _major(ledger.balance(a.id, today, True), a),
                            "BalanceDate": datetime.fromtimestamp(st.now(), UTC).astimezone().isoformat(),
                        }
                        for a in accounts
                    ],
                },
            )
        if parts[3] == "statements":
            if bool(q.get("fromDate")) != bool(q.get("toDate")):
                return problem(400, "fromDate and toDate must be sent together")
            account = next((a for a in accounts if a.iban[4:] == q.get("accountNo")), None)
            if account is None:
                return problem(400, "accountNo is missing or not consented")
            try:
                take, skip = int(q.get("take") or 100), int(q.get("skip") or 0)
            except ValueError:
                return problem(400, "take and skip are numbers")
            if not 1 <= take <= 1000 or skip < 0:
                return problem(400, "take must be 1..1000")
            view = ledger.view(account.id, today, _parse_day(q.get("fromDate")), _parse_day(q.get("toDate")), "booked")
            return self._json(
                200,
                {
                    "Statements": [
                        {
                            "StatementId": t.id,
                            "Name": t.counterparty,
                            "AccountNumber": account.iban[4:],
                            "AccountCurrency": account.currency,
                            "ArchiveReference": t.id[-8:],
                            "Amount": t.amount(),
                            "AmountCurrency": t.currency,
                            "Description": t.description,
                            "BookingDate": f"{(t.books_on or t.day).isoformat()}T00:00:00+01:00",
                            "ValueDate": f"{t.day.isoformat()}T00:00:00+01:00",
                            "TransactionCount": 1,
                        }
                        for t in view.page(skip, take)
                    ],
                    "Total": len(view),
                },
            )
        return problem(404, "Unknown endpoint")

    # -- ConnectPay ----------------------------------------------------------------------

    def _connectpay(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if method == "GET" and path == "/auth/v1/oauth2/authorize":
            return self._connectpay_authorize(q)
        if method == "POST" and path in ("/auth/v1/oauth2/token", "/auth/v1/oauth2/revoke"):
            if not self._basic_client("connectpay"):
                self._grant_error("connectpay", "invalid_client", "Client authentication failed.", 401)
            if not self.headers.get("X-Request-ID"):
                self._grant_error("connectpay", "invalid_request", "X-Request-ID header is required.")
            form = self._form1(body)
            if path.endswith("/revoke"):
                with st.lock:
                    st.refresh.pop(form.get("refresh_token") or form.get("token", ""), None)
                return self._json(200, {})
            self._fault("token")
            if form.get("grant_type") == "authorization_code":
                # the documented body is grant_type and code only: no redirect to compare
                tokens = self._mint(self._redeem("connectpay", form.get("code", ""), None, None, False), refresh=True)
            elif form.get("grant_type") == "refresh_token":
                tokens = self._mint(self._use_refresh("connectpay", form.get("refresh_token", "")), refresh=True)
            else:
                self._grant_error("connectpay", "unsupported_grant_type", "Unknown grant_type.")
            psu = st.access[tokens["access_token"]][0]
            owner = st.accounts("connectpay", psu.customer)[0].owner
            tokens["refresh_token_expires_in"] = str(REFRESH_LIFETIME["connectpay"])  # a string, as documented
            tokens["client_customer_name"] = _masked(owner)
            return self._json(200, tokens)
        consent = self._bearer("connectpay")
        if consent is None:
            return self._berlin_error(401, "TOKEN_INVALID", "Token invalid, expired or revoked")
        if not self.headers.get("X-Request-ID"):
            return self._berlin_error(400, "FORMAT_ERROR", "X-Request-ID header is required")
        if "psd2-ais" not in consent.scopes:
            return self._berlin_error(403, "CONSENT_INVALID", "Account information (psd2-ais) was not granted")
        self._fault()
        return self._berlin("connectpay", path, q, consent, "/v1/accounts", "remittanceInformationUnstructured")

    def _connectpay_authorize(self, q: dict[str, str]) -> None:
        st = self.st

        def refuse(description: str, error: str = "invalid_request") -> None:
            self._json(400, {"error": error, "error_description": description})
            raise _Answered

        if urlsplit(q.get("redirect_url", "")).query:
            refuse("redirect_url must not contain a query")
        grant = self._start_authorize("connectpay", q, "redirect_url")
        scopes = set(grant.scopes)
        if not scopes:
            refuse("scope is required", "invalid_scope")
        if scopes - PSD2_SCOPES:
            refuse(
                "PSD2 and proprietary scopes cannot be mixed; this flow takes psd2-ais and psd2-pis", "invalid_scope"
            )
        if (q.get("flowId") or q.get("flowid")) != CONNECTPAY_FLOW:
            refuse(f"flowId must be {CONNECTPAY_FLOW}")
        nonce = q.get("nonce", "")
        try:
            if uuid.UUID(nonce).version != 4:
                raise ValueError
        except ValueError:
            refuse("nonce must be a GUIDv4")
        with st.lock:
            replayed = nonce.lower() in st.used_nonces
            st.used_nonces.add(nonce.lower())
        if replayed:
            refuse("nonce was already used")
        self._to_consent(grant, 301)

    # -- Berlin Group style data (Aritma's banking API, ConnectPay) -----------------------

    def _berlin_error(self, status: int, code: str, text: str) -> None:
        self._json(status, {"tppMessages": [{"category": "ERROR", "code": code, "text": text}]})

    def _berlin(
        self, provider: str, path: str, q: dict[str, str], consent: Consent, base: str, remittance: str
    ) -> None:
        st = self.st
        today = st.today()
        ledger = st.ledger(provider)
        prefix = f"/{provider}"
        if path == base:
            accounts = []
            for a in self._granted(provider, consent):
                entry: dict[str, Any] = {
                    "resourceId": a.id,
                    "iban": a.iban,
                    "currency": a.currency,
                    "name": a.name,
                    "ownerName": a.owner,
                    "cashAccountType": "CACC",
                    "_links": {"balances": {"href": f"{prefix}{base}/{a.id}/balances"}},
                }
                if q.get("withBalance") == "true":
                    entry["balances"] = self._berlin_balances(ledger, a, today)
                accounts.append(entry)
            return self._json(200, {"accounts": accounts})
        rest = path[len(base) :].split("/") if path.startswith(base + "/") else []
        if len(rest) not in (2, 3) or rest[1] not in consent.accounts:
            return self._berlin_error(404, "RESOURCE_UNKNOWN", "Unknown resource")
        account = ledger.account(rest[1])
        if len(rest) == 2:
            return self._json(
                200,
                {
                    "account": {
                        "resourceId": account.id,
                        "iban": account.iban,
                        "currency": account.currency,
                        "name": account.name,
                    }
                },
            )
        if rest[2] == "balances":
            return self._json(
                200, {"account": {"iban": account.iban}, "balances": self._berlin_balances(ledger, account, today)}
            )
        if rest[2] != "transactions":
            return self._berlin_error(404, "RESOURCE_UNKNOWN", "Unknown resource")
        status = q.get("bookingStatus", "both")
        if status not in ("booked", "pending", "both"):
            return self._berlin_error(400, "PARAMETER_NOT_SUPPORTED", "bookingStatus must be booked, pending or both")
        since, until = _parse_day(q.get("dateFrom")), _parse_day(q.get("dateTo"))
        if since and until and since > until:
            return self._berlin_error(400, "PERIOD_INVALID", "dateFrom is after dateTo")
        view = ledger.view(account.id, today, since, until, "all" if status == "both" else status)
        size = 100
        if provider == "connectpay":  # pages are numbered from 1
            try:
                page = int(q.get("page") or 1)
            except ValueError:
                page = 0
            if page < 1:
                return self._berlin_error(400, "FORMAT_ERROR", "page must be 1 or more")
            start, next_token = (page - 1) * size, str(page + 1)
        else:
            found = _uncursor(q.get("cursor"))
            if found is None:
                return self._berlin_error(400, "FORMAT_ERROR", "Unknown cursor")
            start, next_token = found, _cursor(found + size)
        booked, pending = [], []
        for t in view.page(start, size):
            is_pending = t.pending_at(today)
            entry = {
                "transactionAmount": {"currency": t.currency, "amount": money_text(t.amount())},
                "valueDate": t.day.isoformat(),
                remittance: t.description,
                ("creditorName" if t.minor < 0 else "debtorName"): t.counterparty,
            }
            tid = provider_tx_id(provider, t, is_pending)
            if tid:
                entry["transactionId"] = tid
            if is_pending:
                entry["transactionDate"] = t.day.isoformat()
                pending.append(entry)
            else:
                entry["bookingDate"] = t.day.isoformat()
                booked.append(entry)
        links: dict[str, Any] = {"account": {"href": f"{prefix}{base}/{account.id}"}}
        if start + size < len(view):
            params = {k: v for k, v in q.items() if k not in ("page", "cursor")}
            params["page" if provider == "connectpay" else "cursor"] = next_token
            links["next"] = {"href": f"{prefix}{base}/{account.id}/transactions?{urlencode(params)}"}
        return self._json(
            200,
            {
                "account": {"iban": account.iban},
                "transactions": {"booked": booked, "pending": pending, "_links": links},
            },
        )

    def _berlin_balances(self, ledger: Ledger, account: Account, today: date) -> list[dict[str, Any]]:
        stamp = self.st.stamp()
        return [
            {
                "balanceType": "closingBooked",
                "balanceAmount": {
                    "currency": account.currency,
                    "amount": money_text(_major(ledger.balance(account.id, today), account)),
                },
                "referenceDate": today.isoformat(),
                "lastChangeDateTime": stamp,
            },
            {
                "balanceType": "interimAvailable",
                "balanceAmount": {
                    "currency": account.currency,
                    "amount": money_text(_major(ledger.balance(account.id, today, True), account)),
                },
                "lastChangeDateTime": stamp,
            },
        ]

    # -- Tatra banka ---------------------------------------------------------------------

    def _tatrabanka(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if method == "GET" and path == "/auth/oauth/v2/authorize":
            grant = self._start_authorize("tatrabanka", q)
            if "AISP" not in grant.scopes:
                self._redirect_back(grant.redirect_uri, {"error": "invalid_scope"}, grant.state)
            self._to_consent(grant)
        if method == "POST" and path == "/auth/oauth/v2/token":
            if not self._basic_client("tatrabanka"):
                self._grant_error("tatrabanka", "invalid_client", "Client authentication failed.", 401)
            form = self._form1(body)
            self._fault("token")
            if form.get("grant_type") == "authorization_code":
                grant = self._redeem(
                    "tatrabanka", form.get("code", ""), form.get("redirect_uri"), form.get("code_verifier"), True
                )
                return self._json(200, self._mint(grant, refresh=True))
            if form.get("grant_type") == "refresh_token":
                return self._json(
                    200, self._mint(self._use_refresh("tatrabanka", form.get("refresh_token", "")), refresh=True)
                )
            self._grant_error("tatrabanka", "unsupported_grant_type", "Unknown grant_type.")
        if not path.startswith("/api/"):
            return self._json(404, {"error": "not_found", "error_description": "No such endpoint"})
        consent = self._bearer("tatrabanka")
        if consent is None:
            return self._json(401, {"error": "invalid_token", "error_description": "The token is expired or revoked"})
        if not self.headers.get("Request-ID"):
            return self._json(400, {"error": "invalid_request", "error_description": "Request-ID header is required"})
        self._fault()
        today = st.today()
        ledger = st.ledger("tatrabanka")
        accounts = {a.iban: a for a in self._granted("tatrabanka", consent)}

        def bad(description: str, status: int = 400) -> None:
            self._json(
                status, {"error": "invalid_request" if status == 400 else "not_found", "error_description": description}
            )

        def paging(page: object, size: object, default_size: int) -> tuple[int, int] | None:
            size = default_size if size is None else size
            if not isinstance(size, int) or isinstance(size, bool) or size not in range(10, 101, 10):
                bad("pageSize must be one of 10, 20, ..., 100")
                return None
            if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= 99_999_999:
                bad("page must be between 1 and 99999999")
                return None
            return page, size

        if method == "GET" and path == "/api/v1/accounts":
            try:
                got = paging(int(q.get("page") or 1), int(q["pageSize"]) if "pageSize" in q else None, 50)
            except ValueError:
                return bad("page and pageSize are numbers")
            if got is None:
                return None
            page, size = got
            rows = sorted(accounts.values(), key=lambda a: a.iban, reverse=q.get("order") == "desc")
            return self._json(
                200,
                {
                    "page": page,
                    "pageSize": size,
                    "pageCount": max(1, -(-len(rows) // size)),
                    "accounts": [
                        {"iban": a.iban, "currency": a.currency, "name": a.name}
                        for a in rows[(page - 1) * size : page * size]
                    ],
                },
            )
        if method != "POST" or path not in ("/api/v1/accounts/information", "/api/v1/accounts/transactions"):
            return bad("No such endpoint", 404)
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return bad("Malformed JSON")
        if not isinstance(data, dict):
            return bad("A JSON object is expected")
        account = accounts.get(str(data.get("iban")))
        if path == "/api/v1/accounts/information":
            if account is None:
                return bad("Unknown IBAN", 404)
            return self._json(
                200,
                {
                    "iban": account.iban,
                    "currency": account.currency,
                    "name": account.name,
                    "ownerName": account.owner,
                    "balances": [
                        {
                            "type": "InterimBooked",
                            "amount": {
                                "value": money_text(_major(ledger.balance(account.id, today), account)),
                                "currency": account.currency,
                            },
                        },
                        {
                            "type": "InterimAvailable",
                            "amount": {
                                "value": money_text(_major(ledger.balance(account.id, today, True), account)),
                                "currency": account.currency,
                            },
                        },
                    ],
                },
            )
        got = paging(data.get("page", 1), data.get("pageSize"), 0)
        if got is None:
            return None
        page, size = got
        since, until = _parse_day(data.get("dateFrom")), _parse_day(data.get("dateTo"))
        if since and until and since > until:
            return bad("dateFrom is after dateTo")
        if account is None:
            return bad("Unknown IBAN", 404)
        wanted = {"ALL": "all", "BOOK": "booked", "INFO": "pending"}.get(str(data.get("status", "ALL")))
        if wanted is None:
            return bad("status must be ALL, BOOK or INFO")
        view = ledger.view(account.id, today, since, until, wanted)
        return self._json(
            200,
            {
                "page": page,
                "pageSize": size,
                "pageCount": max(1, -(-len(view) // size)),
                "transactions": [
                    {
                        "transactionId": t.id,
                        "status": "INFO" if t.pending_at(today) else "BOOK",
                        "bookingDate": t.day.isoformat(),
                        "valueDate": t.day.isoformat(),
                        "amount": {"value": money_text(t.amount()), "currency": t.currency},
                        "creditDebitIndicator": "DBIT" if t.minor < 0 else "CRDT",
                        "remittanceInformation": t.description,
                        "counterpartyName": t.counterparty,
                    }
                    for t in view.page((page - 1) * size, size)
                ],
            },
        )

    # -- admin ---------------------------------------------------------------------------

    def _admin(self, method: str, what: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if self.client_address[0] not in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
            return self._json(403, {"error": "forbidden", "error_description": "admin is loopback only"})
        try:
            data = json.loads(body or b"{}") if method == "POST" else {}
            if not isinstance(data, dict):
                raise ValueError("a JSON object is expected")
            provider = data.get("provider")
            if provider is not None and provider not in PROVIDERS:
                raise ValueError(f"unknown provider {provider!r}")
            if method == "GET" and what.startswith("truth/"):
                name = what[len("truth/") :]
                if name not in PROVIDERS:
                    raise ValueError(f"unknown provider {name!r}")
                return self._json(200, self.server.ground_truth(name, q.get("customer")))
            if method == "GET" and what == "state":
                with st.lock:
                    return self._json(
                        200,
                        {
                            "now": st.stamp(),
                            "today": st.today().isoformat(),
                            "seed": st.seed,
                            "auto_approve": st.auto_approve,
                            "faults": st.faults.describe(),
                            "consents": [c.describe() for c in st.consents.values()],
                        },
                    )
            if method != "POST":
                return self._json(404, {"error": "not_found", "error_description": f"no admin endpoint {what!r}"})
            result: dict[str, Any] = {"ok": True}
            if what == "revoke":
                result["count"] = st.revoke(provider, data.get("consent_id"))
            elif what == "expire":
                result["count"] = st.expire(provider, data.get("consent_id"))
            elif what == "advance":
                st.advance(float(data.get("seconds", 0)) + 86400 * float(data.get("days", 0)))
                result["now"] = st.stamp()
            elif what == "faults":
                with st.lock:
                    faults = st.faults
                    kinds = tuple(str(k) for k in data.get("kinds") or FAULT_KINDS)
                    queue = [str(k) for k in data.get("queue") or []]
                    unknown = set(kinds + tuple(queue)) - set(FAULT_KINDS) - {"502", "504"}
                    if unknown:
                        raise ValueError(f"unknown fault kinds {sorted(unknown)}")
                    faults.rate = float(data.get("rate", 0))
                    faults.kinds = kinds
                    faults.queue = queue
                    faults.latency_ms = int(data.get("latency_ms", 0))
                    faults.retry_after = int(data.get("retry_after", 0))
                    faults.slow_ms = int(data.get("slow_ms", 50))
                    faults.where = tuple(data.get("where") or ("api",))
                    result["faults"] = faults.describe()
            elif what == "transactions":
                if provider is None:
                    raise ValueError("provider is required")
                tx = st.add_transaction(
                    provider,
                    str(data["amount"]),
                    data.get("account"),
                    str(data.get("description", "Added in the sandbox")),
                    str(data.get("counterparty", "Sandbox")),
                    bool(data.get("pending")),
                    _parse_day(data.get("date")),
                    data.get("customer"),
                )
                result["transaction"] = {
                    "id": provider_tx_id(provider, tx, bool(data.get("pending"))),
                    "booked_id": provider_tx_id(provider, tx, False),
                    "account": tx.account_id,
                    "date": tx.day.isoformat(),
                    "amount": money_text(tx.amount()),
                    "currency": tx.currency,
                    "books_on": tx.books_on.isoformat() if tx.books_on else None,
                }
            elif what == "settings":
                if "auto_approve" in data:
                    st.auto_approve = bool(data["auto_approve"])
            else:
                return self._json(404, {"error": "not_found", "error_description": f"no admin endpoint {what!r}"})
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            return self._json(400, {"error": "invalid_request", "error_description": str(exc)})
        return self._json(200, result)


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
        """What the bank holds now, as the provider would present it (ids per its rules).

        ConnectPay's data is per Customer: `customer` defaults to ``c1`` (the personal one).
        """
        st = self.state
        customer = customer or "c1"
        ledger = st.ledger(provider)
        with st.lock:
            today = st.today()
            out: dict[str, Any] = {
                "provider": provider,
                "customer": customer,
                "now": st.stamp(),
                "today": today.isoformat(),
                "accounts": [],
            }
            for a in st.accounts(provider, customer):
                txs = []
                view: View = ledger.view(a.id, today)
                for t in view:
                    pending = t.pending_at(today)
                    txs.append(
                        {
                            "id": provider_tx_id(provider, t, pending),
                            "status": "pending" if pending else "booked",
                            "date": t.day.isoformat(),
                            "books_on": t.books_on.isoformat() if pending and t.books_on else None,
                            "amount": money_text(t.amount()),
                            "currency": t.currency,
                            "description": t.description,
                            "counterparty": t.counterparty,
                        }
                    )
                out["accounts"].append(
                    {
                        "id": a.id,
                        "name": a.name,
                        "iban": a.iban,
                        "currency": a.currency,
                        "owner": a.owner,
                        "customer": a.customer,
                        "booked_balance": money_text(_major(ledger.balance(a.id, today), a)),
                        "available_balance": money_text(_major(ledger.balance(a.id, today, True), a)),
                        "transactions": txs,
                    }
                )
        return out
