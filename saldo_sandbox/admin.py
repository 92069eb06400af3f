"""``/_admin``: the simulator's controls for tests and scripts (loopback clients only).

``GET /_admin/truth/{provider}[?customer=c2]``, ``GET /_admin/state``, and ``POST /_admin/``
``revoke``, ``expire``, ``advance``, ``faults``, ``transactions``, ``settings``: JSON in, JSON
out, 400 ``{error, error_description}`` on bad input (see the package docstring).
"""

from __future__ import annotations

import json
from decimal import InvalidOperation
from typing import Any

from saldo_sandbox.exchange import Exchange
from saldo_sandbox.state import PROVIDERS, SandboxState
from saldo_sandbox.wire import major, money_text, parse_day, provider_tx_id

LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")
BAD_INPUT = (ValueError, KeyError, TypeError, InvalidOperation)


def _guard(x: Exchange) -> None:
    if x.handler.client_address[0] not in LOOPBACK:
        x.answer(403, {"error": "forbidden", "error_description": "admin is loopback only"})


def _refuse(x: Exchange, exc: Exception) -> None:
    x.json(400, {"error": "invalid_request", "error_description": str(exc)})


def truth(x: Exchange) -> None:
    _guard(x)
    name = x.params["provider"]
    if name not in PROVIDERS:
        return _refuse(x, ValueError(f"unknown provider {name!r}"))
    x.json(200, ground_truth(x.st, name, x.q.get("customer")))


def state(x: Exchange) -> None:
    _guard(x)
    st = x.st
    with st.lock:
        body = {
            "now": st.stamp(),
            "today": st.today().isoformat(),
            "seed": st.seed,
            "auto_approve": st.auto_approve,
            "faults": st.faults.describe(),
            "consents": [c.describe() for c in st.consents.values()],
        }
    x.json(200, body)


def act(x: Exchange) -> None:
    """Every ``POST /_admin/{what}``; each replaces or changes part of the simulator's state."""
    _guard(x)
    try:
        data = json.loads(x.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("a JSON object is expected")
        provider = data.get("provider")
        if provider is not None and provider not in PROVIDERS:
            raise ValueError(f"unknown provider {provider!r}")
        result = ACTIONS[x.params["what"]](x.st, data, provider)
    except BAD_INPUT as exc:
        return _refuse(x, exc)
    x.json(200, {"ok": True, **result})


def not_found(x: Exchange) -> None:
    _guard(x)
    x.json(404, {"error": "not_found", "error_description": f"no admin endpoint {x.path[len('/_admin/') :]!r}"})


def _revoke(st: SandboxState, data: dict[str, Any], provider: str | None) -> dict[str, Any]:
    return {"count": st.revoke(provider, data.get("consent_id"))}


def _expire(st: SandboxState, data: dict[str, Any], provider: str | None) -> dict[str, Any]:
    return {"count": st.expire(provider, data.get("consent_id"))}


def _advance(st: SandboxState, data: dict[str, Any], provider: str | None) -> dict[str, Any]:
    st.advance(float(data.get("seconds", 0)) + 86400 * float(data.get("days", 0)))
    return {"now": st.stamp()}


def _faults(st: SandboxState, data: dict[str, Any], provider: str | None) -> dict[str, Any]:
    with st.lock:
        st.faults.configure(data)
        return {"faults": st.faults.describe()}


def _transactions(st: SandboxState, data: dict[str, Any], provider: str | None) -> dict[str, Any]:
    if provider is None:
        raise ValueError("provider is required")
    pending = bool(data.get("pending"))
    tx = st.add_transaction(
        provider,
        str(data["amount"]),
        data.get("account"),
        str(data.get("description", "Added in the sandbox")),
        str(data.get("counterparty", "Sandbox")),
        pending,
        parse_day(data.get("date")),
        data.get("customer"),
    )
    return {
        "transaction": {
            "id": provider_tx_id(provider, tx, pending),
            "booked_id": provider_tx_id(provider, tx, False),
            "account": tx.account_id,
            "date": tx.day.isoformat(),
            "amount": money_text(tx.amount()),
            "currency": tx.currency,
            "books_on": tx.books_on.isoformat() if tx.books_on else None,
        }
    }


def _settings(st: SandboxState, data: dict[str, Any], provider: str | None) -> dict[str, Any]:
    if "auto_approve" in data:
        st.auto_approve = bool(data["auto_approve"])
    return {}


ACTIONS = {
    "revoke": _revoke,
    "expire": _expire,
    "advance": _advance,
    "faults": _faults,
    "transactions": _transactions,
    "settings": _settings,
}


def ground_truth(st: SandboxState, provider: str, customer: str | None = None) -> dict[str, Any]:
    """What the bank holds now, as the provider would present it (ids per its rules).

    ConnectPay's data is per Customer: `customer` defaults to ``c1`` (the personal one).
    """
    customer = customer or "c1"
    ledger = st.ledger(provider)
    with st.lock:
        today = st.today()
        accounts = []
        for a in st.accounts(provider, customer):
            txs = []
            for t in ledger.view(a.id, today):
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
            accounts.append(
                {
                    "id": a.id,
                    "name": a.name,
                    "iban": a.iban,
                    "currency": a.currency,
                    "owner": a.owner,
                    "customer": a.customer,
                    "booked_balance": money_text(major(ledger.balance(a.id, today), a)),
                    "available_balance": money_text(major(ledger.balance(a.id, today, True), a)),
                    "transactions": txs,
                }
            )
        return {
            "provider": provider,
            "customer": customer,
            "now": st.stamp(),
            "today": today.isoformat(),
            "accounts": accounts,
        }
