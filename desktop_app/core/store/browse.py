"""Browsing the transactions table: the count and sums of a filter, sorted pages, any block of rows.

The GUI's table shows every row of a filter with a proportional scrollbar, so it needs the
total count up front and must read any block of rows quickly: near a block it has already
read it continues by keyset (key, id); anywhere else it counts from the nearer end, so the
oldest of a million rows is one short query away. Sorting by amount or counterparty uses
the indexes of migration step 4. Functions take the Store and read through it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from desktop_app.core.models import Transaction
from desktop_app.core.money import Money
from desktop_app.core.store.rows import TX_COLUMNS, MonthTotals, TxFilter, fts_query, transaction_from_row
from desktop_app.core.store.store import Store

ID_MASK = 4294967295  # the low half of the search index's rowid is the transaction id


class SortKey(StrEnum):
    DATE = "date"
    AMOUNT = "amount"
    COUNTERPARTY = "counterparty"


_EXPR = {
    SortKey.DATE: "t.date",
    SortKey.AMOUNT: "t.amount_minor",
    SortKey.COUNTERPARTY: "coalesce(t.counterparty, '')",
}


@dataclass(frozen=True, slots=True)
class Sort:
    key: SortKey = SortKey.DATE
    descending: bool = True


@dataclass(frozen=True, slots=True)
class Position:
    """A row's place in a sort order: its sort value and its id (ties broken by id)."""

    value: str | int
    id: int


def position(t: Transaction, sort: Sort) -> Position:
    assert t.id is not None  # read from the cache
    if sort.key is SortKey.AMOUNT:
        return Position(t.amount.minor_units, t.id)
    if sort.key is SortKey.COUNTERPARTY:
        return Position(t.counterparty or "", t.id)
    return Position(t.booking_date.isoformat(), t.id)


def filter_sql(filt: TxFilter) -> tuple[list[str], list[Any]] | None:
    """WHERE terms for `filt` over ``transactions t``; None when the search can match nothing."""
    where: list[str] = []
    params: list[Any] = []
    if filt.account_ids is not None:
        where.append(f"t.account_id IN ({', '.join('?' * len(filt.account_ids))})" if filt.account_ids else "0")
        params += list(filt.account_ids)
    for column, op, value in (("t.date", ">=", filt.date_from), ("t.date", "<=", filt.date_to)):
        if value is not None:
            where.append(f"{column} {op} ?")
            params.append(value.isoformat())
    if filt.status is not None:
        where.append("t.status = ?")
        params.append(filt.status.value)
    if filt.direction in ("in", "out"):
        where.append("t.amount_minor > 0" if filt.direction == "in" else "t.amount_minor < 0")
    if not filt.include_withdrawn:
        where.append("t.withdrawn_at IS NULL")
    if filt.search:
        query = fts_query(filt.search)
        if query is None:
            return None
        where.append(f"t.id IN (SELECT rowid & {ID_MASK} FROM transactions_fts WHERE transactions_fts MATCH ?)")
        params.append(query)
    return where, params


def _clause(where: list[str]) -> str:
    return ("WHERE " + " AND ".join(where)) if where else ""


def count(store: Store, filt: TxFilter) -> int:
    """How many transactions match `filt`."""
    sql = filter_sql(filt)
    if sql is None:
        return 0
    where, params = sql
    return int(store._read(f"SELECT count(*) FROM transactions t {_clause(where)}", params)[0][0])


def sums(store: Store, filt: TxFilter) -> list[Money]:
    """The sum of the matching transactions in each currency (withdrawn ones left out)."""
    sql = filter_sql(filt)
    if sql is None:
        return []
    where, params = sql
    where = [*where, "t.withdrawn_at IS NULL"]
    rows = store._read(
        f"SELECT t.currency, sum(t.amount_minor) FROM transactions t {_clause(where)} "
        "GROUP BY t.currency ORDER BY t.currency",
        params,
    )
    return [Money.from_minor(int(r[1]), r[0]) for r in rows]


