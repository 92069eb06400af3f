"""Sums per month for reports and net worth: from the per-month summaries where a period covers
whole months, from the rows themselves for the days at its edges (and whenever the summaries
cannot be brought up to date, as in a cache opened read-only or not yet checked).

What counts for reports: booked, not withdrawn transactions that are not marked as transfers;
a split transaction counts by its parts. Balances count every booked, not withdrawn movement.
See ``store.summaries`` for how the summaries stay right.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from desktop_app.core.errors import StoreError
from desktop_app.core.store import Store
from desktop_app.core.store.summaries import replace_balance_month, replace_report_month, stale_months

log = logging.getLogger(__name__)

COUNTS = "t.status = 'booked' AND t.withdrawn_at IS NULL AND t.transfer_id IS NULL"
Sum = tuple[str, int, str, int, int]  # (month or '', category id or 0, currency, minor units, count)


def _iso(start: date | None, end: date | None) -> tuple[str, str]:
    return (start.isoformat() if start else "0000"), (end.isoformat() if end else "9999")


def direct_sums(
    store: Store, start: date | None, end: date | None, by_month: bool, account_ids: Sequence[int] | None = None
) -> list[Sum]:
    """Report sums read from the rows: money in and money out of a category come as separate rows.

    Walks the period through the (date, id) index and reads the rows; splits add their parts.
    """
    low, high = _iso(start, end)
    month = "substr(t.date, 1, 7)" if by_month else "''"
    where = f"t.date BETWEEN ? AND ? AND {COUNTS}"
    params: list[Any] = [low, high]
    if account_ids is not None:
        where += f" AND t.account_id IN ({', '.join('?' * len(account_ids))})"
        params += list(account_ids)
    rows = _whole_rows(store, month, where, params)
    splits = store._read(
        # CROSS JOIN keeps the (few) split parts as the outer loop instead of every row of the period
        f"SELECT {month}, s.category_id, t.currency, sum(s.amount_minor), count(*) FROM tx_splits s "
        f"CROSS JOIN transactions t ON t.id = s.transaction_id WHERE {where} GROUP BY 1, 2, 3, s.amount_minor > 0",
        params,
    )
    return [(str(r[0]), int(r[1]), str(r[2]), int(r[3]), int(r[4])) for r in (*rows, *splits)]


def _whole_rows(store: Store, month: str, where: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The unsplit rows' sums. Grouping by category alone, with one filtered sum per currency and
    sign, sorts on one integer instead of four keys: almost twice as fast on a year of a 1M cache.
    A currency no account has (rare: a card payment abroad kept in its own currency) takes the
    general query instead."""
    body = f"FROM transactions t INDEXED BY tx_newest WHERE {where} AND t.category_source IS NOT 'split'"
    currencies = [str(r[0]) for r in store._read("SELECT DISTINCT currency FROM accounts ORDER BY 1")]
    slots = [(c, op) for c in currencies for op in ("<", ">")]
    columns = "".join(
        f", sum(t.amount_minor) FILTER (WHERE t.currency = ? AND t.amount_minor {op} 0), "
        f"count(*) FILTER (WHERE t.currency = ? AND t.amount_minor {op} 0)"
        for _, op in slots
    )
    names = [c for c, _ in slots for _ in (0, 1)]
    marks = ", ".join("?" * len(currencies)) or "NULL"
    grouped = store._read(
        f"SELECT {month}, coalesce(t.category_id, 0){columns}, "
        f"count(*) FILTER (WHERE t.currency NOT IN ({marks})) {body} GROUP BY 1, 2",
        [*names, *currencies, *params],
    )
    if any(r[-1] for r in grouped):
        return [
            tuple(r)
            for r in store._read(
                f"SELECT {month}, coalesce(t.category_id, 0), t.currency, sum(t.amount_minor), count(*) {body} "
                "GROUP BY 1, 2, 3, t.amount_minor > 0",
                params,
            )
        ]
    out: list[tuple[Any, ...]] = []
    for r in grouped:
        for n, (currency, _) in enumerate(slots):
            if r[3 + 2 * n]:
                out.append((r[0], r[1], currency, r[2 + 2 * n], r[3 + 2 * n]))
    return out


def direct_balances(store: Store, low: str, high: str) -> list[tuple[int, str, int]]:
    """(account id, currency, sum) of booked, not withdrawn movements with low <= date <= high."""
    rows = store._read(  # CROSS JOIN: accounts outside, one range of the covering (account, day, …) index each
        "SELECT a.id, t.currency, sum(t.amount_minor) FROM accounts a "
        "CROSS JOIN transactions t INDEXED BY tx_account_day ON t.account_id = a.id "
        "WHERE t.date BETWEEN ? AND ? AND t.status = 'booked' AND t.withdrawn_at IS NULL GROUP BY 1, 2",
        (low, high),
    )
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


