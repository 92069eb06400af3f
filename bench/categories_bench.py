"""Categories figures on a 1M cache: 50 rules applied, spending by category for a year, net worth.

The cache holds the synthetic transactions over ten accounts in three currencies (EUR, USD and
DKK) and ten years, with ECB-style daily rates for every weekday. While the rules run on a
worker thread, the main thread keeps reading the first page of transactions through the same
store, as the GUI's workers do (one connection, one lock): the longest of those reads is the
stall a person would feel. Every write transaction of the run is timed too: the longest is how
long the run kept the write lock (and the store's lock) from anyone else.

The reports read per-month summaries that a rule run marks stale; the first report after such a
run brings its months up to date, so that first ("cold") figure is given beside the usual one.

`python -m bench.categories_bench [--quick]` runs these figures alone.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.figures import Figure, at_most, median_ms, report
from bench.synthetic import DAYS, MERCHANTS, START, transactions
from desktop_app.core import categories, networth, rates, reports, rules_engine
from desktop_app.core.models import Account, Connection, Transaction
from desktop_app.core.money import Money
from desktop_app.core.rules import Actions, Conditions, Rule, add_rule
from desktop_app.core.store import Store

CURRENCIES = ("EUR",) * 5 + ("USD",) * 3 + ("DKK",) * 2


def _in_currency(txs: Iterator[Transaction], currency_of: dict[int, str]) -> Iterator[Transaction]:
    for t in txs:
        currency = currency_of[t.account_id]
        yield t if currency == "EUR" else replace(t, amount=Money.from_minor(t.amount.minor_units, currency))


def _rates() -> list[rates.Rate]:
    out = []
    for n in range(DAYS + 10):
        day = START + timedelta(days=n)
        if day.weekday() < 5:
            out.append((day, "USD", Decimal("1.0500") + Decimal(n % 300) / 10_000))
            out.append((day, "DKK", Decimal("7.4500") + Decimal(n % 50) / 10_000))
    return out


def _rules(store: Store) -> None:
    """50 rules: one per merchant as people write them, and 34 that rarely or never match."""
    ids = [c.id for c in categories.categories(store) if c.kind == "expense"]
    for n, (merchant, _) in enumerate(MERCHANTS):
        add_rule(store, Rule(Conditions(counterparty=merchant.lower()), Actions(category_id=ids[n % len(ids)])))
    for n in range(34):
        merchant, purpose = MERCHANTS[n % len(MERCHANTS)]
        shapes = (
            Conditions(description=f"{purpose} refund", sign="in"),
            Conditions(counterparty=f"{merchant} online", amount_min=Decimal("20"), amount_max=Decimal("500")),
            Conditions(description_regex=rf"^{purpose} \w+ 99\d$", sign="out"),
        )
        add_rule(store, Rule(shapes[n % 3], Actions(category_id=ids[(n * 7) % len(ids)], tag=f"tag{n % 4}")))


def _apply_with_probe(store: Store) -> tuple[float, float, float, int]:
    """Seconds to apply every rule on a worker; meanwhile the longest first-page read through the
    same store and the longest write transaction of the run (both ms); rows changed."""
    done = threading.Event()
    result: list[rules_engine.ApplyResult] = []
    holds: list[float] = []
    plain_write = store._write

    @contextmanager
    def timed_write(**options: Any) -> Iterator[Any]:
        with plain_write(**options) as conn:
            start = time.perf_counter()  # the locks are held from here (BEGIN IMMEDIATE has returned) to COMMIT
            yield conn
        holds.append(time.perf_counter() - start)

    def work() -> None:
        try:
            result.append(rules_engine.apply_rules(store))
        finally:
            done.set()

    store.transactions_page(limit=50)  # the GUI's first page is already shown
    longest = 0.0
    store._write = timed_write  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        worker = threading.Thread(target=work)
        worker.start()
        while not done.is_set():
            t0 = time.perf_counter()
            store.transactions_page(limit=50)
            longest = max(longest, time.perf_counter() - t0)
            done.wait(0.01)  # a UI that repaints at most ~100 times a second
        worker.join()
        elapsed = time.perf_counter() - start
    finally:
        del store._write  # back to the class's method
    return elapsed, longest * 1000, max(holds) * 1000, result[0].changed


def _stale(store: Store, table: str, first: str, last: str) -> int:
    return int(store._read(f"SELECT count(*) FROM {table} WHERE month BETWEEN ? AND ?", (first, last))[0][0])


def _once_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def run(count: int = 1_000_000) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="saldo-bench-cat-") as tmp:
        store = Store.open(Path(tmp) / "cat.db")
        store.save_connection(Connection(id="bench", provider="demo", label="Bench", created_at=datetime.now(UTC)))
        saved = store.save_accounts(
            Account(connection_id="bench", provider_account_id=f"a{i}", name=f"Account {i}", currency=c)
            for i, c in enumerate(CURRENCIES)
        )
        currency_of = {a.id: a.currency for a in saved if a.id is not None}
        print(f"categories: generating {count:,} transactions over 10 accounts in 3 currencies…", flush=True)
        store.bulk_import(list(_in_currency(transactions(count, list(currency_of)), currency_of)))
        rates.store_rates(store, _rates())
        _rules(store)

        seconds, stall, hold, changed = _apply_with_probe(store)
        figures.append(
            at_most(
                "cat",
                f"apply 50 rules to {count:,} transactions",
                seconds,
                "s",
                3.0,
                f"{changed:,} changed; a second run decides the same and writes nothing",
            )
        )
        figures.append(at_most("cat", "longest first-page read through the store while rules run", stall, "ms", 50.0))
        figures.append(at_most("cat", "longest write transaction of the rule run", hold, "ms", 50.0))
        again = time.perf_counter()
        unchanged = rules_engine.apply_rules(store)
        figures.append(
            at_most(
                "cat",
                "re-apply 50 rules, nothing to change",
                time.perf_counter() - again,
                "s",
                3.0,
                f"{unchanged.changed} changed",
            )
        )

        year = (date(2024, 1, 1), date(2024, 12, 31))
        stale = _stale(store, "report_stale", "2024-01", "2024-12")
        cold = _once_ms(lambda: reports.spending_by_category(store, *year))
        figures.append(
            at_most(
                "cat",
                f"spending by category for one year, {count:,} cache",
                median_ms(lambda: reports.spending_by_category(store, *year)),
                "ms",
                50.0,
                f"the first after the rule run, bringing {stale} stale months up to date: {cold:.0f} ms",
            )
        )
        first, last = START, START + timedelta(days=DAYS - 1)
        stale = _stale(store, "balance_stale", "0000-00", "9999-12")
        cold = _once_ms(lambda: networth.net_worth_series(store, "EUR", first, last))
        figures.append(
            at_most(
                "cat",
                "net worth series, 10 years, 10 accounts, 3 currencies",
                median_ms(lambda: networth.net_worth_series(store, "EUR", first, last), repeat=7),
                "ms",
                100.0,
                f"120 month ends at ECB rates; the first, bringing {stale} stale months up to date: {cold:.0f} ms",
            )
        )
        store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.categories_bench")
    parser.add_argument("--quick", action="store_true", help="50k transactions instead of 1M")
    parser.add_argument("--out", type=Path, default=Path("bench-categories.json"))
    args = parser.parse_args()
    report(run(count=50_000 if args.quick else 1_000_000), args.out)


if __name__ == "__main__":
    main()
