"""Net worth over time: every account's balance at each month's end, in one base currency.

An account's balance on a day is anchored on the latest booked balance its bank reported (as
the balance chart does): anchor + booked movements after the anchor's day up to that day −
those between that day and the anchor's. An account with no reported balance (a manual one)
starts at zero. Whole months come from the per-month summary (``month_sums``); only the days
of a month that is not over (the last point, the anchor's day) are read from the rows.

Each balance is converted with the ECB reference rates of that day (see ``rates``), rounded to
the base currency's minor unit half-to-even, and only then added up. An account whose currency
has no rate for that day is not converted with a guess: it is listed apart, in its own currency.
Liability accounts (credit cards, loans) are summed on their own side as well as in the total;
their reported balance is read as what is owed, whatever sign the provider gives it (see
``accounts.held_balance``), so a debt always lowers net worth.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import partial
from itertools import accumulate

from desktop_app.core.accounts import AccountView, account_views, held_balance
from desktop_app.core.money import Money, exponent
from desktop_app.core.month_sums import month_movements
from desktop_app.core.rates import rate_table
from desktop_app.core.store import Store

_MONTH_SUM = (
    "SELECT coalesce(sum(amount_minor), 0) FROM transactions INDEXED BY tx_account_day "
    "WHERE account_id = ? AND date > ? AND date <= ? AND status = 'booked' AND withdrawn_at IS NULL AND currency = ?"
)


@dataclass(frozen=True, slots=True)
class NetWorthPoint:
    day: date
    total: Money  # assets + liabilities (a debt is negative), in the base currency
    assets: Money
    liabilities: Money
    apart: tuple[tuple[int, Money], ...] = field(default=())  # (account id, balance) without a rate


def month_ends(start: date, end: date) -> list[date]:
    """The last day of every month from `start`'s to `end`'s; the last point is `end` itself."""
    days = []
    year, month = start.year, start.month
    while True:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        last = date.fromordinal(nxt.toordinal() - 1)
        if last >= end:
            days.append(end)
            return days
        days.append(last)
        year, month = nxt.year, nxt.month


def _balances(store: Store, account: AccountView, days: list[date]) -> list[int]:
    """The account's end-of-day balance in minor units on each of `days` (ascending)."""
    anchor = store.latest_balance(account.id)
    months = month_movements(store, account.id, account.currency)
    upto: Callable[[date], int]
    if months is None:  # the summaries cannot be brought up to date now: read the rows
        upto = partial(_movement_upto, store, account, [], [])
    else:
        ordered = sorted(months)
        upto = partial(_movement_upto, store, account, ordered, list(accumulate(months[m] for m in ordered)))
    out = [upto(day) for day in days]
    if anchor is not None and anchor.amount.currency == account.currency:
        offset = held_balance(account, anchor.amount).minor_units - upto(anchor.as_of.date())
        out = [v + offset for v in out]
    return out


def _between(store: Store, account: AccountView, after: str, upto: str) -> int:
    return int(store._read(_MONTH_SUM, (account.id, after, upto, account.currency))[0][0])


def _movement_upto(store: Store, account: AccountView, months: list[str], totals: list[int], day: date) -> int:
    """Every movement up to the end of `day`: whole months from the summary, that month's own days from the rows.

    With no summary (`months` empty), everything is read from the rows."""
    if not months:
        return _between(store, account, "0000-00-00", day.isoformat())
    month = day.strftime("%Y-%m")
    before = bisect_left(months, month)
    done = totals[before - 1] if before else 0
    if (day + timedelta(days=1)).day == 1:
        return totals[before] if before < len(months) and months[before] == month else done
    return done + _between(store, account, f"{month}-00", day.isoformat())


def net_worth_series(
    store: Store, base: str, start: date, end: date, *, include_hidden: bool = True
) -> list[NetWorthPoint]:
    """Net worth in `base` at each month's end from `start` to `end` (the last point on `end`)."""
    base = base.upper()
    exponent(base)  # an unknown base currency is an error here, not a silent zero
    days = month_ends(start, end)
    accounts = account_views(store, include_hidden=include_hidden)
    table = rate_table(store, [a.currency for a in accounts] + [base], days[0], days[-1])
    quantum = Decimal(1).scaleb(-exponent(base))
    series = [(a, _balances(store, a, days)) for a in accounts]
    points = []
    for n, day in enumerate(days):
        assets = debts = 0
        apart: list[tuple[int, Money]] = []
        for account, balances in series:
            money = Money.from_minor(balances[n], account.currency)
            converted = table.convert(money.amount, account.currency, base, day)
            if converted is None:
                apart.append((account.id, money))
                continue
            minor = int(converted.quantize(quantum, rounding=ROUND_HALF_EVEN).scaleb(exponent(base)))
            if account.liability:
                debts += minor
            else:
                assets += minor
        points.append(
            NetWorthPoint(
                day,
                Money.from_minor(assets + debts, base),
                Money.from_minor(assets, base),
                Money.from_minor(debts, base),
                tuple(apart),
            )
        )
    return points
