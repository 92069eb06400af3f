"""Berlin Group (NextGenPSD2) style account data, as Aritma's banking API and ConnectPay serve it.

String amounts, ``booked``/``pending`` lists, paging by ``_links.next``: Aritma with an opaque
``cursor``, ConnectPay with ``page`` numbers from 1 (100 entries a page).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from saldo_sandbox.data import Account, Ledger
from saldo_sandbox.exchange import Exchange
from saldo_sandbox.oauth import granted
from saldo_sandbox.state import Consent
from saldo_sandbox.wire import cursor, major, money_text, parse_day, provider_tx_id, uncursor


def berlin_error(x: Exchange, status: int, code: str, text: str) -> None:
    x.json(status, {"tppMessages": [{"category": "ERROR", "code": code, "text": text}]})


def serve_berlin(x: Exchange, provider: str, consent: Consent, base: str, remittance: str) -> None:
    """``{base}``, ``{base}/{id}``, ``{base}/{id}/balances`` and ``{base}/{id}/transactions``."""
    st = x.st
    q = x.q
    path = x.path[len(provider) + 1 :]
    today = st.today()
    ledger = st.ledger(provider)
    prefix = f"/{provider}"
    if path == base:
        accounts = []
        for a in granted(x, provider, consent):
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
                entry["balances"] = _balances(x, ledger, a, today)
            accounts.append(entry)
        return x.json(200, {"accounts": accounts})
    rest = path[len(base) :].split("/") if path.startswith(base + "/") else []
    if len(rest) not in (2, 3) or rest[1] not in consent.accounts:
        return berlin_error(x, 404, "RESOURCE_UNKNOWN", "Unknown resource")
    account = ledger.account(rest[1])
    if len(rest) == 2:
        return x.json(
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
        return x.json(200, {"account": {"iban": account.iban}, "balances": _balances(x, ledger, account, today)})
    if rest[2] != "transactions":
        return berlin_error(x, 404, "RESOURCE_UNKNOWN", "Unknown resource")
    status = q.get("bookingStatus", "both")
    if status not in ("booked", "pending", "both"):
        return berlin_error(x, 400, "PARAMETER_NOT_SUPPORTED", "bookingStatus must be booked, pending or both")
    since, until = parse_day(q.get("dateFrom")), parse_day(q.get("dateTo"))
    if since and until and since > until:
        return berlin_error(x, 400, "PERIOD_INVALID", "dateFrom is after dateTo")
    view = ledger.view(account.id, today, since, until, "all" if status == "both" else status)
    size = 100
    if provider == "connectpay":  # pages are numbered from 1
        try:
            page = int(q.get("page") or 1)
        except ValueError:
            page = 0
        if page < 1:
            return berlin_error(x, 400, "FORMAT_ERROR", "page must be 1 or more")
        start, next_token = (page - 1) * size, str(page + 1)
    else:
        found = uncursor(q.get("cursor"))
        if found is None:
            return berlin_error(x, 400, "FORMAT_ERROR", "Unknown cursor")
        start, next_token = found, cursor(found + size)
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
    return x.json(
        200,
        {
            "account": {"iban": account.iban},
            "transactions": {"booked": booked, "pending": pending, "_links": links},
        },
    )


def _balances(x: Exchange, ledger: Ledger, account: Account, today: date) -> list[dict[str, Any]]:
    stamp = x.st.stamp()
    return [
        {
            "balanceType": "closingBooked",
            "balanceAmount": {
                "currency": account.currency,
                "amount": money_text(major(ledger.balance(account.id, today), account)),
            },
            "referenceDate": today.isoformat(),
            "lastChangeDateTime": stamp,
        },
        {
            "balanceType": "interimAvailable",
            "balanceAmount": {
                "currency": account.currency,
                "amount": money_text(major(ledger.balance(account.id, today, True), account)),
            },
            "lastChangeDateTime": stamp,
        },
    ]


# -- Tatra banka ---------------------------------------------------------------------
