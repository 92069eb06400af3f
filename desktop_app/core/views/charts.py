"""Chart series for a scope: the end-of-day balance and money in/out per month.

The balance line ends on the last day the cache has data for; nothing is drawn past it
(a cancelled sync must not look like a flat balance running to today).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from desktop_app.core.money import Money
from desktop_app.core.store import MonthTotals, Store, TxFilter, browse

Series = list[tuple[date, Money]]


@dataclass(frozen=True, slots=True)
class ChartData:
    balance: Series
    monthly: list[MonthTotals]
    currency: str | None


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


def account_series(store: Store, account_id: int) -> Series:
    """One account's end-of-day balance, from its first to its last cached transaction."""
    series = store.daily_balance_series(account_id)
    return _trim(series, store.last_booked_date(account_id))


def _trim(series: Series, last: date | None) -> Series:
    if last is None:
        return []
    return [p for p in series if p[0] <= last]


def balance_series(store: Store, account_ids: Sequence[int], currency: str) -> Series:
    """The total end-of-day balance over `account_ids` (all in `currency`)."""
    if len(account_ids) == 1:
        return account_series(store, account_ids[0])
    return add_series([account_series(store, a) for a in account_ids], currency)


def chart_data(store: Store, account_ids: Sequence[int], currency: str | None, filt: TxFilter) -> ChartData:
    """The balance of `account_ids` and the monthly in/out of the rows `filt` selects, in `currency`."""
    balance = balance_data(store, account_ids, currency).balance
    return ChartData(balance, monthly_data(store, account_ids, currency, filt), currency)


def balance_data(store: Store, account_ids: Sequence[int], currency: str | None) -> ChartData:
    """The balance line alone (fast: one row a day), with no monthly bars."""
    if currency is None or not account_ids:
        return ChartData([], [], currency)
    return ChartData(balance_series(store, account_ids, currency), [], currency)


def monthly_data(store: Store, account_ids: Sequence[int], currency: str | None, filt: TxFilter) -> list[MonthTotals]:
    """Money in and out per month in `currency` (reads every row `filt` selects: the slow half)."""
    if currency is None or not account_ids:
        return []
    return browse.monthly_in_out(store, filt, currency)
