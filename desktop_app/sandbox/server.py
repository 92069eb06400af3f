"""One loopback HTTP server that plays every provider Saldo talks to, and the Demo Bank.

Written from the providers' documents on its own (it shares no code with desktop_app.core),
so that a misreading on either side shows up as a failing test instead of hiding.

Prefixes and endpoints (all below ``http://127.0.0.1:PORT``):

* ``/demo``  — the Demo Bank: OAuth 2.0 code flow with PKCE S256, public client.
  ``GET /demo/oauth/authorize``, ``POST /demo/oauth/token`` (form), ``POST /demo/oauth/revoke``;
  ``GET /demo/api/accounts`` → ``{"accounts": [{"id", "name", "iban", "currency", "owner",
  "balances": {"booked", "available", "asOf"}}]}`` (amounts as decimal strings);
  ``GET /demo/api/accounts/{id}/transactions?from=YYYY-MM-DD&cursor=&limit=`` →
  ``{"transactions": [{"id", "status": "booked"|"pending", "bookingDate", "valueDate",
  "amount", "currency", "description", "counterparty"}], "nextCursor": str|null}``.
  A pending transaction keeps its id when it books.
* ``/aiia`` — ``GET /v1/oauth/connect`` (302, or 301 for the one-time flow: scope ``accounts``
  alone), ``POST /v1/oauth/token`` (HTTP Basic + JSON body); the redirect back carries
  ``code``, ``state`` and ``consentId``. ``GET /v1/accounts``, ``GET /v1/accounts/{id}/transactions``
  paged by ``pagingToken``; amounts are JSON numbers in ``{value, currency}``; ``state`` is
  ``Booked`` or ``Reserved``; a booked transaction gets a new id (``…-B``). One-time
  connections get no refresh token and their data is gone 24 hours after consent.
* ``/aritma`` — ``GET /{tenant}/connect/authorize`` (``prompt``, ``acr_values``, PKCE S256),
  ``POST /{tenant}/connect/token`` (form, ``client_secret_post``; refresh token only with
  ``offline_access``; ``id_token``; ``expires_in`` 86400). Data in the Berlin-Group-like
  banking API shape: ``GET /api/accounts``, ``/api/accounts/{id}/balances``,
  ``/api/accounts/{id}/transactions?dateFrom=`` with ``booked``/``pending`` lists, string
  amounts, ``unstructuredRemittanceInformation`` and ``_links.next`` cursor links.
* ``/connectpay`` — ``GET /auth/v1/oauth2/authorize`` (inferred path) with
  ``flowId=GetPSD2AuthCode``, a GUIDv4 ``nonce``, ``redirect_url`` without a query part; PSD2
  scopes (``psd2-ais``, ``psd2-pis``) never mixed with proprietary ones; answers 301 to the
  consent page, where the person picks a Customer and which scopes to grant. The callback has
  ``code``, ``state`` and ``flowId`` (or ``error`` when everything is denied).
  ``POST /auth/v1/oauth2/token``: Basic + form + ``X-Request-ID``; rotates both tokens;
  ``refresh_token_expires_in`` is a string. Data: NextGenPSD2 ``/v1/accounts``,
  ``/v1/accounts/{id}/balances``, ``/v1/accounts/{id}/transactions?bookingStatus=both``.
* ``/tatrabanka`` — ``/auth/oauth/v2/authorize`` and ``/auth/oauth/v2/token`` (Basic + form),
  scope ``AISP``, 90-day tokens; ``GET /api/v1/accounts``, ``POST /api/v1/accounts/information``
  ``{"iban"}``, ``POST /api/v1/accounts/transactions`` ``{"iban", "status": ALL|BOOK|INFO,
  "page", "pageSize" (10, 20, …, 100), "dateFrom", "dateTo"}``; every API call needs
  ``Request-ID``; after revocation every call is a 401. (Response field names are not in the
  public documents; the ones here are this simulator's inference.)

Consent: the authorize endpoint sends the browser to ``{prefix}/consent?request_id=…``, a
plain HTML form (no JavaScript): hidden ``request_id``, ``account`` checkboxes, and buttons
``decision=approve`` / ``decision=deny`` (ConnectPay adds ``customer`` and ``scope``). The
POST answers 302 (301 for ConnectPay's flow start) back to the client's redirect.

Admin (loopback only): ``GET /_admin/truth/{provider}``, ``POST /_admin/revoke``
``{"provider"}``, ``POST /_admin/expire`` ``{"provider"}``, ``POST /_admin/advance``
``{"seconds"}``, ``POST /_admin/faults`` ``{"rate", "kinds", "latency_ms"}``,
``POST /_admin/transactions`` ``{"provider", "account", "amount", "description", "pending"}``.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
import json
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
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from desktop_app.sandbox.data import Account, Ledger, Tx, generate

PROVIDERS = ("demo", "aiia", "aritma", "connectpay", "tatrabanka")
NAMES = {
    "demo": "Demo Bank",
    "aiia": "Aiia",
    "aritma": "Aritma",
    "connectpay": "ConnectPay",
    "tatrabanka": "Tatra banka",
}
CODE_LIFETIME = 60
ACCESS_LIFETIME = {"demo": 3600, "aiia": 3600, "aritma": 86400, "connectpay": 3600, "tatrabanka": 90 * 86400}
FAULT_KINDS = ("500", "503", "429", "reset", "truncated", "slow")


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str | None
    redirects: tuple[str, ...]


def registered_clients() -> dict[str, Client]:
    """The test clients every provider knows. Redirects on loopback accept any port."""
    return {
        p: Client(
            f"{p}-client",
            None if p == "demo" else f"{p}-secret",
            (f"http://127.0.0.1/callback/{p}", f"http://localhost/callback/{p}")
            + (("http://127.0.0.1/aiia/*",) if p == "aiia" else ()),
        )
        for p in PROVIDERS
    }


@dataclass
class Grant:
    provider: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    challenge: str | None
    accounts: tuple[str, ...] = ()
    customer: str | None = None
    nonce: str | None = None
    one_time: bool = False
    consent_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class Consent:
    provider: str
    accounts: tuple[str, ...]
    scopes: tuple[str, ...]
    one_time: bool
    granted_at: float
    consent_id: str
    revoked: bool = False
    expired: bool = False


class SandboxState:
    """Everything the simulator knows, behind one lock."""

    def __init__(self, seed: int, transactions: int, auto_approve: bool, fail_rate: float, latency_ms: int) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.offset = 0.0  # sandbox clock = wall clock + offset
        self.start_day = date.today()
        per = max(transactions // len(PROVIDERS), 1)
        self.ledgers: dict[str, Ledger] = {
            p: generate(p, seed, transactions if p == "demo" else per, self.start_day) for p in PROVIDERS
        }
        self.clients = registered_clients()
        self.auto_approve = auto_approve
        self.fail_rate = fail_rate
        self.fault_kinds: tuple[str, ...] = FAULT_KINDS
        self.latency_ms = latency_ms
        self.rng = random.Random(seed)
        self.pending_requests: dict[str, Grant] = {}
        self.codes: dict[str, tuple[Grant, float]] = {}
        self.used_codes: set[str] = set()
        self.access: dict[str, tuple[Consent, float]] = {}
        self.refresh: dict[str, Consent] = {}
        self.force_tricky_codes = True
        self.counter = 0

    def now(self) -> float:
        return time.time() + self.offset

    def today(self) -> date:
        return datetime.fromtimestamp(self.now(), UTC).date()


# -- helpers ---------------------------------------------------------------------------------


def _money_json(value: Decimal) -> str:
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
    """JSON where Decimals become exact JSON numbers (Aiia's and Aritma's wire format), never floats."""
    return _DEC_RE.sub(r"\1", json.dumps(_mark(body), ensure_ascii=False)).encode()


def _redirect_ok(client: Client, redirect: str, provider: str) -> bool:
    """Exact match, except any port on loopback and Aiia's registered wildcard paths."""
    try:
        got = urlsplit(redirect)
    except ValueError:
        return False
    if got.fragment:
        return False
    for registered in client.redirects:
        want = urlsplit(registered)
        loopback = want.hostname in ("127.0.0.1", "localhost", "::1")
        if got.scheme != want.scheme or got.hostname != want.hostname:
            continue
        if not loopback and got.port != want.port:
            continue
        if want.path.endswith("/*"):
            if got.path.startswith(want.path[:-1]) and not got.query:
                return True
        elif got.path == want.path and (got.query == want.query or (provider != "connectpay" and not got.query)):
            return True
    return False


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class SandboxHandler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    timeout = 10

    def log_message(self, *args: object) -> None:
        pass

    # -- plumbing ----------------------------------------------------------------------

    @property
    def st(self) -> SandboxState:
        return self.server.state

    def _send(
        self, status: int, body: bytes, ctype: str = "application/json", headers: dict[str, str] | None = None
    ) -> None:
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
        self._send(status, dumps_exact(body), headers=headers)

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(status, b"", "text/plain", {"Location": location})

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _form(self, raw: bytes) -> dict[str, list[str]]:
        return parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        body = self._body() if method == "POST" else b""
        try:
            if path.startswith("/_admin/"):
                return self._admin(method, path[len("/_admin/") :], body)
            prefix, _, rest = path.lstrip("/").partition("/")
            if prefix not in PROVIDERS:
                return self._json(404, {"error": "not_found"})
            rest = "/" + rest
            if rest == "/consent":
                return self._consent(prefix, method, query, body)
            handler: Callable[[str, str, dict[str, str], bytes], None] = getattr(self, f"_{prefix}")
            handler(method, rest, query, body)
            return None
        except BrokenPipeError:
            return None

    # -- faults ------------------------------------------------------------------------

    def _fault(self) -> bool:
        """Maybe misbehave on a data call. True when the request was answered by a fault."""
        st = self.st
        if st.latency_ms:
            time.sleep(st.latency_ms / 1000)
        with st.lock:
            if st.fail_rate <= 0 or st.rng.random() >= st.fail_rate:
                return False
            kind = st.rng.choice(st.fault_kinds)
        if kind in ("500", "503"):
            self._json(int(kind), {"error": "server_error", "message": "simulated outage"})
        elif kind == "429":
            self._json(429, {"error": "rate_limited"}, {"Retry-After": "0"})
        elif kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif kind == "truncated":
            body = b'{"accounts": [{"id": "cut'
            self._send(200, body)
        elif kind == "slow":
            time.sleep(0.05)
            return False
        return True

    # -- OAuth, shared ------------------------------------------------------------------

    def _start_authorize(self, provider: str, q: dict[str, str], redirect_param: str = "redirect_uri") -> Grant | None:
        st = self.st
        client = st.clients[provider]
        redirect = q.get(redirect_param, "")
        if q.get("client_id") != client.client_id:
            self._json(400, {"error": "invalid_client", "error_description": "unknown client_id"})
            return None
        if not _redirect_ok(client, redirect, provider):
            self._json(400, {"error": "invalid_request", "error_description": f"{redirect_param} is not registered"})
            return None
        if q.get("response_type") != "code":
            self._redirect_back(redirect, {"error": "unsupported_response_type", "state": q.get("state", "")})
            return None
        challenge = q.get("code_challenge")
        if challenge and q.get("code_challenge_method", "plain") != "S256":
            self._redirect_back(redirect, {"error": "invalid_request", "state": q.get("state", "")})
            return None
        scopes = tuple(q.get("scope", "").split())
        return Grant(provider, client.client_id, redirect, scopes, q.get("state"), challenge, nonce=q.get("nonce"))

    def _redirect_back(self, redirect: str, params: dict[str, str], status: int = 302) -> None:
        sep = "&" if urlsplit(redirect).query else "?"
        self._redirect(f"{redirect}{sep}{urlencode(params)}", status)

    def _to_consent(self, grant: Grant, status: int = 302) -> None:
        st = self.st
        if st.auto_approve:
            accounts = tuple(a.id for a in st.ledgers[grant.provider].accounts)
            grant.accounts = accounts
            grant.customer = "c1"
            return self._issue_code(grant, status)
        request_id = secrets.token_urlsafe(16)
        with st.lock:
            st.pending_requests[request_id] = grant
        self._redirect(f"/{grant.provider}/consent?request_id={request_id}", status)

    def _issue_code(self, grant: Grant, status: int = 302) -> None:
        st = self.st
        code = secrets.token_urlsafe(24)
        if grant.provider == "aiia" and st.force_tricky_codes:
            code = f"{code[:8]}+{code[8:12]}/{code[12:16]}=={code[16:]}%"  # Aiia codes are not URL safe
        with st.lock:
            st.codes[code] = (grant, st.now())
        params = {"code": code}
        if grant.state is not None:
            params["state"] = grant.state
        if grant.provider == "aiia":
            params["consentId"] = grant.consent_id
        if grant.provider == "connectpay":
            params["flowId"] = "GetPSD2AuthCode"
        self._redirect_back(grant.redirect_uri, params, status)

    def _consent(self, provider: str, method: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if method == "GET":
            with st.lock:
                grant = st.pending_requests.get(q.get("request_id", ""))
            if grant is None:
                return self._send(404, b"<p>This consent request has expired.</p>", "text/html; charset=utf-8")
            return self._send(200, self._consent_page(provider, q["request_id"], grant), "text/html; charset=utf-8")
        form = self._form(body)
        request_id = (form.get("request_id") or [""])[0]
        with st.lock:
            grant = st.pending_requests.pop(request_id, None)
        if grant is None:
            return self._send(400, b"<p>Unknown or used consent request.</p>", "text/html; charset=utf-8")
        decision = (form.get("decision") or ["deny"])[0]
        chosen = tuple(a for a in form.get("account", []) if a in {x.id for x in st.ledgers[provider].accounts})
        if provider == "connectpay":
            granted = tuple(s for s in form.get("scope", []) if s in grant.scopes)
            grant.scopes = granted
            grant.customer = (form.get("customer") or ["c1"])[0]
            if decision != "approve" or not granted:
                params = {"error": "access_denied", "flowId": "GetPSD2AuthCode"}
                if grant.state is not None:
                    params["state"] = grant.state
                return self._redirect_back(grant.redirect_uri, params)
        if decision != "approve" or not chosen:
            params = {"error": "access_denied"}
            if grant.state is not None:
                params["state"] = grant.state
            return self._redirect_back(grant.redirect_uri, params)
        grant.accounts = chosen
        self._issue_code(grant)

    def _consent_page(self, provider: str, request_id: str, grant: Grant) -> bytes:
        template = (files("desktop_app.resources") / "sandbox" / "consent.html").read_text(encoding="utf-8")
        accounts = "\n".join(
            f'<label><input type="checkbox" name="account" value="{html.escape(a.id)}" checked> '
            f"{html.escape(a.name)} <small>{html.escape(a.iban)} · {a.currency}</small></label>"
            for a in self.st.ledgers[provider].accounts
        )
        extra = ""
        if provider == "connectpay":
            extra = (
                "<fieldset><legend>Customer</legend>"
                '<label><input type="radio" name="customer" value="c1" checked> Alex Jensen (personal)</label>'
                '<label><input type="radio" name="customer" value="c2"> Jensen Design UAB (company)</label>'
                "</fieldset><fieldset><legend>Permissions</legend>"
                + "".join(
                    f'<label><input type="checkbox" name="scope" value="{html.escape(s)}" checked> '
                    f"{html.escape(s)}</label>"
                    for s in grant.scopes
                )
                + "</fieldset>"
            )
        note = " This is a one-time connection: the data is deleted after 24 hours." if grant.one_time else ""
        page = (
            template.replace("{{provider}}", html.escape(NAMES[provider]))
            .replace("{{request_id}}", html.escape(request_id))
            .replace("{{accounts}}", accounts)
            .replace("{{extra}}", extra)
            .replace("{{note}}", html.escape(note))
            .replace("{{action}}", f"/{provider}/consent")
        )
        return page.encode()

    def _client_from_basic(self, provider: str) -> bool:
        client = self.st.clients[provider]
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return False
        try:
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return False
        return unquote(cid) == client.client_id and unquote(secret) == client.client_secret

    def _redeem(self, provider: str, code: str, redirect: str | None, verifier: str | None) -> Grant | str:
        """The grant behind a code, or an error name. Codes are single-use and live 60 s."""
        st = self.st
        with st.lock:
            if code in st.used_codes:
                return "invalid_grant"
            found = st.codes.pop(code, None)
            if found is None:
                return "invalid_grant"
            st.used_codes.add(code)
            grant, issued = found
        if grant.provider != provider or st.now() - issued > CODE_LIFETIME:
            return "invalid_grant"
        if redirect is not None and redirect != grant.redirect_uri:
            return "invalid_grant"
        if grant.challenge and (not verifier or _s256(verifier) != grant.challenge):
            return "invalid_grant"
        return grant

    def _tokens(self, grant_or_consent: Grant | Consent, refresh: bool) -> dict[str, Any]:
        st = self.st
        if isinstance(grant_or_consent, Grant):
            g = grant_or_consent
            consent = Consent(g.provider, g.accounts, g.scopes, g.one_time, st.now(), g.consent_id)
        else:
            consent = grant_or_consent
        access = secrets.token_urlsafe(32)
        lifetime = ACCESS_LIFETIME[consent.provider]
        with st.lock:
            st.access[access] = (consent, st.now() + lifetime)
        body: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": lifetime}
        if refresh:
            token = secrets.token_urlsafe(32)
            with st.lock:
                st.refresh[token] = consent
            body["refresh_token"] = token
        body["scope"] = " ".join(consent.scopes)
        return body

    def _refresh_grant(self, provider: str, token: str, rotate: bool) -> Consent | None:
        st = self.st
        with st.lock:
            consent = st.refresh.get(token)
            if consent is None or consent.provider != provider or consent.revoked or consent.expired:
                return None
            if rotate:
                del st.refresh[token]
        return consent

    def _bearer(self, provider: str) -> Consent | None:
        st = self.st
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with st.lock:
            found = st.access.get(token)
        if found is None:
            return None
        consent, expires = found
        if consent.provider != provider or consent.revoked or consent.expired or st.now() > expires:
            return None
        if consent.one_time and st.now() - consent.granted_at > 24 * 3600:
            return None
        return consent

    def _oauth_error(self, error: str, status: int = 400, description: str = "") -> None:
        self._json(status, {"error": error, "error_description": description or error})

    # -- ledgers -------------------------------------------------------------------------

    def _accounts(self, provider: str, consent: Consent) -> list[Account]:
        return [a for a in self.st.ledgers[provider].accounts if a.id in consent.accounts]

    def _txs(self, provider: str, account_id: str, since: date | None = None, until: date | None = None) -> list[Tx]:
        """An account's movements up to today (and within the dates asked), oldest first.

        Ledgers are kept in day order, so the window is found by bisection, not a full scan.
        """
        today = self.st.today()
        last = min(until, today) if until else today
        with self.st.lock:
            rows = self.st.ledgers[provider].txs.get(account_id, [])
            lo = bisect.bisect_left(rows, since, key=lambda t: t.day) if since else 0
            hi = bisect.bisect_right(rows, last, key=lambda t: t.day)
            return rows[lo:hi]

    # -- Demo Bank -----------------------------------------------------------------------

    def _demo(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if method == "GET" and path == "/oauth/authorize":
            grant = self._start_authorize("demo", q)
            if grant is None:
                return None
            if not grant.challenge:
                return self._redirect_back(grant.redirect_uri, {"error": "invalid_request", "state": grant.state or ""})
            return self._to_consent(grant)
        if method == "POST" and path == "/oauth/token":
            form = {k: v[0] for k, v in self._form(body).items()}
            if form.get("client_id") != st.clients["demo"].client_id:
                return self._oauth_error("invalid_client", 401)
            if form.get("grant_type") == "authorization_code":
                won = self._redeem("demo", form.get("code", ""), form.get("redirect_uri"), form.get("code_verifier"))
                if isinstance(won, str):
                    return self._oauth_error(won)
                return self._json(200, self._tokens(won, refresh=True))
            if form.get("grant_type") == "refresh_token":
                consent = self._refresh_grant("demo", form.get("refresh_token", ""), rotate=True)
                if consent is None:
                    return self._oauth_error("invalid_grant")
                return self._json(200, self._tokens(consent, refresh=True))
            return self._oauth_error("unsupported_grant_type")
        if method == "POST" and path == "/oauth/revoke":
            token = {k: v[0] for k, v in self._form(body).items()}.get("token", "")
            with st.lock:
                consent = st.refresh.get(token) or (st.access.get(token) or (None, 0))[0]
                if consent is not None:
                    consent.revoked = True
            return self._json(200, {})
        if not path.startswith("/api/"):
            return self._json(404, {"error": "not_found"})
        consent = self._bearer("demo")
        if consent is None:
            return self._json(401, {"error": "invalid_token", "message": "The access token is invalid or revoked."})
        if self._fault():
            return None
        today = st.today()
        parts = path.split("/")
        if path == "/api/accounts":
            ledger = st.ledgers["demo"]
            return self._json(
                200,
                {
                    "accounts": [
                        {
                            "id": a.id,
                            "name": a.name,
                            "iban": a.iban,
                            "currency": a.currency,
                            "owner": a.owner,
                            "balances": {
                                "booked": _money_json(_major(ledger.balance(a.id, today), a)),
                                "available": _money_json(_major(ledger.balance(a.id, today, True), a)),
                                "asOf": datetime.fromtimestamp(st.now(), UTC).isoformat(),
                            },
                        }
                        for a in self._accounts("demo", consent)
                    ]
                },
            )
        if len(parts) == 5 and parts[2] == "accounts" and parts[4] == "transactions":
            account_id = parts[3]
            if account_id not in consent.accounts:
                return self._json(404, {"error": "not_found"})
            since = _parse_day(q.get("from"))
            rows = self._txs("demo", account_id, since)
            start = int(q.get("cursor") or 0)
            limit = min(max(int(q.get("limit") or 100), 1), 1000)
            chunk = rows[start : start + limit]
            nxt = str(start + limit) if start + limit < len(rows) else None
            return self._json(
                200,
                {
                    "transactions": [
                        {
                            "id": t.id,
                            "status": "pending" if t.pending_at(today) else "booked",
                            "bookingDate": t.day.isoformat(),
                            "valueDate": t.day.isoformat(),
                            "amount": _money_json(t.amount()),
                            "currency": t.currency,
                            "description": t.description,
                            "counterparty": t.counterparty,
                        }
                        for t in chunk
                    ],
                    "nextCursor": nxt,
                },
            )
        return self._json(404, {"error": "not_found"})

    # -- Aiia ----------------------------------------------------------------------------

    def _aiia(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if method == "GET" and path == "/v1/oauth/connect":
            q.setdefault("scope", "accounts offline_access")
            grant = self._start_authorize("aiia", q)
            if grant is None:
                return None
            if set(grant.scopes) - {"accounts", "offline_access"} or "accounts" not in grant.scopes:
                return self._redirect_back(grant.redirect_uri, {"error": "invalid_scope", "state": grant.state or ""})
            grant.one_time = "offline_access" not in grant.scopes
            return self._to_consent(grant, 301 if grant.one_time else 302)
        if method == "POST" and path == "/v1/oauth/token":
            if not self._client_from_basic("aiia"):
                return self._json(401, {"error": "invalid_client", "errorMessage": "Client authentication failed"})
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self._json(415, {"error": "invalid_request", "errorMessage": "JSON body expected"})
            try:
                data = json.loads(body)
            except ValueError:
                return self._json(400, {"error": "invalid_request", "errorMessage": "Malformed JSON"})
            if data.get("grant_type") == "authorization_code":
                won = self._redeem("aiia", str(data.get("code", "")), data.get("redirect_uri"), None)
                if isinstance(won, str):
                    return self._json(400, {"error": won, "errorMessage": "The code is invalid or expired"})
                tokens = self._tokens(won, refresh=not won.one_time)
                tokens["consentId"] = won.consent_id
                return self._json(200, tokens)
            if data.get("grant_type") == "refresh_token":
                consent = self._refresh_grant("aiia", str(data.get("refresh_token", "")), rotate=True)
                if consent is None:
                    return self._json(400, {"error": "invalid_grant", "errorMessage": "Refresh token is invalid"})
                return self._json(200, self._tokens(consent, refresh=True))
            return self._json(400, {"error": "unsupported_grant_type"})
        consent = self._bearer("aiia")
        if consent is None:
            return self._json(
                401, {"errorType": "Unauthorized", "errorMessage": "Access token invalid or consent gone"}
            )
        if self._fault():
            return None
        today = st.today()
        parts = path.split("/")
        if path == "/v1/accounts":
            ledger = st.ledgers["aiia"]
            return self._json(
                200,
                {
                    "accounts": [
                        {
                            "id": a.id,
                            "name": a.name,
                            "currency": a.currency,
                            "owner": a.owner,
                            "type": "Consumption",
                            "accountProvider": {"id": "DK_Sandbox", "name": "Sandbox Bank"},
                            "booked": {"currency": a.currency, "value": _major(ledger.balance(a.id, today), a)},
                            "available": {
                                "currency": a.currency,
                                "value": _major(ledger.balance(a.id, today, True), a),
                            },
                            "number": {"iban": a.iban, "bban": a.iban[4:]},
                            "lastSynchronized": datetime.fromtimestamp(st.now(), UTC)
                            .isoformat()
                            .replace("+00:00", "Z"),
                            "isOrphaned": False,
                            "syncStatus": "Finished",
                        }
                        for a in self._accounts("aiia", consent)
                    ]
                },
            )
        if len(parts) == 5 and parts[2] == "accounts" and parts[4] == "transactions":
            account_id = unquote(parts[3])
            if account_id not in consent.accounts:
                return self._json(404, {"errorType": "NotFound", "errorMessage": "Unknown account"})
            rows = self._txs("aiia", account_id)
            start = int(q.get("pagingToken") or 0) if (q.get("pagingToken") or "0").isdigit() else 0
            size = min(max(int(q.get("pageSize") or 100), 1), 1000)
            chunk = rows[start : start + size]
            return self._json(
                200,
                {
                    "pagingToken": str(start + size) if start + size < len(rows) else None,
                    "transactions": [
                        {
                            "id": _provider_tx_id("aiia", t, t.pending_at(today)),
                            "accountId": account_id,
                            "date": t.day.isoformat(),
                            "text": t.description,
                            "originalText": t.description,
                            "transactionAmount": {"currency": t.currency, "value": t.amount()},
                            "state": "Reserved" if t.pending_at(today) else "Booked",
                            "type": "Card",
                            "detail": {
                                "valueDate": t.day.isoformat(),
                                ("destination" if t.minor < 0 else "source"): {"name": t.counterparty},
                            },
                            "isDeleted": False,
                        }
                        for t in chunk
                    ],
                },
            )
        return self._json(404, {"errorType": "NotFound", "errorMessage": "No such endpoint"})

    # -- Aritma --------------------------------------------------------------------------

    def _aritma(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        parts = path.split("/")
        if len(parts) == 4 and parts[2] == "connect" and parts[3] == "authorize" and method == "GET":
            grant = self._start_authorize("aritma", q)
            if grant is None:
                return None
            if q.get("prompt") not in (None, "none", "login") or (
                q.get("acr_values") == "mfa" and q.get("prompt") != "login"
            ):
                return self._redirect_back(grant.redirect_uri, {"error": "invalid_request", "state": grant.state or ""})
            if q.get("prompt") == "none":
                return self._redirect_back(grant.redirect_uri, {"error": "login_required", "state": grant.state or ""})
            return self._to_consent(grant)
        if len(parts) == 4 and parts[2] == "connect" and parts[3] == "token" and method == "POST":
            form = {k: v[0] for k, v in self._form(body).items()}
            client = st.clients["aritma"]
            if form.get("client_id") != client.client_id or form.get("client_secret") != client.client_secret:
                return self._oauth_error("invalid_client", 401)
            if form.get("grant_type") == "authorization_code":
                won = self._redeem("aritma", form.get("code", ""), form.get("redirect_uri"), form.get("code_verifier"))
                if isinstance(won, str):
                    return self._oauth_error(won)
                tokens = self._tokens(won, refresh="offline_access" in won.scopes)
                tokens["id_token"] = _fake_jwt({"sub": "alex", "aud": client.client_id, "nonce": won.nonce})
                return self._json(200, tokens)
            if form.get("grant_type") == "refresh_token":
                consent = self._refresh_grant("aritma", form.get("refresh_token", ""), rotate=True)
                if consent is None:
                    return self._oauth_error("invalid_grant")
                return self._json(200, self._tokens(consent, refresh=True))
            return self._oauth_error("unsupported_grant_type")
        return self._berlin("aritma", path, q, "/api/accounts", "unstructuredRemittanceInformation")

    # -- ConnectPay ----------------------------------------------------------------------

    def _connectpay(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        if method == "GET" and path == "/auth/v1/oauth2/authorize":
            redirect = q.get("redirect_url", "")
            if urlsplit(redirect).query:
                return self._json(
                    400, {"error": "invalid_request", "error_description": "redirect_url must not contain a query"}
                )
            grant = self._start_authorize("connectpay", q, "redirect_url")
            if grant is None:
                return None
            psd2 = {"psd2-ais", "psd2-pis"}
            scopes = set(grant.scopes)
            if not scopes or (scopes & psd2 and scopes - psd2) or not scopes <= psd2:
                return self._json(
                    400, {"error": "invalid_scope", "error_description": "PSD2 and proprietary scopes cannot be mixed"}
                )
            if (q.get("flowId") or q.get("flowid")) != "GetPSD2AuthCode":
                return self._json(400, {"error": "invalid_request", "error_description": "unknown flowId"})
            try:
                if uuid.UUID(q.get("nonce", "")).version != 4:
                    raise ValueError
            except ValueError:
                return self._json(400, {"error": "invalid_request", "error_description": "nonce must be a GUIDv4"})
            return self._to_consent(grant, 301)
        if method == "POST" and path == "/auth/v1/oauth2/token":
            if not self._client_from_basic("connectpay"):
                return self._oauth_error("invalid_client", 401)
            if not self.headers.get("X-Request-ID"):
                return self._oauth_error("invalid_request", 400, "X-Request-ID header is required")
            form = {k: v[0] for k, v in self._form(body).items()}
            if form.get("grant_type") == "authorization_code":
                won = self._redeem("connectpay", form.get("code", ""), None, None)
                if isinstance(won, str):
                    return self._oauth_error(won)
                tokens = self._tokens(won, refresh=True)
            elif form.get("grant_type") == "refresh_token":
                consent = self._refresh_grant("connectpay", form.get("refresh_token", ""), rotate=True)
                if consent is None:
                    return self._oauth_error("invalid_grant")
                tokens = self._tokens(consent, refresh=True)
            else:
                return self._oauth_error("unsupported_grant_type")
            tokens["refresh_token_expires_in"] = "2592000"  # noqa: S105 (a lifetime, sent as a string)
            tokens["client_customer_name"] = "Al********en"
            return self._json(200, tokens)
        return self._berlin("connectpay", path, q, "/v1/accounts", "remittanceInformationUnstructured")

    def _berlin(self, provider: str, path: str, q: dict[str, str], base: str, remittance: str) -> None:
        st = self.st
        consent = self._bearer(provider)
        if consent is None:
            return self._json(
                401,
                {"tppMessages": [{"category": "ERROR", "code": "TOKEN_INVALID", "text": "Token invalid or revoked"}]},
            )
        if self._fault():
            return None
        today = st.today()
        ledger = st.ledgers[provider]
        if path == base:
            return self._json(
                200,
                {
                    "accounts": [
                        {
                            "resourceId": a.id,
                            "iban": a.iban,
                            "currency": a.currency,
                            "name": a.name,
                            "ownerName": a.owner,
                            "cashAccountType": "CACC",
                            "_links": {"balances": {"href": f"/{provider}{base}/{a.id}/balances"}},
                        }
                        for a in self._accounts(provider, consent)
                    ]
                },
            )
        rest = path[len(base) :].split("/")
        if len(rest) != 3 or rest[1] not in consent.accounts:
            return self._json(
                404, {"tppMessages": [{"category": "ERROR", "code": "RESOURCE_UNKNOWN", "text": "Unknown resource"}]}
            )
        account = next(a for a in ledger.accounts if a.id == rest[1])
        if rest[2] == "balances":
            stamp = datetime.fromtimestamp(st.now(), UTC).isoformat()
            return self._json(
                200,
                {
                    "account": {"iban": account.iban},
                    "balances": [
                        {
                            "balanceType": "closingBooked",
                            "balanceAmount": {
                                "currency": account.currency,
                                "amount": _money_json(_major(ledger.balance(account.id, today), account)),
                            },
                            "referenceDate": today.isoformat(),
                            "lastChangeDateTime": stamp,
                        },
                        {
                            "balanceType": "interimAvailable",
                            "balanceAmount": {
                                "currency": account.currency,
                                "amount": _money_json(_major(ledger.balance(account.id, today, True), account)),
                            },
                            "lastChangeDateTime": stamp,
                        },
                    ],
                },
            )
        if rest[2] != "transactions":
            return self._json(
                404, {"tppMessages": [{"category": "ERROR", "code": "RESOURCE_UNKNOWN", "text": "Unknown resource"}]}
            )
        status = q.get("bookingStatus", "both")
        rows = self._txs(provider, account.id, _parse_day(q.get("dateFrom")), _parse_day(q.get("dateTo")))
        start = int(q.get("page") or q.get("cursor") or 0)
        size = 100
        chunk = rows[start : start + size]
        booked, pending = [], []
        for t in chunk:
            is_pending = t.pending_at(today)
            entry: dict[str, Any] = {
                "transactionAmount": {"currency": t.currency, "amount": _money_json(t.amount())},
                "valueDate": t.day.isoformat(),
                remittance: t.description,
                ("creditorName" if t.minor < 0 else "debtorName"): t.counterparty,
            }
            tid = _provider_tx_id(provider, t, is_pending)
            if tid:
                entry["transactionId"] = tid
            if is_pending:
                entry["transactionDate"] = t.day.isoformat()
                if status in ("pending", "both"):
                    pending.append(entry)
            else:
                entry["bookingDate"] = t.day.isoformat()
                if status in ("booked", "both"):
                    booked.append(entry)
        links: dict[str, Any] = {"account": {"href": f"/{provider}{base}/{account.id}"}}
        if start + size < len(rows):
            params = {k: v for k, v in q.items() if k not in ("page", "cursor")}
            params["page" if provider == "connectpay" else "cursor"] = str(start + size)
            links["next"] = {"href": f"/{provider}{base}/{account.id}/transactions?{urlencode(params)}"}
        return self._json(
            200,
            {
                "account": {"iban": account.iban},
                "transactions": {"booked": booked, "pending": pending, "_links": links},
            },
        )

    # -- Tatra banka ---------------------------------------------------------------------

    def _tatrabanka(self, method: str, path: str, q: dict[str, str], body: bytes) -> None:
        st = self.st
        if method == "GET" and path == "/auth/oauth/v2/authorize":
            grant = self._start_authorize("tatrabanka", q)
            if grant is None:
                return None
            if "AISP" not in grant.scopes:
                return self._redirect_back(grant.redirect_uri, {"error": "invalid_scope", "state": grant.state or ""})
            return self._to_consent(grant)
        if method == "POST" and path == "/auth/oauth/v2/token":
            if not self._client_from_basic("tatrabanka"):
                return self._oauth_error("invalid_client", 401)
            form = {k: v[0] for k, v in self._form(body).items()}
            if form.get("grant_type") == "authorization_code":
                won = self._redeem(
                    "tatrabanka", form.get("code", ""), form.get("redirect_uri"), form.get("code_verifier")
                )
                if isinstance(won, str):
                    return self._oauth_error(won)
                return self._json(200, self._tokens(won, refresh=True))
            if form.get("grant_type") == "refresh_token":
                consent = self._refresh_grant("tatrabanka", form.get("refresh_token", ""), rotate=True)
                if consent is None:
                    return self._oauth_error("invalid_grant")
                return self._json(200, self._tokens(consent, refresh=True))
            return self._oauth_error("unsupported_grant_type")
        consent = self._bearer("tatrabanka")
        if consent is None:
            return self._json(401, {"error": "invalid_token", "error_description": "The token is expired or revoked"})
        if not self.headers.get("Request-ID"):
            return self._json(400, {"error": "invalid_request", "error_description": "Request-ID header is required"})
        if self._fault():
            return None
        today = st.today()
        ledger = st.ledgers["tatrabanka"]
        accounts = {a.iban: a for a in self._accounts("tatrabanka", consent)}
        if method == "GET" and path == "/api/v1/accounts":
            return self._json(
                200, {"accounts": [{"iban": a.iban, "currency": a.currency, "name": a.name} for a in accounts.values()]}
            )
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return self._json(400, {"error": "invalid_request", "error_description": "Malformed JSON"})
        account = accounts.get(str(data.get("iban")))
        if method == "POST" and path == "/api/v1/accounts/information":
            if account is None:
                return self._json(404, {"error": "not_found", "error_description": "Unknown IBAN"})
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
                                "value": _money_json(_major(ledger.balance(account.id, today), account)),
                                "currency": account.currency,
                            },
                        },
                        {
                            "type": "InterimAvailable",
                            "amount": {
                                "value": _money_json(_major(ledger.balance(account.id, today, True), account)),
                                "currency": account.currency,
                            },
                        },
                    ],
                },
            )
        if method == "POST" and path == "/api/v1/accounts/transactions":
            size, page = data.get("pageSize"), data.get("page", 1)
            if not isinstance(size, int) or size not in range(10, 101, 10):
                return self._json(
                    400, {"error": "invalid_request", "error_description": "pageSize must be one of 10, 20, ..., 100"}
                )
            if not isinstance(page, int) or not 1 <= page <= 99_999_999:
                return self._json(
                    400, {"error": "invalid_request", "error_description": "page must be between 1 and 99999999"}
                )
            since, until = _parse_day(data.get("dateFrom")), _parse_day(data.get("dateTo"))
            if since and until and since > until:
                return self._json(400, {"error": "invalid_request", "error_description": "dateFrom is after dateTo"})
            if account is None:
                return self._json(404, {"error": "not_found", "error_description": "Unknown IBAN"})
            wanted = str(data.get("status", "ALL"))
            rows = [
                t
                for t in self._txs("tatrabanka", account.id, since, until)
                if wanted == "ALL" or (wanted == "INFO") == t.pending_at(today)
            ]
            count = max(1, -(-len(rows) // size))
            chunk = rows[(page - 1) * size : page * size]
            return self._json(
                200,
                {
                    "page": page,
                    "pageSize": size,
                    "pageCount": count,
                    "transactions": [
                        {
                            "transactionId": t.id,
                            "status": "INFO" if t.pending_at(today) else "BOOK",
                            "bookingDate": t.day.isoformat(),
                            "valueDate": t.day.isoformat(),
                            "amount": {"value": _money_json(t.amount()), "currency": t.currency},
                            "remittanceInformation": t.description,
                            "counterpartyName": t.counterparty,
                        }
                        for t in chunk
                    ],
                },
            )
        return self._json(404, {"error": "not_found", "error_description": "No such endpoint"})

    # -- admin ---------------------------------------------------------------------------

    def _admin(self, method: str, what: str, body: bytes) -> None:
        st = self.st
        data = json.loads(body or b"{}") if method == "POST" else {}
        if method == "GET" and what.startswith("truth/"):
            return self._json(200, self.server.ground_truth(what[len("truth/") :]))
        if method != "POST":
            return self._json(404, {"error": "not_found"})
        with st.lock:
            if what == "revoke":
                for consent, _ in st.access.values():
                    if consent.provider == data.get("provider"):
                        consent.revoked = True
                for consent in st.refresh.values():
                    if consent.provider == data.get("provider"):
                        consent.revoked = True
            elif what == "expire":
                for consent, _ in st.access.values():
                    if consent.provider == data.get("provider"):
                        consent.expired = True
            elif what == "advance":
                st.offset += float(data.get("seconds", 0))
            elif what == "faults":
                st.fail_rate = float(data.get("rate", 0))
                st.fault_kinds = tuple(data.get("kinds") or FAULT_KINDS)
                st.latency_ms = int(data.get("latency_ms", 0))
            elif what == "transactions":
                provider = data["provider"]
                ledger = st.ledgers[provider]
                account = next(a for a in ledger.accounts if a.id == data.get("account", ledger.accounts[0].id))
                st.counter += 1
                today = st.today()
                tx = Tx(
                    f"{provider[:2]}add-{st.counter:06d}",
                    account.id,
                    today,
                    int(Decimal(str(data["amount"])).scaleb(2)),
                    account.currency,
                    str(data.get("description", "Added")),
                    str(data.get("counterparty", "Sandbox")),
                    today + timedelta(days=1) if data.get("pending") else None,
                )
                ledger.txs[account.id].append(tx)
            else:
                return self._json(404, {"error": "not_found"})
        return self._json(200, {"ok": True})


def _major(minor: int, account: Account) -> Decimal:
    return Decimal(minor).scaleb(-2)


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _fake_jwt(claims: dict[str, Any]) -> str:
    """An unsigned id_token-shaped value (the sandbox has no keys to sign with)."""

    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState) -> None:
        self.state = state
        super().__init__(address, SandboxHandler)

    def ground_truth(self, provider: str) -> dict[str, Any]:
        """What the bank holds now, as the provider would present it (ids per its rules)."""
        st = self.state
        today = st.today()
        ledger = st.ledgers[provider]
        out: dict[str, Any] = {"provider": provider, "today": today.isoformat(), "accounts": []}
        with st.lock:
            for a in ledger.accounts:
                txs = []
                for t in ledger.txs[a.id]:
                    if t.day > today:
                        continue
                    pending = t.pending_at(today)
                    txs.append(
                        {
                            "id": _provider_tx_id(provider, t, pending),
                            "status": "pending" if pending else "booked",
                            "date": t.day.isoformat(),
                            "amount": _money_json(t.amount()),
                            "currency": t.currency,
                            "description": t.description,
                        }
                    )
                out["accounts"].append(
                    {
                        "id": a.id,
                        "name": a.name,
                        "iban": a.iban,
                        "currency": a.currency,
                        "booked_balance": _money_json(_major(ledger.balance(a.id, today), a)),
                        "transactions": txs,
                    }
                )
        return out


def _provider_tx_id(provider: str, t: Tx, pending: bool) -> str | None:
    if provider == "aiia":
        return t.id if pending else f"{t.id}-B"
    if provider == "connectpay" and pending:
        return None  # pending entries carry no transactionId in the NextGenPSD2 shape
    return t.id
