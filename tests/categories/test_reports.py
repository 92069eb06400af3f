"""Reports and budgets: small exact cases, and sums checked against plain SQL on a large cache."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bench.synthetic import MERCHANTS, transactions
from desktop_app.core import budgets, reports, rules_engine, transfers
from desktop_app.core import categories as cat
from desktop_app.core.errors import BudgetError, CategoryError
from desktop_app.core.models import Account, Connection
from desktop_app.core.money import Money
from desktop_app.core.rules import Actions, Conditions, Rule, add_rule
from desktop_app.core.store import Store
from tests import factories

ROWS = 200_000


def _eur(text: str) -> Money:
    return Money(Decimal(text), "EUR")


def test_spending_counts_refunds_splits_and_leaves_transfers_and_income_out(cache: Store) -> None:
    groceries, eating, fuel = (cat.find_category(cache, n).id for n in ("Groceries", "Eating out", "Fuel"))
    salary = cat.find_category(cache, "Salary").id
    cache.upsert_transactions(
        [
            factories.tx(1, 1, "-50.00"),
            factories.tx(1, 2, "5.00"),  # a refund at the supermarket
            factories.tx(1, 3, "-30.00"),  # split: 20 eating out, 10 fuel
            factories.tx(1, 4, "-123.00"),
            factories.tx(2, 5, "123.00"),  # the other leg: a transfer
            factories.tx(1, 6, "2500.00"),
            factories.tx(1, 7, "-7.77"),  # uncategorised
            factories.tx(1, 8, "-99.00", day=date(2026, 4, 1)),  # outside the period
        ]
    )
    ids = {t.provider_id: t.id for t in cache.iter_transactions()}
    for key, category in (("t1", groceries), ("t2", groceries), ("t6", salary), ("t8", groceries)):
        cat.set_category(cache, ids[key], category)
    cat.split_transaction(cache, ids["t3"], [(eating, Decimal("-20.00")), (fuel, Decimal("-10.00"))])
    transfers.pair_transfers(cache)
    rows = reports.spending_by_category(cache, date(2026, 3, 1), date(2026, 3, 31))
    assert [(r.name, r.amount) for r in rows] == [
        ("Groceries", _eur("45.00")),
        ("Eating out", _eur("20.00")),
        ("Transport", _eur("10.00")),  # Fuel rolls up
        ("Uncategorised", _eur("7.77")),
    ]
    transport = cat.find_category(cache, "Transport").id
    drilled = reports.spending_by_category(cache, date(2026, 3, 1), date(2026, 3, 31), parent_id=transport)
    assert [(r.name, r.amount) for r in drilled] == [("Transport / Fuel", _eur("10.00"))]
    assert reports.category_transaction_ids(cache, transport) == [ids["t3"]]
    assert reports.category_transaction_ids(cache, transport, currency="SEK") == []
    assert reports.category_transaction_ids(cache, reports.UNCATEGORISED) == [ids["t7"]]  # money out only
    (march, april) = reports.monthly_flows(cache)
    assert (march.income, march.spending, march.net) == (_eur("2500.00"), _eur("82.77"), _eur("2417.23"))
    assert (april.month, april.spending) == ("2026-04", _eur("99.00"))
    assert reports.category_trend(cache, groceries) == [("2026-03", _eur("45.00")), ("2026-04", _eur("99.00"))]


def test_budget_carries_forward_and_marks_over(cache: Store) -> None:
    groceries = cat.find_category(cache, "Groceries").id
    eating = cat.find_category(cache, "Eating out").id
    budgets.set_budget(cache, groceries, "2026-01", "300", "EUR")
    budgets.set_budget(cache, eating, date(2026, 2, 14), "50.00", "EUR")
    budgets.set_budget(cache, groceries, "2026-04", "250.00", "EUR")
    cache.upsert_transactions(
        [factories.tx(1, 1, "-310.00", day=date(2026, 3, 3)), factories.tx(1, 2, "-20.00", day=date(2026, 3, 4))]
    )
    ids = {t.provider_id: t.id for t in cache.iter_transactions()}
    cat.set_category(cache, ids["t1"], groceries)
    cat.set_category(cache, ids["t2"], eating)
    assert budgets.budgets_for(cache, "2025-12", "EUR") == {}
    assert budgets.budgets_for(cache, "2026-02", "EUR") == {groceries: _eur("300"), eating: _eur("50")}
    march = {line.name: line for line in budgets.budget_status(cache, "2026-03", "EUR")}
    assert (march["Groceries"].spent, march["Groceries"].left, march["Groceries"].over) == (
        _eur("310.00"),
        _eur("-10.00"),
        True,
    )
    assert (march["Eating out"].left, march["Eating out"].over) == (_eur("30.00"), False)
    assert budgets.budgets_for(cache, "2026-07", "EUR")[groceries] == _eur("250.00")
    budgets.set_budget(cache, eating, "2026-05", "0", "EUR")  # ends it
    assert eating not in budgets.budgets_for(cache, "2026-06", "EUR")


@pytest.mark.parametrize(
    ("month", "amount", "currency", "category", "message"),
    [
        ("2026-13", "10", "EUR", "Groceries", "YYYY-MM"),
        ("2026-01", "-10", "EUR", "Groceries", "positive"),
        ("2026-01", "10.001", "EUR", "Groceries", "not an amount"),
        ("2026-01", "ten", "EUR", "Groceries", "not an amount"),
        ("2026-01", "10", "EUR", "Salary", "not an expense category"),
    ],
)
def test_bad_budgets_are_refused(
    cache: Store, month: str, amount: str, currency: str, category: str, message: str
) -> None:
    with pytest.raises((BudgetError, CategoryError), match=message):
        budgets.set_budget(cache, cat.find_category(cache, category).id, month, amount, currency)
    assert cache._read("SELECT count(*) FROM budgets")[0][0] == 0


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store.open(Path(tmp_path_factory.mktemp("large")) / "saldo.db")
    store.save_connection(Connection(id="c", provider="demo", label="Bench", created_at=datetime.now(UTC)))
    saved = store.save_accounts(
        Account(connection_id="c", provider_account_id=f"a{i}", name=f"A{i}", currency="EUR") for i in range(4)
    )
    store.bulk_import(transactions(ROWS, [a.id for a in saved if a.id is not None]))
    tree = [c.id for c in cat.categories(store)]
    rng = random.Random(3)
    for merchant, _ in MERCHANTS[:12]:
        add_rule(store, Rule(Conditions(counterparty=merchant), Actions(category_id=rng.choice(tree))))
    rules_engine.apply_rules(store)
    ids = [r[0] for r in store._read("SELECT id FROM transactions WHERE id % 1000 = 0")]
    for tx_id in ids[:50]:
        cat.set_category(store, tx_id, rng.choice(tree))
    transfers.mark_transfer(store, ids[60])
    try:
        yield store
    finally:
        store.close()


def test_report_sums_equal_an_independent_query_on_a_large_cache(large: Store) -> None:
    assert large.count_transactions() == ROWS
    start, end = date(2020, 1, 1), date(2020, 12, 31)
    rows = reports.spending_by_category(large, start, end)
    by_name = {r.name: r.amount.minor_units for r in rows}
    expected = large._read(
        """SELECT coalesce(p.name, c.name, 'Uncategorised'), -sum(t.amount_minor)
           FROM transactions t LEFT JOIN categories c ON c.id = t.category_id
           LEFT JOIN categories p ON p.id = c.parent_id
           WHERE t.date >= '2020-01-01' AND t.date < '2021-01-01' AND t.transfer_id IS NULL
             AND (c.kind = 'expense' OR (c.id IS NULL AND t.amount_minor < 0))
           GROUP BY 1"""
    )
    assert by_name == {name: total for name, total in expected}
    assert sum(by_name.values()) > 0
    flows = {f.month: f for f in reports.monthly_flows(large, start, end)}
    (income, spent) = large._read(
        """SELECT sum(CASE WHEN t.amount_minor > 0 AND coalesce(c.kind, 'income') != 'expense'
                           OR c.kind = 'income' THEN t.amount_minor ELSE 0 END),
                  -sum(CASE WHEN c.kind = 'expense' OR c.id IS NULL AND t.amount_minor < 0 THEN t.amount_minor
                            ELSE 0 END)
           FROM transactions t LEFT JOIN categories c ON c.id = t.category_id
           WHERE t.date BETWEEN '2020-01-01' AND '2020-12-31' AND t.transfer_id IS NULL
             AND coalesce(c.kind, '') != 'transfer'"""
    )[0]
    assert sum(f.income.minor_units for f in flows.values()) == income
    assert sum(f.spending.minor_units for f in flows.values()) == spent
    assert all(f.net.minor_units == f.income.minor_units - f.spending.minor_units for f in flows.values())
