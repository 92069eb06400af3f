"""Transfers between the person's own accounts: found, paired, and kept out of spending and income.

Two booked transactions are the legs of one transfer when they sit on two different accounts
held in Saldo, have the same amount with opposite signs in the same currency, and are dated at
most ``WINDOW_DAYS`` apart. Each leg pairs at most once, with the closest date winning (then
the lower id, so a re-run pairs the same way). A leg the person marked or unmarked by hand is
left alone; a rule may also mark a transaction as a transfer without a second leg.

Money moved between own accounts is neither spending nor income: ``monthly_in_out`` leaves
out every transaction marked as a transfer, and so do the reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from desktop_app.core.errors import TransferError
from desktop_app.core.money import Money
from desktop_app.core.store import MonthTotals, Store

WINDOW_DAYS = 3


_FREE = "status = 'booked' AND withdrawn_at IS NULL AND (transfer_source IS NULL OR transfer_source = 'rule')"


def pair_transfers(store: Store, *, after_id: int = 0) -> int:
    """Pair the legs of transfers among transactions with id > `after_id` and everything near them.

    Returns how many pairs were made.
    """
    span = store._read(f"SELECT min(date), max(date) FROM transactions WHERE id > ? AND {_FREE}", (after_id,))[0]
    if span[0] is None:
        return 0
    first = date.fromordinal(date.fromisoformat(span[0]).toordinal() - WINDOW_DAYS).isoformat()
    last = date.fromordinal(date.fromisoformat(span[1]).toordinal() + WINDOW_DAYS).isoformat()
    # Both legs lie in [first, last] on two accounts: with fewer accounts there (a statement
    # imported while no other account has rows from its period) there is nothing to look at.
    held = store._read(
        "SELECT count(*) FROM (SELECT 1 FROM accounts a WHERE EXISTS (SELECT 1 FROM transactions "
        f"WHERE account_id = a.id AND date BETWEEN ? AND ? AND {_FREE} AND amount_minor != 0) LIMIT 2)",
        (first, last),
    )
    if held[0][0] < 2:
        return 0
    # Only rows whose amount (either sign) occurs among the new ones, and on two accounts, can
    # take part (a statement import into one account mostly has none: nothing to load then).
    rows = store._read(
        f"SELECT id, account_id, date, amount_minor, currency FROM transactions "
        f"WHERE date BETWEEN ? AND ? AND {_FREE} AND amount_minor != 0 AND abs(amount_minor) IN "
        f"(SELECT abs(amount_minor) FROM transactions WHERE id > ? AND {_FREE}) AND abs(amount_minor) IN "
        f"(SELECT abs(amount_minor) FROM transactions WHERE date BETWEEN ? AND ? AND {_FREE} "
        "GROUP BY abs(amount_minor) HAVING min(account_id) != max(account_id))",
        (first, last, after_id, first, last),
    )
    by_key: dict[tuple[str, int], list[tuple[int, int, int]]] = defaultdict(list)
    for tx_id, account_id, day, minor, currency in rows:
        by_key[(currency, minor)].append((date.fromisoformat(day).toordinal(), tx_id, account_id))
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for (currency, minor), outgoing in sorted(by_key.items()):
        if minor > 0:
            continue
        incoming = by_key.get((currency, -minor), [])
        if not incoming:
            continue
        options = sorted(
            (abs(d_out - d_in), out_id, in_id)
            for d_out, out_id, acc_out in outgoing
            for d_in, in_id, acc_in in incoming
            if acc_out != acc_in and abs(d_out - d_in) <= WINDOW_DAYS and (out_id > after_id or in_id > after_id)
        )
        for _, out_id, in_id in options:
            if out_id in used or in_id in used:
                continue
            used.update((out_id, in_id))
            pairs.append((out_id, in_id))
    if pairs:
        with store._write() as conn:
            conn.executemany(
                "UPDATE transactions SET transfer_id = ?, transfer_source = 'auto' WHERE id = ?",
                [(b, a) for a, b in pairs] + [(a, b) for a, b in pairs],
            )
    return len(pairs)


def transfer_of(store: Store, transaction_id: int) -> tuple[int | None, str | None]:
    """(other leg id — 0 when none is held, source) of a transaction; (None, …) when not a transfer."""
    rows = store._read("SELECT transfer_id, transfer_source FROM transactions WHERE id = ?", (transaction_id,))
    if not rows:
        raise TransferError(f"There is no transaction {transaction_id}.")
    return rows[0][0], rows[0][1]


def mark_transfer(store: Store, transaction_id: int, other_id: int | None = None) -> None:
    """The person says: this is a transfer (with `other_id` as its other leg, when held)."""
    with store._write() as conn:
        found = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT id, account_id, amount_minor, currency FROM transactions WHERE id IN (?, ?)",
                (transaction_id, other_id or -1),
            )
        }
        if transaction_id not in found or (other_id is not None and other_id not in found):
            raise TransferError(f"There is no transaction {other_id if transaction_id in found else transaction_id}.")
        if other_id is not None:
            a, b = found[transaction_id], found[other_id]
            if a[0] == b[0] or a[1] != -b[1] or a[2] != b[2]:
                raise TransferError("The two legs of a transfer are on two accounts with opposite, equal amounts.")
        _unlink(conn, [transaction_id] + ([other_id] if other_id is not None else []))
        conn.execute(
            "UPDATE transactions SET transfer_id = ?, transfer_source = 'manual' WHERE id = ?",
            (other_id or 0, transaction_id),
        )
        if other_id is not None:
            conn.execute(
                "UPDATE transactions SET transfer_id = ?, transfer_source = 'manual' WHERE id = ?",
                (transaction_id, other_id),
            )


def unmark_transfer(store: Store, transaction_id: int) -> None:
    """The person says: not a transfer. Pairing and rules leave it alone from now on."""
    with store._write() as conn:
        if conn.execute("SELECT 1 FROM transactions WHERE id = ?", (transaction_id,)).fetchone() is None:
            raise TransferError(f"There is no transaction {transaction_id}.")
        _unlink(conn, [transaction_id])
        conn.execute(
            "UPDATE transactions SET transfer_id = NULL, transfer_source = 'manual' WHERE id = ?", (transaction_id,)
        )


def _unlink(conn: Any, ids: Sequence[int]) -> None:
    """Free the other legs these transactions were paired with: a pair ends for both legs."""
    for tx_id in ids:
        conn.execute(
            "UPDATE transactions SET transfer_id = NULL, transfer_source = NULL WHERE transfer_id = ?", (tx_id,)
        )


def monthly_in_out(store: Store, account_ids: Sequence[int] | None = None) -> list[MonthTotals]:
    """Money in and out per month and currency over booked transactions, transfers left out.

    The same shape as ``Store.monthly_in_out``, for the monthly chart. Money in a category of
    kind ``transfer`` is left out too.
    """
    from desktop_app.core.reports import category_sums

    transfer_kind = {int(r[0]) for r in store._read("SELECT id FROM categories WHERE kind = 'transfer'")}
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for month, category_id, currency, minor, _ in category_sums(store, None, None, True, account_ids):
        if category_id not in transfer_kind:
            sums[(month, currency)][0 if minor > 0 else 1] += minor
    return [
        MonthTotals(m, c, Money.from_minor(v[0], c), Money.from_minor(v[1], c)) for (m, c), v in sorted(sums.items())
    ]