WRITE_MONTHS = 24  # months put in place per write: a few milliseconds of the store's lock


def _stamp(conn: Any) -> tuple[int, int]:
    """Changes so far: other connections' commits (data_version) and this connection's own writes,
    whichever thread made them (total_changes). Equal stamps: nothing was written in between."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0]), int(conn.total_changes)


def _month_sums(store: Store, which: str, month: str) -> list[Any]:
    if which == "report":
        return [r[1:] for r in direct_sums(store, date.fromisoformat(f"{month}-01"), _month_end(month), False)]
    return direct_balances(store, f"{month}-01", f"{month}-31")


def refresh(store: Store, which: str, first: str, last: str) -> bool:
    """Recompute the stale months of summary `which` (report, balance) from `first` to `last` (YYYY-MM).

    Each month is read on its own (the store's lock is free between reads), then up to
    WRITE_MONTHS of them are put in place per short write, provided nothing was written since
    they were read; otherwise those months are read again inside their own writes. False when
    the summaries cannot be used now: the cache is not checked yet (its first write would wait
    for the whole-file check) or cannot be written.
    """
    if not store.verified:
        return False
    put = replace_report_month if which == "report" else replace_balance_month
    with store.locked_connection() as conn:
        months = stale_months(conn, which, first, last)
        stamp = _stamp(conn)
    try:
        for n in range(0, len(months), WRITE_MONTHS):
            group = {month: _month_sums(store, which, month) for month in months[n : n + WRITE_MONTHS]}
            with store._write() as conn:
                unchanged = _stamp(conn) == stamp
                for month, sums in group.items():
                    if unchanged:
                        put(conn, month, sums)
                    elif stale_months(conn, which, month, month):  # written meanwhile: read it again, here
                        put(conn, month, _month_sums(store, which, month))
                stamp = _stamp(conn)
    except StoreError as exc:
        log.info("month sums read from the rows: %s", exc)
        return False
    return True


def _month_end(month: str) -> date:
    first = date.fromisoformat(f"{month}-01")
    return date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)


def whole_months(start: date | None, end: date | None) -> tuple[str, str, list[tuple[date | None, date | None]]]:
    """The whole months [first, last] (YYYY-MM) inside the period, and the edge ranges left over.

    When no whole month fits, first > last and the edges are the whole period.
    """
    first = "0000-00" if start is None else start.strftime("%Y-%m")
    last = "9999-12" if end is None else end.strftime("%Y-%m")
    edges: list[tuple[date | None, date | None]] = []
    if start is not None and start.day != 1:
        head_end = _month_end(first)
        edges.append((start, head_end if end is None or head_end < end else end))
        first = (head_end + timedelta(days=1)).strftime("%Y-%m")
    if end is not None and (end + timedelta(days=1)).day != 1:
        tail_start = date(end.year, end.month, 1)
        if not edges or edges[0][1] != end:  # the head did not reach the end already
            edges.append((tail_start if start is None else max(start, tail_start), end))
        last = (tail_start - timedelta(days=1)).strftime("%Y-%m")
    return first, last, edges


def report_sums(store: Store, start: date | None, end: date | None, by_month: bool) -> Iterator[Sum]:
    """The report sums of the period: whole months from the summary, edge days from the rows.

    The same key (month, category, currency, direction) may come in more than one row; callers add up.
    """
    first, last, edges = whole_months(start, end)
    if first <= last and not refresh(store, "report", first, last):
        yield from direct_sums(store, start, end, by_month)
        return
    for low, high in edges:
        yield from direct_sums(store, low, high, by_month)
    if first > last:
        return
    rows = store._read(
        "SELECT month, category_id, currency, money_in, total, count FROM report_months WHERE month BETWEEN ? AND ?",
        (first, last),
    )
    if by_month:
        for r in rows:
            yield str(r[0]), int(r[1]), str(r[2]), int(r[4]), int(r[5])
        return
    merged: dict[tuple[int, str, int], list[int]] = {}
    for r in rows:
        slot = merged.setdefault((int(r[1]), str(r[2]), int(r[3])), [0, 0])
        slot[0] += int(r[4])
        slot[1] += int(r[5])
    for (category_id, currency, _), (total, count) in merged.items():
        yield "", category_id, currency, total, count


def month_movements(store: Store, account_id: int, currency: str) -> dict[str, int] | None:
    """Every month's booked movement of an account in `currency`, from the summary (None: unusable now)."""
    if not refresh(store, "balance", "0000-00", "9999-12"):
        return None
    rows = store._read(
        "SELECT month, total FROM balance_months WHERE account_id = ? AND currency = ?", (account_id, currency)
    )
    return {str(r[0]): int(r[1]) for r in rows}
