"""Reports over the cache: where the money went, money in against money out, and a category's trend.

What counts, everywhere here: booked, not withdrawn transactions that are not transfers (a
transfer mark, or a category of kind ``transfer``). A split transaction counts each part in its
own category. Spending is the money out of expense categories net of refunds into them, plus
uncategorised money out; it is reported as a positive amount. Income is money in that is not a
refund into an expense category. Every amount is exact (Money from integer minor units), one
row per currency: amounts in different currencies are never added up here (net worth converts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from desktop_app.core.categories import Category, categories
from desktop_app.core.money import Money
from desktop_app.core.month_sums import COUNTS, direct_sums, report_sums
from desktop_app.core.store import Store

UNCATEGORISED = 0  # the category id reports use for "no category"


@dataclass(frozen=True, slots=True)
class CategoryTotal:
    category_id: int  # UNCATEGORISED for none
    name: str
    currency: str
    amount: Money  # spent: positive
    count: int


@dataclass(frozen=True, slots=True)
class MonthFlow:
    month: str  # YYYY-MM
    currency: str
    income: Money
    spending: Money  # positive
    net: Money  # income - spending


def _period(start: date | None, end: date | None) -> tuple[str, str]:
    return (start.isoformat() if start else "0000"), (end.isoformat() if end else "9999")


def category_sums(
    store: Store,
    start: date | None,
    end: date | None,
    by_month: bool = False,
    account_ids: Sequence[int] | None = None,
) -> Iterator[tuple[str, int, str, int, int]]:
    """(month or '', category id or 0, currency, sum of minor units, count) over what counts.

    Money in and money out of a category come as separate rows; a key may come in several rows
    (whole months and edge days are read apart): add them up. Whole months come from the
    per-month summary (see ``month_sums``); a choice of accounts reads the rows.
    """
    if account_ids is not None:
        return iter(direct_sums(store, start, end, by_month, account_ids))
    return report_sums(store, start, end, by_month)


def first_day(store: Store) -> date | None:
    """The day of the oldest transaction in the cache (None when it is empty)."""
    first = store._read("SELECT min(date) FROM transactions")[0][0]
    return date.fromisoformat(first) if first else None


def _kinds(tree: list[Category]) -> dict[int, str]:
    return {c.id: c.kind for c in tree}


def _is_spending(category_id: int, minor: int, kinds: dict[int, str]) -> bool:
    if category_id == UNCATEGORISED:
        return minor < 0
    return kinds.get(category_id) == "expense"


def _is_income(category_id: int, minor: int, kinds: dict[int, str]) -> bool:
    if category_id == UNCATEGORISED:
        return minor > 0
    return kinds.get(category_id) == "income" or (kinds.get(category_id) not in ("expense", "transfer") and minor > 0)


def spending_by_category(
    store: Store, start: date | None = None, end: date | None = None, *, parent_id: int | None = None
) -> list[CategoryTotal]:
    """What was spent per category in [start, end], largest first.

    Subcategories roll up into their top-level category; with `parent_id`, the rows are that
    category's own spending and each of its subcategories' (drilling one level down).
    """
    tree = categories(store)
    by_id = {c.id: c for c in tree}
    kinds = _kinds(tree)
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for _, category_id, currency, minor, count in category_sums(store, start, end):
        if not _is_spending(category_id, minor, kinds):
            continue
        category = by_id.get(category_id)
        if parent_id is None:
            key_id = (category.parent_id or category.id) if category else UNCATEGORISED
        elif category is not None and parent_id in (category.id, category.parent_id):
            key_id = category.id
        else:
            continue
        slot = totals[(key_id, currency)]
        slot[0] -= minor
        slot[1] += count
    rows = [
        CategoryTotal(cid, by_id[cid].path if cid in by_id else "Uncategorised", cur, Money.from_minor(v[0], cur), v[1])
        for (cid, cur), v in totals.items()
    ]
    return sorted(rows, key=lambda r: (r.currency, -r.amount.minor_units, r.name))


def monthly_flows(store: Store, start: date | None = None, end: date | None = None) -> list[MonthFlow]:
    """Income, spending and the net per month and currency, oldest first."""
    kinds = _kinds(categories(store))
    acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for month, category_id, currency, minor, _ in category_sums(store, start, end, by_month=True):
        slot = acc[(month, currency)]
        if _is_spending(category_id, minor, kinds):
            slot[1] -= minor
        elif _is_income(category_id, minor, kinds):
            slot[0] += minor
    return [
        MonthFlow(m, c, Money.from_minor(v[0], c), Money.from_minor(v[1], c), Money.from_minor(v[0] - v[1], c))
        for (m, c), v in sorted(acc.items())
    ]


def category_trend(
    store: Store, category_id: int, start: date | None = None, end: date | None = None
) -> list[tuple[str, Money]]:
    """A category's net amount per month (its subcategories included); spending shows positive."""
    tree = categories(store)
    members = {c.id for c in tree if category_id in (c.id, c.parent_id)}
    kinds = _kinds(tree)
    sign = -1 if kinds.get(category_id) == "expense" else 1
    acc: dict[tuple[str, str], int] = defaultdict(int)
    for month, cid, currency, minor, _ in category_sums(store, start, end, by_month=True):
        if cid in members:
            acc[(month, currency)] += sign * minor
    return [(m, Money.from_minor(v, c)) for (m, c), v in sorted(acc.items())]


def category_transaction_ids(
    store: Store,
    category_id: int,
    start: date | None = None,
    end: date | None = None,
    limit: int = 500,
    currency: str | None = None,
) -> list[int]:
    """Newest first, the transactions behind a category's bar (subcategories and split parts
    included); UNCATEGORISED is the money out no category holds. `currency`: in that one only."""
    low, high = _period(start, end)
    if category_id == UNCATEGORISED:
        which = "t.category_id IS NULL AND t.category_source IS NOT 'split' AND t.amount_minor < 0"
        params: list[Any] = []
    else:
        members = "SELECT id FROM categories WHERE id = ? OR parent_id = ?"
        which = (
            f"(t.category_id IN ({members}) AND t.category_source IS NOT 'split' "
            f"OR t.id IN (SELECT transaction_id FROM tx_splits WHERE category_id IN ({members})))"
        )
        params = [category_id] * 4
    if currency is not None:
        which += " AND t.currency = ?"
        params.append(currency)
    rows = store._read(
        f"SELECT t.id FROM transactions t WHERE {which} "
        f"AND t.date BETWEEN ? AND ? AND {COUNTS} ORDER BY t.date DESC, t.id DESC LIMIT ?",
        [*params, low, high, limit],
    )
    return [int(r[0]) for r in rows]
