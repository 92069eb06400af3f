"""Reading transactions: pages, search, counts and the series the charts draw."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from desktop_app.core.errors import StoreError
from desktop_app.core.models import (
    BalanceKind,
    BalanceSnapshot,
    Transaction,
)
from desktop_app.core.money import Money
from desktop_app.core.store.base import StoreBase
from desktop_app.core.store.rows import (
    TX_COLUMNS,
    Cursor,
    MonthTotals,
    TxFilter,
    as_dt,
    fts_query,
    sort_key,
    transaction_from_row,
    where_clause,
)

ALL = TxFilter()


class TransactionReads(StoreBase):
    def booked_sum(self, account_id: int, after: date, upto: date) -> int:
        """Sum in minor units of booked, not withdrawn transactions dated in (after, upto]."""
        row = self._read(
            "SELECT coalesce(sum(amount_minor), 0) FROM transactions INDEXED BY tx_account_day "
            "WHERE account_id = ? AND date > ? AND date <= ? AND status = 'booked' AND withdrawn_at IS NULL",
            (account_id, after.isoformat(), upto.isoformat()),
        )[0]
        return int(row[0])

    def transaction_by_key(self, account_id: int, dedupe_key: str) -> Transaction | None:
        rows = self._read(
            f"SELECT {TX_COLUMNS} FROM transactions WHERE account_id = ? AND dedupe_key = ?",
            (account_id, dedupe_key),
        )
        return transaction_from_row(rows[0]) if rows else None

    def count_transactions(self, account_id: int | None = None) -> int:
        if account_id is None:
            return int(self._read("SELECT count(*) FROM transactions")[0][0])
        return int(self._read("SELECT count(*) FROM transactions WHERE account_id = ?", (account_id,))[0][0])

    def last_booked_date(self, account_id: int) -> date | None:
        row = self._read(
            "SELECT max(date) FROM transactions WHERE account_id = ? AND status = 'booked' AND withdrawn_at IS NULL",
            (account_id,),
        )[0]
        return date.fromisoformat(row[0]) if row[0] else None

    def transactions_page(
        self, filt: TxFilter = ALL, after: Cursor | None = None, limit: int = 50, *, with_raw: bool = True
    ) -> tuple[list[Transaction], Cursor | None]:
        """One page of transactions, newest first (or oldest first), and the next page's cursor (None at the end).

        Keyset pagination on (date, id): a page is as fast at the end of a million rows as at
        the start, and rows inserted meanwhile never shift or repeat what was already shown.
        """
        where, params = where_clause(filt)
        names = TX_COLUMNS if with_raw else TX_COLUMNS.replace("raw, ", "NULL AS raw, ")
        columns = ", ".join(c if c.startswith("NULL") else "t." + c for c in names.split(", "))
        order, before = ("ASC", ">") if filt.oldest_first else ("DESC", "<")
        query = fts_query(filt.search) if filt.search else None
        if filt.search and query is None:
            return [], None
        if query is not None:
            # Walk the search index newest first (its rowid is the (day, id) sort key).
            where.append("f.transactions_fts MATCH ?")
            params.append(query)
            if after is not None:
                where.append(f"f.rowid {before} ?")
                params.append(sort_key(after.date, after.id))
            sql = (
                f"SELECT {columns} FROM transactions_fts f JOIN transactions t ON t.id = (f.rowid & 4294967295) "
                f"WHERE {' AND '.join(where)} ORDER BY f.rowid {order} LIMIT ?"
            )
        else:
            if after is not None:
                where.append(f"(t.date, t.id) {before} (?, ?)")
                params += [after.date, after.id]
            sql = (
                f"SELECT {columns} FROM transactions t "
                + ("WHERE " + " AND ".join(where) if where else "")
                + f" ORDER BY t.date {order}, t.id {order} LIMIT ?"
            )
        rows = self._read(sql, [*params, limit])
        page = [transaction_from_row(r) for r in rows]
        cursor = Cursor(rows[-1]["date"], rows[-1]["id"]) if len(rows) == limit else None
        return page, cursor

    def iter_transactions(self, filt: TxFilter = ALL, page_size: int = 1000) -> Iterator[Transaction]:
        """Every transaction matching `filt`, newest first, read page by page."""
        cursor: Cursor | None = None
        while True:
            page, cursor = self.transactions_page(filt, cursor, page_size)
            yield from page
            if cursor is None:
                return

    def search(self, text: str, limit: int = 50) -> list[Transaction]:
        """Newest transactions whose description or counterparty contain every word typed (prefixes)."""
        page, _ = self.transactions_page(TxFilter(search=text), None, limit)
        return page

    # -- charts ----------------------------------------------------------------------

    def daily_balance_series(
        self, account_id: int, start: date | None = None, end: date | None = None
    ) -> list[tuple[date, Money]]:
        """End-of-day balance for every day from `start` to `end` (default: first to last transaction).

        Anchored on the latest booked balance the bank reported, when there is one: the balance
        on day d is anchor + (booked sum up to d) − (booked sum up to the anchor's day). Without
        an anchor the account is assumed to have opened at zero.
        """
        currency_row = self._read("SELECT currency FROM accounts WHERE id = ?", (account_id,))
        if not currency_row:
            raise StoreError(f"No account {account_id}.")
        currency = currency_row[0][0]
        daily = self._read(
            "SELECT date, sum(amount_minor) FROM transactions INDEXED BY tx_account_day "
            "WHERE account_id = ? AND status = 'booked' AND withdrawn_at IS NULL AND currency = ? "
            "GROUP BY date ORDER BY date",
            (account_id, currency),
        )
        if not daily:
            return []
        days = [date.fromisoformat(r[0]) for r in daily]
        sums = [int(r[1]) for r in daily]
        anchor = self.latest_balance(account_id)
        offset = 0
        if anchor is not None and anchor.amount.currency == currency:
            anchor_day = anchor.as_of.date()
            upto = sum(s for d, s in zip(days, sums, strict=True) if d <= anchor_day)
            offset = anchor.amount.minor_units - upto
        first = start or days[0]
        last = end or max(days[-1], anchor.as_of.date() if anchor else days[-1])
        series: list[tuple[date, Money]] = []
        running = offset
        i = 0
        day = min(first, days[0])
        while day <= last:
            while i < len(days) and days[i] == day:
                running += sums[i]
                i += 1
            if day >= first:
                series.append((day, Money.from_minor(running, currency)))
            day += timedelta(days=1)
        return series

    def monthly_in_out(self, account_ids: Sequence[int] | None = None) -> list[MonthTotals]:
        """Money in and out per calendar month and currency, over booked transactions."""
        where = "status = 'booked' AND withdrawn_at IS NULL"
        params: list[Any] = []
        if account_ids is not None:
            where += f" AND account_id IN ({', '.join('?' * len(account_ids))})"
            params += list(account_ids)
        rows = self._read(
            "SELECT substr(date, 1, 7) AS month, currency, "
            "sum(CASE WHEN amount_minor > 0 THEN amount_minor ELSE 0 END), "
            "sum(CASE WHEN amount_minor < 0 THEN amount_minor ELSE 0 END) "
            f"FROM transactions WHERE {where} GROUP BY month, currency ORDER BY month, currency",
            params,
        )
        return [
            MonthTotals(r[0], r[1], Money.from_minor(int(r[2]), r[1]), Money.from_minor(int(r[3]), r[1])) for r in rows
        ]

    # -- balances --------------------------------------------------------------------

    def balances(self, account_id: int, kind: BalanceKind = BalanceKind.BOOKED) -> list[BalanceSnapshot]:
        rows = self._read(
            "SELECT * FROM balances WHERE account_id = ? AND kind = ? ORDER BY as_of", (account_id, kind.value)
        )
        return [
            BalanceSnapshot(
                r["account_id"],
                BalanceKind(r["kind"]),
                Money.from_minor(r["amount_minor"], r["currency"]),
                as_dt(r["as_of"]),
            )
            for r in rows
        ]

    def latest_balance(self, account_id: int, kind: BalanceKind = BalanceKind.BOOKED) -> BalanceSnapshot | None:
        rows = self._read(
            "SELECT * FROM balances WHERE account_id = ? AND kind = ? ORDER BY as_of DESC LIMIT 1",
            (account_id, kind.value),
        )
        if not rows:
            return None
        r = rows[0]
        return BalanceSnapshot(account_id, kind, Money.from_minor(r["amount_minor"], r["currency"]), as_dt(r["as_of"]))
