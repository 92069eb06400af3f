"""Transactions typed in by hand on manual accounts: add, edit, delete, and undo a deletion.

Only accounts of the ``manual`` connection take hand-entered transactions; a bank's own rows
stay as the bank sent them. A deletion first writes everything about the row (its fields, its
category or split, its tags) to the undo log, so ``undo_delete`` brings it back whole, under
the same key.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from desktop_app.core.accounts import MANUAL_CONNECTION, get_account
from desktop_app.core.categories import get_category, set_category
from desktop_app.core.errors import ManualEntryError, MoneyError
from desktop_app.core.models import Transaction, TransactionStatus
from desktop_app.core.money import Money
from desktop_app.core.store import Store, migrations

_COLUMNS = (
    "account_id, dedupe_key, key_version, provider_id, status, date, value_date, amount_minor, currency, description, "
    "counterparty, raw, first_seen_at, updated_at, withdrawn_at, twin_key, category_id, category_source, rule_id, "
    "guess_id, payee, transfer_id, transfer_source"
).split(", ")


def _money(amount: Decimal | str, currency: str) -> Money:
    try:
        return Money(Decimal(str(amount).strip()), currency)
    except (MoneyError, ArithmeticError, ValueError):
        raise ManualEntryError(f"{str(amount)[:40]!r} is not an amount in {currency}.") from None


def _manual_account(store: Store, account_id: int) -> str:
    account = get_account(store, account_id)
    if not account.manual:
        raise ManualEntryError(f"{account.name} comes from a bank; only manual accounts take typed-in transactions.")
    return account.currency


def _manual_row(store: Store, transaction_id: int) -> dict[str, Any]:
    rows = store._read(
        f"SELECT t.id, {', '.join('t.' + c for c in _COLUMNS)}, a.connection_id FROM transactions t "
        "JOIN accounts a ON a.id = t.account_id WHERE t.id = ?",
        (transaction_id,),
    )
    if not rows:
        raise ManualEntryError(f"There is no transaction {transaction_id}.")
    if rows[0]["connection_id"] != MANUAL_CONNECTION:
        raise ManualEntryError("This transaction comes from a bank; only hand-entered ones can be edited or deleted.")
    return {k: rows[0][k] for k in ("id", *_COLUMNS)}


def add_transaction(
    store: Store,
    account_id: int,
    day: date,
    amount: Decimal | str,
    description: str,
    counterparty: str | None = None,
    category_id: int | None = None,
) -> int:
    """Record a transaction on a manual account; returns its id."""
    currency = _manual_account(store, account_id)
    money = _money(amount, currency)
    if category_id is not None:
        get_category(store, category_id)
    key = f"manual:{uuid.uuid4().hex}"
    store.upsert_transactions(
        [
            Transaction(
                account_id=account_id,
                dedupe_key=key,
                status=TransactionStatus.BOOKED,
                booking_date=day,
                amount=money,
                description=" ".join(description.split()),
                counterparty=" ".join(counterparty.split()) if counterparty else None,
            )
        ]
    )
    found = store.transaction_by_key(account_id, key)
    assert found is not None and found.id is not None
    if category_id is not None:
        set_category(store, found.id, category_id)
    return found.id


def edit_transaction(
    store: Store,
    transaction_id: int,
    *,
    day: date | None = None,
    amount: Decimal | str | None = None,
    description: str | None = None,
    counterparty: str | None = None,
) -> None:
    """Change a hand-entered transaction; fields left None stay as they are."""
    row = _manual_row(store, transaction_id)
    changes: dict[str, Any] = {}
    if day is not None:
        changes["date"] = day.isoformat()
    if amount is not None:
        money = _money(amount, row["currency"])
        changes["amount_minor"] = money.minor_units
        if row["category_source"] == "split":
            raise ManualEntryError("This transaction is split; change the split before its amount.")
    if description is not None:
        changes["description"] = " ".join(description.split())
    if counterparty is not None:
        changes["counterparty"] = " ".join(counterparty.split()) or None
    if not changes:
        return
    changes["updated_at"] = datetime.now(UTC).isoformat()
    with store._write() as conn:
        conn.execute(
            f"UPDATE transactions SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
            [*changes.values(), transaction_id],
        )


def delete_transaction(store: Store, transaction_id: int) -> int:
    """Delete a hand-entered transaction, keeping an undo record; returns the record's id."""
    row = _manual_row(store, transaction_id)
    splits = [
        list(r)
        for r in store._read(
            "SELECT position, category_id, amount_minor FROM tx_splits WHERE transaction_id = ?", (transaction_id,)
        )
    ]
    tags = [
        list(r) for r in store._read("SELECT tag_id, source FROM tx_tags WHERE transaction_id = ?", (transaction_id,))
    ]
    payload = json.dumps({"row": {k: v for k, v in row.items() if k != "id"}, "splits": splits, "tags": tags})
    with store._write() as conn:
        cur = conn.execute(
            "INSERT INTO undo_log (created_at, action, payload) VALUES (?, 'delete_transaction', ?)",
            (datetime.now(UTC).isoformat(), payload),
        )
        conn.execute("DELETE FROM transactions WHERE id = ?", (transaction_id,))
    assert cur.lastrowid is not None
    return cur.lastrowid


def undo_delete(store: Store, undo_id: int | None = None) -> int:
    """Bring back a deleted transaction (the latest deletion by default); returns its new id."""
    sql = "SELECT id, payload FROM undo_log WHERE action = 'delete_transaction'"
    rows = store._read(
        sql + (" AND id = ?" if undo_id is not None else " ORDER BY id DESC LIMIT 1"),
        (undo_id,) if undo_id is not None else (),
    )
    if not rows:
        raise ManualEntryError("There is no deletion to undo.")
    record_id, payload = rows[0]
    data = json.loads(payload)
    row = data["row"]
    with store._write() as conn:
        if conn.execute("SELECT 1 FROM accounts WHERE id = ?", (row["account_id"],)).fetchone() is None:
            raise ManualEntryError("The account of that transaction no longer exists.")
        cur = conn.execute(
            f"INSERT INTO transactions ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            [row[c] for c in _COLUMNS],
        )
        new_id = cur.lastrowid
        assert new_id is not None
        conn.execute(migrations.INDEX_NEW_ROWS, (new_id - 1,))  # the search index, as the store does
        conn.executemany(
            "INSERT INTO tx_splits (transaction_id, position, category_id, amount_minor) VALUES (?, ?, ?, ?)",
            [(new_id, *s) for s in data["splits"]],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO tx_tags (transaction_id, tag_id, source) SELECT ?, ?, ? "
            "WHERE EXISTS (SELECT 1 FROM tags WHERE id = ?)",
            [(new_id, t[0], t[1], t[0]) for t in data["tags"]],
        )
        conn.execute("DELETE FROM undo_log WHERE id = ?", (record_id,))
    return new_id
