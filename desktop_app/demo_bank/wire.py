"""What the Demo Bank sends: its JSON shapes (accounts, transactions, errors) and its HTML pages.

The data API, as Saldo's Demo Bank connector reads it:

* ``GET /demo/api/accounts`` → ``{"accounts": [{id, name, iban, currency, owner, balances:
  {booked, available, asOf}}]}``;
* ``GET /demo/api/accounts/{id}/transactions?from=&to=&cursor=&limit=`` (limit clamped to
  1..1000) → ``{"transactions": [{id, status: booked|pending, bookingDate, valueDate, amount,
  currency, description, counterparty, category}], "nextCursor": str|null}``.

Amounts are decimal strings; a pending movement keeps its id when it books; errors are
``{error, message}``. The development simulator (``saldo_sandbox``) serves the same shapes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any

from desktop_app.demo_bank.ledger import CURRENCY_DECIMALS, Account, Ledger, Tx

MAX_PAGE = 1000
DEFAULT_PAGE = 100


def money_text(value: Decimal) -> str:
    """A decimal string: dot, leading minus, no exponent."""
    return format(value, "f")


def major(minor: int, account: Account) -> Decimal:
    return Decimal(minor).scaleb(-CURRENCY_DECIMALS[account.currency])


def parse_day(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def error(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message}


def account_json(ledger: Ledger, a: Account, today: date, now: float) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "iban": a.iban,
        "currency": a.currency,
        "owner": a.owner,
        "balances": {
            "booked": money_text(major(ledger.balance(a.id, today), a)),
            "available": money_text(major(ledger.balance(a.id, today, True), a)),
            "asOf": datetime.fromtimestamp(now, UTC).isoformat(),
        },
    }


def tx_json(t: Tx, today: date) -> dict[str, Any]:
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


def transactions_page(ledger: Ledger, account_id: str, today: date, q: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """One page of an account's movements (the caller has checked the account was shared)."""
    try:
        start = int(q.get("cursor") or 0)
        limit = int(q.get("limit") or DEFAULT_PAGE)
    except ValueError:
        return 400, error("invalid_request", "cursor and limit are numbers.")
    if start < 0:
        return 400, error("invalid_request", "cursor must not be negative.")
    limit = min(max(limit, 1), MAX_PAGE)  # a larger page is served at the largest size
    view = ledger.view(account_id, today, parse_day(q.get("from")), parse_day(q.get("to")))
    nxt = str(start + limit) if start + limit < len(view) else None
    return 200, {"transactions": [tx_json(t, today) for t in view.page(start, limit)], "nextCursor": nxt}


def consent_page(
    bank: str,
    request_id: str,
    accounts: Iterable[Account],
    action: str,
    *,
    extra: str = "",
    note: str = "",
    show_owner: bool = False,
) -> str:
    """The consent page (``resources/sandbox/consent.html``): plain HTML, one form, no JavaScript."""
    template = (files("desktop_app.resources") / "sandbox" / "consent.html").read_text(encoding="utf-8")
    rows = "\n".join(
        f'<label><input type="checkbox" name="account" value="{html.escape(a.id)}" checked> '
        f"{html.escape(a.name)} <small>{html.escape(a.iban)} · {a.currency}"
        + (f" · {html.escape(a.owner)}" if show_owner else "")
        + "</small></label>"
        for a in accounts
    )
    return (
        template.replace("{{provider}}", html.escape(bank))
        .replace("{{request_id}}", html.escape(request_id))
        .replace("{{accounts}}", rows)
        .replace("{{extra}}", extra)
        .replace("{{note}}", html.escape(note))
        .replace("{{action}}", action)
    )


def message_page(title: str, text: str) -> str:
    """A short HTML page for a refused or expired request."""
    return f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
