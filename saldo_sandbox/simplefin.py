"""``/simplefin``: SimpleFIN Bridge, written from the SimpleFIN protocol (simplefin.org/protocol.html).

* A *setup token* is the Base64 of a claim URL. ``POST`` to it (empty body) answers, once, with
  the *access URL* ``http://USER:PASS@host/simplefin/bridge`` as text; any later claim is 403.
  ``POST /simplefin/create`` makes a setup token (the real Bridge does this on a web page).
* ``GET {access}/accounts`` with HTTP Basic from the URL's userinfo. ``start-date`` (epoch,
  inclusive), ``end-date`` (epoch, exclusive), ``pending=1`` (pending rows are left out without
  it), ``account=ID`` (repeatable), ``balances-only=1``. Answer: ``{"errors": [...], "accounts":
  [{org, id, name, currency, balance, available-balance, balance-date, transactions: [{id,
  posted (0 while pending), amount (positive: money in), description, payee, memo,
  transacted_at, pending}]}]}``; amounts are decimal strings, dates epoch seconds.
* Like the Bridge: a range longer than 90 days is cut to 90 days with only a warning in
  ``errors``; more than 24 requests a day add a warning, more than 96 disable the access (403);
  a revoked access is 403. Every request's window is recorded for tests.
* A posted transaction has a new id with no link to its pending one.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from saldo_sandbox.data import Account, Tx
from saldo_sandbox.exchange import Answered, Exchange
from saldo_sandbox.faults import maybe_fail
from saldo_sandbox.state import Consent
from saldo_sandbox.wire import major, money_text, provider_tx_id, same

MAX_DAYS = 90
WARN_AFTER = 24  # requests a day the Bridge expects at most
BLOCK_AFTER = 96  # requests a day after which the Bridge disables the access
DEFAULT_DAYS = 30  # what the Bridge sends when no start-date is given


def create(x: Exchange) -> None:
    token_id = secrets.token_urlsafe(18)
    with x.st.lock:
        x.st.simplefin.setup[token_id] = x.q.get("customer", "c1")
    claim = f"{x.url}/simplefin/claim/{token_id}"
    x.send(200, base64.b64encode(claim.encode()), "text/plain")


def claim(x: Exchange) -> None:
    st, book = x.st, x.st.simplefin
    token_id = x.params["token"]
    with st.lock:
        customer = book.setup.get(token_id)
        fresh = customer is not None and token_id not in book.claimed
        if fresh:
            book.claimed.add(token_id)
    if not fresh or customer is None:
        return x.send(403, b"Forbidden: unknown or already claimed setup token", "text/plain")
    user, password = secrets.token_hex(8), secrets.token_urlsafe(24)
    accounts = tuple(a.id for a in st.accounts("simplefin", customer))
    consent = Consent("simplefin", accounts, (), False, st.now(), user, customer=customer)
    with st.lock:
        book.access[user] = (password, user)
        st.consents[user] = consent
    base = urlsplit(x.url)
    x.send(200, f"{base.scheme}://{user}:{password}@{base.netloc}/simplefin/bridge".encode(), "text/plain")


def _caller(x: Exchange) -> Consent:
    """The consent behind the Basic credentials, after the daily limit and fault checks."""
    st, book = x.st, x.st.simplefin
    auth = x.headers.get("Authorization", "")
    try:
        user, _, password = base64.b64decode(auth[6:], validate=True).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        user, password = "", ""
    with st.lock:
        known = book.access.get(user) if auth.startswith("Basic ") else None
        consent = st.consents.get(known[1]) if known and same(password, known[0]) else None
        if consent is not None:
            key = (user, st.today())
            book.requests[key] = book.requests.get(key, 0) + 1
            if book.requests[key] > BLOCK_AFTER:
                consent.revoked = True  # the Bridge disables an access that keeps overusing it
    if consent is None or consent.gone(st.now()):
        x.send(403, b"Forbidden", "text/plain")
        raise Answered
    maybe_fail(x)
    return consent


def accounts(x: Exchange) -> None:
    consent = _caller(x)
    st, book = x.st, x.st.simplefin
    query = parse_qs(urlsplit(x.handler.path).query)
    errors: list[str] = []
    today = st.today()
    try:
        end = int(query["end-date"][0]) if "end-date" in query else _epoch(today + timedelta(days=1))
        start = int(query["start-date"][0]) if "start-date" in query else end - DEFAULT_DAYS * 86400
    except ValueError:
        return x.json(400, {"errors": ["start-date and end-date are whole epoch seconds"], "accounts": []})
    with st.lock:
        book.windows.append((start, end))
        used = book.requests.get((consent.consent_id, today), 0)
    if end - start > MAX_DAYS * 86400:
        start = end - MAX_DAYS * 86400
        errors.append("The date range was longer than 90 days; only the last 90 days were returned.")
    if used > WARN_AFTER:
        errors.append("You have made more than 24 requests today; the access may be disabled.")
    wanted = set(query.get("account", [])) or set(consent.accounts)
    pending = query.get("pending", ["0"])[0] == "1"
    balances_only = query.get("balances-only", ["0"])[0] == "1"
    first, last = _day(start), _day(end - 1)
    ledger = st.ledger("simplefin")
    found = [a for a in st.accounts("simplefin", consent.customer) if a.id in consent.accounts and a.id in wanted]
    body = []
    for a in found:
        record = _account_json(x, a, today)
        if not balances_only:
            rows = ledger.view(a.id, today, first, last)
            record["transactions"] = [_tx_json(t, today) for t in rows if pending or not t.pending_at(today)]
        body.append(record)
    x.json(200, {"errors": errors, "accounts": body})


def not_found(x: Exchange) -> None:
    x.send(404, b"Not found", "text/plain")


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time(0), UTC).timestamp())


def _noon(day: date) -> int:
    return _epoch(day) + 12 * 3600  # the same calendar day in every time zone from UTC-11 to UTC+11


def _day(epoch: int) -> date:
    return datetime.fromtimestamp(epoch, UTC).date()


def _account_json(x: Exchange, a: Account, today: date) -> dict[str, Any]:
    ledger = x.st.ledger("simplefin")
    return {
        "org": {"domain": "bank.example", "sfin-url": f"{x.url}/simplefin/bridge", "name": "Sandbox Bank"},
        "id": a.id,
        "name": a.name,
        "currency": a.currency,
        "balance": money_text(major(ledger.balance(a.id, today), a)),
        "available-balance": money_text(major(ledger.balance(a.id, today, True), a)),
        "balance-date": int(x.st.now()),
        "transactions": [],
    }


def _tx_json(t: Tx, today: date) -> dict[str, Any]:
    pending = t.pending_at(today)
    return {
        "id": provider_tx_id("simplefin", t, pending),
        "posted": 0 if pending else _noon(t.day),
        "amount": money_text(t.amount()),
        "description": t.description,
        "payee": t.counterparty,
        "memo": "",
        "transacted_at": _noon(t.day),
        "pending": pending,
    }