def rows(
    store: Store,
    filt: TxFilter,
    sort: Sort,
    limit: int,
    *,
    after: Position | None = None,
    offset: int = 0,
    backward: bool = False,
) -> list[Transaction]:
    """Up to `limit` rows in display order.

    Forward: the rows after `after` (or after skipping `offset` rows from the top). Backward:
    the rows just before `after` (or the last rows after skipping `offset` from the bottom),
    still returned top to bottom.
    """
    expr = _EXPR[sort.key]
    ascending = sort.descending == backward  # walking backward through a descending list goes up
    direction, compare = ("ASC", ">") if ascending else ("DESC", "<")
    order = f"ORDER BY {expr} {direction}, t.id {direction}"
    accounts = filt.account_ids or ()
    if sort.key is SortKey.DATE and len(accounts) > 1:
        # One walk down each account's (account, date) index, merged: an IN (...) over several
        # accounts would make SQLite sort every earlier row again for each page.
        parts = [
            _select(replace(filt, account_ids=(a,)), expr, compare, after, f"{order} LIMIT {offset + limit}")
            for a in accounts
        ]
        found = [p for p in parts if p is not None]
        if not found:
            return []
        sql = " UNION ALL ".join(f"SELECT * FROM ({q})" for q, _ in found)
        params = [v for _, ps in found for v in ps]
        order = order.replace("t.id", "id").replace(expr, expr.replace("t.", ""))
        rows_found = store._read(f"SELECT * FROM ({sql}) {order} LIMIT ? OFFSET ?", [*params, limit, offset])
    else:
        single = _select(filt, expr, compare, after, f"{order} LIMIT ? OFFSET ?")
        if single is None:
            return []
        rows_found = store._read(single[0], [*single[1], limit, offset])
    page = [transaction_from_row(r) for r in rows_found]
    return page[::-1] if backward else page


def _select(filt: TxFilter, expr: str, compare: str, after: Position | None, tail: str) -> tuple[str, list[Any]] | None:
    sql = filter_sql(filt)
    if sql is None:
        return None
    where, params = sql
    if after is not None:
        where = [*where, f"({expr}, t.id) {compare} (?, ?)"]
        params = [*params, after.value, after.id]
    columns = ", ".join("t." + c for c in TX_COLUMNS.replace("raw, ", "").split(", "))
    return f"SELECT {columns}, NULL AS raw FROM transactions t {_clause(where)} {tail}", params


def transaction(store: Store, transaction_id: int) -> Transaction | None:
    """One transaction with the provider's raw record (for the detail view)."""
    found = store._read(f"SELECT {TX_COLUMNS} FROM transactions WHERE id = ?", (transaction_id,))
    return transaction_from_row(found[0]) if found else None


_NOT_A_TRANSFER = (
    "t.transfer_source IS NULL AND (t.category_id IS NULL OR "
    "t.category_id NOT IN (SELECT id FROM categories WHERE kind = 'transfer'))"
)


def monthly_in_out(store: Store, filt: TxFilter, currency: str | None = None) -> list[MonthTotals]:
    """Money in and out per month over the booked transactions that match `filt`.

    Transfers between the person's own accounts (paired, marked, or in a transfer category)
    are neither income nor spending: they are left out."""
    sql = filter_sql(filt)
    if sql is None:
        return []
    where, params = sql
    where = [*where, "t.status = 'booked'", "t.withdrawn_at IS NULL", _NOT_A_TRANSFER]
    if currency is not None:
        where.append("t.currency = ?")
        params = [*params, currency]
    found = store._read(
        "SELECT substr(t.date, 1, 7) AS month, t.currency, "
        "sum(CASE WHEN t.amount_minor > 0 THEN t.amount_minor ELSE 0 END), "
        "sum(CASE WHEN t.amount_minor < 0 THEN t.amount_minor ELSE 0 END) "
        f"FROM transactions t {_clause(where)} GROUP BY month, t.currency ORDER BY month, t.currency",
        params,
    )
    return [
        MonthTotals(r[0], r[1], Money.from_minor(int(r[2]), r[1]), Money.from_minor(int(r[3]), r[1])) for r in found
    ]
