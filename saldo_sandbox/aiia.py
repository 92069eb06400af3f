"""``/aiia``: Aiia Connect Flow and One Time Flow (see the package docstring for the rules)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import unquote

from saldo_sandbox import oauth
from saldo_sandbox.data import Account, Ledger, Tx
from saldo_sandbox.exchange import Exchange
from saldo_sandbox.faults import maybe_fail
from saldo_sandbox.state import AIIA_TOKEN_TYPE, Consent
from saldo_sandbox.wire import cursor, major, provider_tx_id, uncursor


def connect(x: Exchange) -> None:
    x.q.setdefault("scope", "accounts offline_access")  # the documented default
    grant = oauth.start_authorize(x, "aiia", x.q)
    if set(grant.scopes) - {"accounts", "offline_access"} or "accounts" not in grant.scopes:
        oauth.redirect_back(x, grant.redirect_uri, {"error": "invalid_scope"}, grant.state)
    grant.one_time = "offline_access" not in grant.scopes
    grant.group = x.q.get("accountsGroupId") or x.q.get("accountsGroupName")
    oauth.to_consent(x, grant, 301 if grant.one_time else 302)


def token(x: Exchange) -> None:
    if not oauth.basic_client(x, "aiia"):
        return x.json(401, {"error": "invalid_client", "errorMessage": "Client authentication failed"})
    if not x.headers.get("Content-Type", "").startswith("application/json"):
        return x.json(415, {"error": "invalid_request", "errorMessage": "A JSON body is expected"})
    try:
        data = json.loads(x.body)
    except ValueError:
        return x.json(400, {"error": "invalid_request", "errorMessage": "Malformed JSON"})
    if not isinstance(data, dict):
        return x.json(400, {"error": "invalid_request", "errorMessage": "A JSON object is expected"})
    maybe_fail(x, "token")
    if data.get("grant_type") == "authorization_code":
        redirect = data.get("redirect_uri")
        grant = oauth.redeem(
            x, "aiia", str(data.get("code", "")), redirect if isinstance(redirect, str) else None, None, True
        )
        tokens = oauth.mint(x, grant, refresh=True)  # one-time too: the seed shows both tokens
        tokens.update(token_type=AIIA_TOKEN_TYPE, redirect_uri=grant.redirect_uri, consentId=grant.consent_id)
        return x.json(200, tokens)
    if data.get("grant_type") == "refresh_token":
        renewed = oauth.use_refresh(x, "aiia", str(data.get("refresh_token", "")))
        tokens = oauth.mint(x, renewed, refresh=True)
        tokens.update(token_type=AIIA_TOKEN_TYPE, consentId=renewed.consent_id)
        return x.json(200, tokens)
    return x.json(400, {"error": "unsupported_grant_type", "errorMessage": "Unknown grant_type"})


def _consent(x: Exchange) -> Consent:
    consent = oauth.bearer(x, "aiia")
    if consent is None:
        x.answer(401, {"errorType": "Unauthorized", "errorMessage": "Access token invalid or consent gone"})
    maybe_fail(x)
    return consent


def _account(x: Exchange, consent: Consent) -> Account:
    account_id = unquote(x.params["account"])
    if account_id not in consent.accounts:
        x.answer(404, {"errorType": "NotFound", "errorMessage": "Unknown account"})
    return x.st.ledger("aiia").account(account_id)


def accounts(x: Exchange) -> None:
    consent = _consent(x)
    ledger, today = x.st.ledger("aiia"), x.st.today()
    x.json(200, {"accounts": [_account_json(x, ledger, a, today) for a in oauth.granted(x, "aiia", consent)]})


def account(x: Exchange) -> None:
    consent = _consent(x)
    x.json(200, _account_json(x, x.st.ledger("aiia"), _account(x, consent), x.st.today()))


def transactions(x: Exchange) -> None:
    found = _account(x, _consent(x))
    start = uncursor(x.q.get("pagingToken"))
    if start is None:
        return x.json(400, {"errorType": "BadRequest", "errorMessage": "Invalid pagingToken"})
    try:
        size = int(x.q.get("pageSize") or 100)
    except ValueError:
        size = 0
    if not 1 <= size <= 1000:
        return x.json(400, {"errorType": "BadRequest", "errorMessage": "pageSize must be 1..1000"})
    today = x.st.today()
    view = x.st.ledger("aiia").view(found.id, today)
    return x.json(
        200,
        {
            "pagingToken": cursor(start + size) if start + size < len(view) else None,
            "transactions": [_tx_json(t, today) for t in view.page(start, size)],
        },
    )


def not_found(x: Exchange) -> None:
    _consent(x)  # a bad token is 401 on any path that is not OAuth
    x.json(404, {"errorType": "NotFound", "errorMessage": "No such endpoint"})


def _account_json(x: Exchange, ledger: Ledger, a: Account, today: date) -> dict[str, Any]:
    booked = major(ledger.balance(a.id, today), a)
    available = major(ledger.balance(a.id, today, True), a)
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
        "lastSynchronized": x.st.stamp(),
        "isOrphaned": False,
        "syncStatus": "Finished",
        "groupId": None,
        "groupName": None,
    }


def _tx_json(t: Tx, today: date) -> dict[str, Any]:
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
