"""The monthly in/out the charts draw leaves transfers between own accounts out."""

from __future__ import annotations

from decimal import Decimal

from desktop_app.core.store import Store, TxFilter
from desktop_app.core.store.browse import monthly_in_out
from desktop_app.core.transfers import pair_transfers
from tests import factories


def test_a_transfer_pair_is_neither_income_nor_spending_in_the_monthly_bars(store: Store) -> None:
    factories.connection(store)
    everyday = factories.account(store, ref="everyday").id
    savings = factories.account(store, ref="savings", name="Savings").id
    assert everyday is not None and savings is not None
    store.upsert_transactions(
        [
            factories.tx(everyday, 1, amount="-123.00", description="To savings", counterparty=None),
            factories.tx(savings, 2, amount="123.00", description="From everyday", counterparty=None),
            factories.tx(everyday, 3, amount="-20.50", description="Groceries"),
            factories.tx(everyday, 4, amount="2500.00", description="Salary", counterparty="ACME"),
        ]
    )
    before = monthly_in_out(store, TxFilter(), "EUR")
    assert [(m.money_in.amount, m.money_out.amount) for m in before] == [(Decimal("2623.00"), Decimal("-143.50"))]
    assert pair_transfers(store) == 1
    after = monthly_in_out(store, TxFilter(), "EUR")
    assert [(m.month, m.money_in.amount, m.money_out.amount) for m in after] == [
        ("2026-03", Decimal("2500.00"), Decimal("-20.50"))
    ]
