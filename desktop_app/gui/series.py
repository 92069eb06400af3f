"""Chart data the views need but the cache does not keep: the total balance of a currency.

Plain functions over public ``Store`` methods, run on a worker through the TaskRunner.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from desktop_app.core.money import Money
from desktop_app.core.store import Store

Series = list[tuple[date, Money]]


def add_series(parts: Sequence[Series], currency: str) -> Series:
    """Day-by-day sum of several end-of-day balance series in one currency.

    An account counts from its first cached day and keeps its last balance after its last one
    (the balance does not vanish because nothing happened since).
    """
    parts = [p for p in parts if p]
    if not parts:
        return []
    first = min(p[0][0] for p in parts)
    last = max(p[-1][0] for p in parts)
    totals = [0] * ((last - first).days + 1)
    for part in parts:
        held = 0
        start = (part[0][0] - first).days
        values = {(day - first).days: money.minor_units for day, money in part}
        for i in range(start, len(totals)):
            held = values.get(i, held)
            totals[i] += held
    return [(first + timedelta(days=i), Money.from_minor(v, currency)) for i, v in enumerate(totals)]


def total_series(store: Store, account_ids: Sequence[int], currency: str) -> Series:
    """The total end-of-day balance over `account_ids` (all in `currency`)."""
    return add_series([store.daily_balance_series(a) for a in account_ids], currency)
