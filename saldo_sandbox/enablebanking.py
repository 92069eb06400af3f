"""``/enablebanking``: Enable Banking's API, written from its public API reference.

* Every call needs ``Authorization: Bearer <JWT>``: RS256 only, ``kid`` = a registered
  application id, ``iss: enablebanking.com``, ``aud: api.enablebanking.com``, ``exp`` in the
  future and at most 24 h after ``iat``; signed with that application's key (401 otherwise).
* ``GET /application`` → ``{name, kid, environment, redirect_urls, active}``.
* ``GET /aspsps?country=`` → ``{"aspsps": [{name, country, logo, psu_types,
  maximum_consent_validity (seconds), beta, bic}]}``: a mock bank and a second one, any country.
* ``POST /auth`` ``{access: {valid_until}, aspsp: {name, country}, state, redirect_url,
  psu_type}`` → ``{url, authorization_id, psu_id_hash}``. The redirect URL must equal a registered
  one exactly (port included), else 400 REDIRECT_URI_NOT_ALLOWED; ``valid_until`` beyond the
  bank's maximum is 422 WRONG_REQUEST_PARAMETERS. The url leads to the shared consent page,
  which sends the browser to ``redirect_url?code=…&state=…`` (or ``error=access_denied``).
* ``POST /sessions {code}`` → ``{session_id, accounts: [{uid, identification_hash, …}], aspsp,
  access: {valid_until}}``; ``GET`` / ``DELETE /sessions/{id}``. A uid belongs to one session;
  the identification hash is the same in every session.
* ``GET /accounts/{uid}/details | balances | transactions`` (``date_from``, ``date_to``,
  ``transaction_status`` BOOK|PDNG, ``continuation_key``; 50 rows a page). Amounts are unsigned
  strings with ``credit_debit_indicator``. A pending row's ``entry_reference`` differs from its
  booked one; the second account's references are positional (``YYYY-MM-DD-N``), as one real
  bank's are. An expired, revoked or closed session is 401 EXPIRED_SESSION / REVOKED_SESSION.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import UTC, date, datetime
from typing import Any, NoReturn
from urllib.parse import unquote

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from saldo_sandbox import oauth
from saldo_sandbox.data import Account, Tx
from saldo_sandbox.exchange import Exchange
from saldo_sandbox.faults import maybe_fail
from saldo_sandbox.state import Consent, Grant
from saldo_sandbox.wire import cursor, major, money_text, parse_day, uncursor

PAGE = 50
BANKS = (("Mock ASPSP", 180 * 86400), ("Sandbox Sparbank", 90 * 86400))


def identification_hash(account: Account) -> str:
    return hashlib.sha256(f"eb:{account.iban}".encode()).hexdigest()[:40]


def _error(x: Exchange, status: int, error: str, message: str) -> NoReturn:
    x.answer(status, {"code": status, "message": message, "error": error, "detail": None})


def _app(x: Exchange) -> str:
    """The application id behind a valid JWT, after the fault checks."""
    book = x.st.enablebanking
    auth = x.headers.get("Authorization", "")
    token = auth[7:] if auth[:7].lower() == "bearer " else ""
    try:
        header = json.loads(_b64(token.split(".")[0]))
        app = book.apps.get(str(header.get("kid")))
        if app is None or header.get("alg") != "RS256":
            raise ValueError("unknown kid or algorithm")
        claims = jwt.decode(token, RSAKey.import_key(app[0]), algorithms=["RS256"]).claims
    except (ValueError, IndexError, JoseError, TypeError, AttributeError):
        _error(x, 401, "UNAUTHORIZED_ACCESS", "Invalid JWT")
    now = x.st.clock()  # the wall clock: the admin's time travel moves the bank's days, not the JWT's
    iat, exp = claims.get("iat"), claims.get("exp")
    if (
        claims.get("iss") != "enablebanking.com"
        or claims.get("aud") != "api.enablebanking.com"
        or not isinstance(iat, int)
        or not isinstance(exp, int)
        or exp - iat > 86400
        or exp <= now
    ):
        _error(x, 401, "UNAUTHORIZED_ACCESS", "JWT claims rejected")
    with x.st.lock:
        book.jwts_seen += 1
    maybe_fail(x)
    return str(header["kid"])


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _body(x: Exchange) -> dict[str, Any]:
    try:
        data = json.loads(x.body or b"{}")
    except ValueError:
        _error(x, 400, "WRONG_REQUEST_PARAMETERS", "Malformed JSON")
    if not isinstance(data, dict):
        _error(x, 400, "WRONG_REQUEST_PARAMETERS", "A JSON object is expected")
    return data


def application(x: Exchange) -> None:
    app_id = _app(x)
    urls = x.st.enablebanking.apps[app_id][1]
    x.json(
        200,
        {
            "name": "Saldo test app",
            "kid": app_id,
            "environment": "SANDBOX",
            "redirect_urls": list(urls),
            "active": True,
        },
    )


def aspsps(x: Exchange) -> None:
    _app(x)
    country = (x.q.get("country") or "FI").upper()
    x.json(
        200,
        {
            "aspsps": [
                {
                    "name": name,
                    "country": country,
                    "logo": "",
                    "psu_types": ["personal", "business"],
                    "maximum_consent_validity": validity,
                    "beta": False,
                    "bic": "MOCKFIHH",
                    "auth_methods": [],
                }
                for name, validity in BANKS
            ]
        },
    )


def auth(x: Exchange) -> None:
    app_id = _app(x)
    data = _body(x)
    redirect = data.get("redirect_url")
    if not isinstance(redirect, str) or redirect not in x.st.enablebanking.apps[app_id][1]:
        _error(x, 400, "REDIRECT_URI_NOT_ALLOWED", "Redirect URI not allowed")
    bank = next((b for b in BANKS if b[0] == (data.get("aspsp") or {}).get("name")), None)
    if bank is None:
        _error(x, 404, "ASPSP_NOT_FOUND", "ASPSP not found")
    try:
        until = datetime.fromisoformat(str((data.get("access") or {}).get("valid_until")))
        if until.tzinfo is None:
            raise ValueError("no offset")
    except ValueError:
        _error(x, 422, "WRONG_REQUEST_PARAMETERS", "access.valid_until must be RFC 3339 with an offset")
    if until.timestamp() > x.st.now() + bank[1]:
        _error(
            x,
            422,
            "WRONG_REQUEST_PARAMETERS",
            f"ASPSP does not support consent validity more than {bank[1]} seconds in the future",
        )
    grant = Grant("enablebanking", app_id, redirect, (), str(data.get("state") or ""), None, created=x.st.now())
    request_id = secrets.token_urlsafe(16)
    with x.st.lock:
        x.st.pending_requests[request_id] = grant
        x.st.enablebanking.valid_until[grant.consent_id] = until.timestamp()  # carried to the session
    x.json(
        200,
        {
            "url": f"{x.url}/enablebanking/start?request_id={request_id}",
            "authorization_id": str(uuid.uuid4()),
            "psu_id_hash": secrets.token_hex(8),
        },
    )


def start(x: Exchange) -> None:
    with x.st.lock:
        grant = x.st.pending_requests.pop(x.q.get("request_id", ""), None)
    if grant is None:
        return x.html(404, "<!doctype html><title>Expired</title><p>This authorisation has expired.</p>")
    oauth.to_consent(x, grant)


def sessions(x: Exchange) -> None:
    _app(x)
    code = str(_body(x).get("code", ""))
    with x.st.lock:
        found = x.st.codes.pop(code, None)
    if found is None or found[0].provider != "enablebanking" or x.st.now() - found[1] > 600:
        _error(x, 400, "EXPIRED_AUTHORIZATION_CODE", "Authorization code is expired or was used")
    grant = found[0]
    session_id = str(uuid.uuid4())
    st, book = x.st, x.st.enablebanking
    with st.lock:
        st.consents[session_id] = Consent("enablebanking", grant.accounts, (), False, st.now(), session_id)
        book.valid_until[session_id] = book.valid_until.pop(grant.consent_id, 0.0)
        uids = {}
        for account_id in grant.accounts:
            uid = str(uuid.uuid4())
            book.uids[uid] = (session_id, account_id)
            uids[account_id] = uid
    x.json(
        200,
        {
            "session_id": session_id,
            "accounts": [_details(a, uids[a.id]) for a in _granted(x, grant.accounts)],
            "aspsp": {"name": BANKS[0][0], "country": "FI"},
            "psu_type": "personal",
            "access": {"valid_until": _stamp(book.valid_until[session_id])},
        },
    )


def session(x: Exchange) -> None:
    _app(x)
    session_id = unquote(x.params["session"])
    consent = _live(x, session_id)
    book = x.st.enablebanking
    with x.st.lock:
        data = [
            {"uid": uid, "identification_hash": identification_hash(x.st.ledger("enablebanking").account(acc))}
            for uid, (sid, acc) in book.uids.items()
            if sid == session_id
        ]
    if x.method == "DELETE":
        with x.st.lock:
            consent.revoked = True
        return x.json(200, {"message": "OK"})
    x.json(
        200,
        {
            "status": "AUTHORIZED",
            "accounts": [d["uid"] for d in data],
            "accounts_data": data,
            "access": {"valid_until": _stamp(book.valid_until[session_id])},
        },
    )


def _live(x: Exchange, session_id: str) -> Consent:
    consent = x.st.consents.get(session_id)
    if consent is None or consent.provider != "enablebanking":
        _error(x, 404, "NOT_FOUND", "Session not found")
    if consent.revoked:
        _error(x, 401, "REVOKED_SESSION", "Session is revoked or closed")
    if consent.expired or x.st.now() > x.st.enablebanking.valid_until.get(session_id, 0):
        _error(x, 401, "EXPIRED_SESSION", "Session has expired")
    return consent


def account(x: Exchange) -> None:
    _app(x)
    found = x.st.enablebanking.uids.get(unquote(x.params["uid"]))
    if found is None:
        _error(x, 404, "ACCOUNT_DOES_NOT_EXIST", "Account does not exist")
    _live(x, found[0])
    ledger, today = x.st.ledger("enablebanking"), x.st.today()
    acc = ledger.account(found[1])
    what = x.params["what"]
    if what == "details":
        return x.json(200, _details(acc, x.params["uid"]))
    if what == "balances":
        return x.json(
            200,
            {
                "balances": [
                    {
                        "name": name,
                        "balance_type": kind,
                        "balance_amount": {
                            "amount": money_text(major(ledger.balance(acc.id, today, pending), acc)),
                            "currency": acc.currency,
                        },
                    }
                    for name, kind, pending in (("Booked", "CLBD", False), ("Available", "ITAV", True))
                ]
            },
        )
    _transactions(x, acc, today)


def _transactions(x: Exchange, acc: Account, today: date) -> None:
    status = x.q.get("transaction_status")
    wanted = {"BOOK": "booked", "PDNG": "pending", None: "all"}.get(status)
    if wanted is None:
        _error(x, 422, "WRONG_REQUEST_PARAMETERS", "Unknown transaction_status")
    since, until = parse_day(x.q.get("date_from")), parse_day(x.q.get("date_to"))
    if until and not since:
        _error(x, 422, "DATE_TO_WITHOUT_DATE_FROM", "date_to without date_from")
    start = uncursor(x.q.get("continuation_key"))
    if start is None:
        _error(x, 422, "WRONG_CONTINUATION_KEY", "Wrong continuation key")
    view = x.st.ledger("enablebanking").view(acc.id, today, since, until, wanted)
    ledger = x.st.ledger("enablebanking")
    positional = acc.id == ledger.accounts[-1].id
    rows = []
    for t in view.page(start, PAGE):
        # one bank numbers each day's rows in order: a late entry shifts the numbers after it
        place = [r.id for r in ledger.view(acc.id, today, t.day, t.day)].index(t.id) if positional else 0
        rows.append(_tx(t, today, place if positional else None))
    nxt = cursor(start + PAGE) if start + PAGE < len(view) else None
    x.json(200, {"transactions": rows, "continuation_key": nxt})


def _tx(t: Tx, today: date, place: int | None) -> dict[str, Any]:
    pending = t.pending_at(today)
    if place is not None:
        reference = f"{t.day.isoformat()}-{place + 1}"  # positional: YYYY-MM-DD-N
    else:
        reference = f"{'P' if pending else 'B'}-{t.id}"  # changes when the row books
    party = {"name": t.counterparty}
    return {
        "entry_reference": reference,
        "transaction_amount": {"amount": money_text(abs(t.amount())), "currency": t.currency},
        "credit_debit_indicator": "DBIT" if t.minor < 0 else "CRDT",
        "status": "PDNG" if pending else "BOOK",
        "booking_date": None if pending else t.day.isoformat(),
        "transaction_date": t.day.isoformat(),
        "value_date": t.day.isoformat(),
        ("creditor" if t.minor < 0 else "debtor"): party,
        "remittance_information": [t.description],
    }


def _details(acc: Account, uid: str) -> dict[str, Any]:
    return {
        "uid": uid,
        "identification_hash": identification_hash(acc),
        "account_id": {"iban": acc.iban},
        "name": acc.name,
        "currency": acc.currency,
        "cash_account_type": "CACC",
        "usage": "PRIV",
    }


def _granted(x: Exchange, ids: tuple[str, ...]) -> list[Account]:
    return [a for a in x.st.ledger("enablebanking").accounts if a.id in ids]


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def not_found(x: Exchange) -> None:
    x.json(404, {"code": 404, "message": "Not found", "error": "NOT_FOUND", "detail": None})
