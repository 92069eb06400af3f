"""Undoing a deletion: put transactions back and lift their tombstones, in one atomic step.

Deleting leaves a tombstone so a later sync does not bring the row back; undoing must lift
that tombstone too, or the row would come back now but be skipped by the next import.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core.models import Transaction
from desktop_app.core.store.rows import UpsertResult
from desktop_app.core.store.store import Store


def restore_transactions(store: Store, transactions: Sequence[Transaction]) -> UpsertResult:
    """Put deleted `transactions` (as read before deleting, raw record included) back."""
    if not transactions:
        return UpsertResult()
    with store._write() as conn:
        conn.executemany(
            "DELETE FROM tombstones WHERE account_id = ? AND dedupe_key = ?",
            [(t.account_id, t.dedupe_key) for t in transactions],
        )
        return store._upsert(conn, transactions)
