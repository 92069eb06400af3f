"""``/tatrabanka``: Tatra banka's Accounts API ("bank-ais-oauth-v2").

The response field names are not public: the shapes here are this simulator's inference. Every
API call needs ``Authorization: Bearer`` and ``Request-ID``; pageSize is 10, 20, ..., 100.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from saldo_sandbox import oauth
from saldo_sandbox.data import Account
from saldo_sandbox.exchange import Exchange
from saldo_sandbox.faults import maybe_fail
from saldo_sandbox.wire import major, money_text, parse_day

STATUSES = {"ALL": "all", "BOOK": "booked", "INFO": "pending"}


def authorize(x: Exchange) -> None:
    grant = oauth.start_authorize(x, "tatrabanka", x.q)
    if "AISP" not in grant.scopes:
        oauth.redirect_back(x, grant.redirect_uri, {"error": "invalid_scope"}, grant.state)
    oauth.to_consent(x, grant)


def token(x: Exchange) -> None:
    if not oauth.basic_client(x, "tatrabanka"):
        oauth.grant_error(x, "tatrabanka", "invalid_client", "Client authentication failed.", 401)
    form = x.form1()
    maybe_fail(x, "token")
    x.json(200, oauth.plain_tokens(x, "tatrabanka", form, "Unknown grant_type."))


def _bad(x: Exchange, description: str, status: int = 400) -> NoReturn:
    x.answer(status, {"error": "invalid_request" if status == 400 else "not_found", "error_description": description})


def _accounts(x: Exchange) -> dict[str, Account]:
    """The consented accounts by IBAN, after the token, Request-ID and fault checks."""
    consent = oauth.bearer(x, "tatrabanka")
    if consent is None:
        x.answer(401, {"error": "invalid_token", "error_description": "The token is expired or revoked"})
    if not x.headers.get("Request-ID"):
        _bad(x, "Request-ID header is required")
    maybe_fail(x)
    return {a.iban: a for a in oauth.granted(x, "tatrabanka", consent)}


def _paging(x: Exchange, page: object, size: object, default_size: int) -> tuple[int, int]:
    size = default_size if size is None else size
    if not isinstance(size, int) or isinstance(size, bool) or size not in range(10, 101, 10):
        _bad(x, "pageSize must be one of 10, 20, ..., 100")
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= 99_999_999:
        _bad(x, "page must be between 1 and 99999999")
    return page, size


def _body(x: Exchange) -> dict[str, Any]:
    try:
        data = json.loads(x.body or b"{}")
    except ValueError:
        _bad(x, "Malformed JSON")
    if not isinstance(data, dict):
        _bad(x, "A JSON object is expected")
    return data


def accounts(x: Exchange) -> None:
    found = _accounts(x)
    try:
        page, size = _paging(x, int(x.q.get("page") or 1), int(x.q["pageSize"]) if "pageSize" in x.q else None, 50)
    except ValueError:
        _bad(x, "page and pageSize are numbers")
    rows = sorted(found.values(), key=lambda a: a.iban, reverse=x.q.get("order") == "desc")
    x.json(
        200,
        {
            "page": page,
            "pageSize": size,
            "pageCount": max(1, -(-len(rows) // size)),
            "accounts": [
                {"iban": a.iban, "currency": a.currency, "name": a.name} for a in rows[(page - 1) * size : page * size]
            ],
        },
    )


def information(x: Exchange) -> None:
    found = _accounts(x)
    account = found.get(str(_body(x).get("iban")))
    if account is None:
        _bad(x, "Unknown IBAN", 404)
    ledger, today = x.st.ledger("tatrabanka"), x.st.today()
    x.json(
        200,
        {
            "iban": account.iban,
            "currency": account.currency,
            "name": account.name,
            "ownerName": account.owner,
            "balances": [
                {
                    "type": kind,
                    "amount": {
                        "value": money_text(major(ledger.balance(account.id, today, pending), account)),
                        "currency": account.currency,
                    },
                }
                for kind, pending in (("InterimBooked", False), ("InterimAvailable", True))
            ],
        },
    )


def transactions(x: Exchange) -> None:
    found = _accounts(x)
    data = _body(x)
    account = found.get(str(data.get("iban")))
    page, size = _paging(x, data.get("page", 1), data.get("pageSize"), 0)
    since, until = parse_day(data.get("dateFrom")), parse_day(data.get("dateTo"))
    if since and until and since > until:
        _bad(x, "dateFrom is after dateTo")
    if account is None:
        _bad(x, "Unknown IBAN", 404)
    wanted = STATUSES.get(str(data.get("status", "ALL")))
    if wanted is None:
        _bad(x, "status must be ALL, BOOK or INFO")
    today = x.st.today()
    view = x.st.ledger("tatrabanka").view(account.id, today, since, until, wanted)
    x.json(
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


def not_found(x: Exchange) -> None:
    if x.path.startswith("/tatrabanka/api/"):
        _accounts(x)
        _bad(x, "No such endpoint", 404)
    x.json(404, {"error": "not_found", "error_description": "No such endpoint"})
