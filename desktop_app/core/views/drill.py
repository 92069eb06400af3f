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
    ids = reports.category_transaction_ids(store, category_id, start, end, limit=LIMIT + 1, currency=currency)
    listed = [t for t in (browse.transaction(store, i) for i in ids[:LIMIT]) if t is not None]
    return CategoryDrill(
        name, [(m, Money.from_minor(v, currency)) for m, v in sorted(spent.items()) if v], listed, len(ids) > LIMIT
    )
