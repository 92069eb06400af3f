"""Net worth over time: every account's balance at each month's end, in one base currency.

An account's balance on a day is anchored on the latest booked balance its bank reported (as
the balance chart does): anchor + booked movements after the anchor's day up to that day −
those between that day and the anchor's. An account with no reported balance (a manual one)
starts at zero. Balances are summed per month, one range read per account and month.

Each balance is converted with the ECB reference rates of that day (see ``rates``), rounded to
the base currency's minor unit half-to-even, and only then added up. An account whose currency
has no rate for that day is not converted with a guess: it is listed apart, in its own currency.
Liability accounts (credit cards, loans) are summed on their own side as well as in the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from desktop_app.core.accounts import AccountView, account_views
from desktop_app.core.money import Money, exponent
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
    running, previous, out = 0, "0000-00-00", []
    for day in days:
        running += int(store._read(_MONTH_SUM, (account.id, previous, day.isoformat(), account.currency))[0][0])
        previous = day.isoformat()
        out.append(running)
    if anchor is not None and anchor.amount.currency == account.currency:
        upto = int(
            store._read(_MONTH_SUM, (account.id, "0000-00-00", anchor.as_of.date().isoformat(), account.currency))[0][0]
        )
        offset = anchor.amount.minor_units - upto
        out = [v + offset for v in out]
    return out


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
