"""What the transactions table reads beyond the rows themselves: transfer marks, and where a date lands.

A transaction the person moved between two of their own accounts carries a mark naming the
other account (paired automatically, or marked by hand or by a rule; such a mark may have no
other leg held in Saldo). "Go to date" needs the row a day lands on in a filter of a million
rows: two index reads find it (the nearest day on or before it that has transactions, then
how many rows come before that day), and the block around it is read by keyset from the
day itself, never by skipping rows, so the jump costs the same anywhere in the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from desktop_app.core.models import Transaction
from desktop_app.core.store import Store, TxFilter
from desktop_app.core.store.browse import Position, Sort, SortKey, filter_sql, rows

# two subqueries: min() and max() in one SELECT would scan the table instead of reading the index ends
_SPAN = "SELECT (SELECT min(date) FROM transactions), (SELECT max(date) FROM transactions)"
_LAST_ID = 2**62  # greater than any transaction id: a position before every row of a day (newest first)


@dataclass(frozen=True, slots=True)
class TransferMark:
    """This transaction moved money between two of the person's own accounts."""

    other_account_id: int | None  # None when the other leg is not held in Saldo
    source: str  # "auto" (paired by Saldo), "manual" (marked by the person) or "rule"


def transfer_marks(store: Store, ids: Sequence[int]) -> dict[int, TransferMark]:
    """The transfer marks of the transactions `ids` (those that are transfers only)."""
    if not ids:
        return {}
    found = store._read(
        "SELECT t.id, o.account_id, t.transfer_source FROM transactions t "
        "LEFT JOIN transactions o ON o.id = t.transfer_id AND t.transfer_id != 0 "
        f"WHERE t.transfer_id IS NOT NULL AND t.id IN ({', '.join('?' * len(ids))})",
        list(ids),
    )
    return {int(r[0]): TransferMark(r[1], r[2] or "manual") for r in found}


def category_labels(store: Store, ids: Sequence[int]) -> dict[int, str]:
    """The category each of `ids` shows in the table (those that have one; a split says "Split")."""
    if not ids:
        return {}
    found = store._read(
        "SELECT t.id, t.category_source, c.name FROM transactions t LEFT JOIN categories c ON c.id = t.category_id "
        f"WHERE (t.category_id IS NOT NULL OR t.category_source = 'split') AND t.id IN ({', '.join('?' * len(ids))})",
        list(ids),
    )
    return {int(r[0]): "Split" if r[1] == "split" else str(r[2] or "") for r in found}


@dataclass(frozen=True, slots=True)
class Landing:
    """Where "go to `day`" lands: `row`, inside the block of `rows` that starts at row `first`."""

    row: int
    first: int
    rows: list[Transaction]
    marks: dict[int, TransferMark]
    day: date | None  # the day landed on: `day` itself, else the nearest earlier day with transactions
    labels: dict[int, str] = field(default_factory=dict)  # the rows' categories (category_labels)


def land_on(store: Store, filt: TxFilter, sort: Sort, day: date, total: int, page: int) -> Landing | None:
    """The first row of the latest day on or before `day` (the oldest row when none is), in date order.

    `total` is the row count of `filt`; blocks are `page` rows long. None when nothing matches.
    """
    if sort.key is not SortKey.DATE:
        raise ValueError("go to date needs the table in date order")
    sql = filter_sql(filt)
    if sql is None or total <= 0:
        return None
    where, params = sql
    clause = " AND ".join(where) or "1"
    found = store._read(
        f"SELECT t.date FROM transactions t WHERE {clause} AND t.date <= ? ORDER BY t.date DESC LIMIT 1",
        [*params, day.isoformat()],
    )
    if not found:  # everything is later than the day: the oldest row
        row, start = (total - 1 if sort.descending else 0), None
    else:
        start = found[0][0]
        row = _rows_before(store, filt, sort, date.fromisoformat(start), total)
    row = min(row, total - 1)
    first = row - row % page
    size = min(page, total - first)
    if start is None:  # the oldest row: the last block when newest first, else the first
        block = rows(store, filt, sort, size, backward=True) if sort.descending else rows(store, filt, sort, size)
    else:
        at = Position(start, _LAST_ID if sort.descending else 0)
        block = rows(store, filt, sort, row - first, after=at, backward=True) if row > first else []
        block += rows(store, filt, sort, size - len(block), after=at)
    ids = [t.id for t in block if t.id is not None]
    return Landing(
        row,
        first,
        block,
        transfer_marks(store, ids),
        date.fromisoformat(start) if start else None,
        category_labels(store, ids),
    )


def _rows_before(store: Store, filt: TxFilter, sort: Sort, day: date, total: int) -> int:
    """How many rows of `filt` come before the first row of `day` in date order.

    Counting is linear in the rows counted, so this counts the smaller side of the day (judged
    from the cache's first and last day) and subtracts from `total` when that is the far side.
    It counts over the (account, day, …) index, which holds every column a filter other than a
    search tests: with all accounts named when the filter names none, the count never visits
    the table itself (a "money out" filter would otherwise walk the amount index row by row).
    """
    if filt.account_ids is None:
        filt = replace(filt, account_ids=tuple(int(r[0]) for r in store._read("SELECT id FROM accounts")))
    sql = filter_sql(filt)
    assert sql is not None  # land_on checked the filter
    where, params = sql
    first, last = (date.fromisoformat(d) for d in store._read(_SPAN)[0])
    newer = (last - day).days / max((last - first).days, 1)  # about this share of rows is newer than `day`
    share_before = newer if sort.descending else 1 - newer
    if share_before <= 0.5:
        compare, complement = (">" if sort.descending else "<"), False
    else:
        compare, complement = ("<=" if sort.descending else ">="), True
    counted = int(
        store._read(
            f"SELECT count(*) FROM transactions t WHERE {' AND '.join([*where, f't.date {compare} ?'])}",
            [*params, day.isoformat()],
        )[0][0]
    )
    return total - counted if complement else counted
