"""What the Reports view shows behind one spending bar: the category's months and its transactions.

The months add up what the bar adds up (``reports`` decides what counts as spending), so the
trend of a period sums to the bar. "Uncategorised" is the money out that no category holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from desktop_app.core import reports
from desktop_app.core.categories import categories
from desktop_app.core.models import Transaction
from desktop_app.core.money import Money
from desktop_app.core.month_sums import COUNTS
from desktop_app.core.store import Store, browse

LIMIT = 500  # transactions listed (newest first); the months always cover the whole period


@dataclass(frozen=True, slots=True)
class CategoryDrill:
    name: str
    months: list[tuple[str, Money]]  # YYYY-MM, spent (positive), oldest first, months with spending only
    transactions: list[Transaction]  # newest first, at most LIMIT
    more: bool  # there are more than LIMIT


def drill(store: Store, category_id: int, currency: str, start: date, end: date) -> CategoryDrill:
    tree = categories(store)
    kinds = {c.id: c.kind for c in tree}
    if category_id == reports.UNCATEGORISED:
        name, members = "Uncategorised", {reports.UNCATEGORISED}
    else:
        found = next((c for c in tree if c.id == category_id), None)
        name = found.path if found else "A deleted category"
        members = {c.id for c in tree if category_id in (c.id, c.parent_id)}
    spent: dict[str, int] = defaultdict(int)
    for month, cid, cur, minor, _ in reports.category_sums(store, start, end, by_month=True):
        if cid in members and cur == currency and reports._is_spending(cid, minor, kinds):
            spent[month] -= minor
    ids = _ids(store, category_id, currency, start, end)
    listed = [t for t in (browse.transaction(store, i) for i in ids[:LIMIT]) if t is not None]
    return CategoryDrill(
        name, [(m, Money.from_minor(v, currency)) for m, v in sorted(spent.items()) if v], listed, len(ids) > LIMIT
    )


def _ids(store: Store, category_id: int, currency: str, start: date, end: date) -> list[int]:
    if category_id != reports.UNCATEGORISED:
        found = reports.category_transaction_ids(store, category_id, start, end, limit=LIMIT + 1)
        if not found:
            return []
        marks = ", ".join("?" * len(found))
        rows = store._read(f"SELECT id FROM transactions WHERE id IN ({marks}) AND currency = ?", [*found, currency])
        keep = {int(r[0]) for r in rows}
        return [i for i in found if i in keep]
    rows = store._read(
        "SELECT t.id FROM transactions t WHERE t.category_id IS NULL AND t.category_source IS NOT 'split' "
        f"AND t.amount_minor < 0 AND t.currency = ? AND t.date BETWEEN ? AND ? AND {COUNTS} "
        "ORDER BY t.date DESC, t.id DESC LIMIT ?",
        (currency, start.isoformat(), end.isoformat(), LIMIT + 1),
    )
    return [int(r[0]) for r in rows]
