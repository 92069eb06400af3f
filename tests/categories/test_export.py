"""Exports: the CSV carries categories exactly, and beancount itself accepts the journal."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from beancount import loader
from beancount.core import data

from desktop_app.core import categories as cat
from desktop_app.core import export, transfers
from desktop_app.core.store import Store
from tests import factories


def _filled(cache: Store) -> None:
    cache.upsert_transactions(
        [
            factories.tx(1, 1, "-12.30", counterparty='Café "Noir" \\ Bar'),
            factories.tx(1, 2, "-123.00"),
            factories.tx(2, 3, "123.00"),
            factories.tx(1, 4, "50.00", description="Refund"),
            factories.tx(1, 5, "-30.00"),
        ]
    )
    transfers.pair_transfers(cache)
    groceries, fuel = cat.find_category(cache, "Groceries").id, cat.find_category(cache, "Fuel").id
    cat.split_transaction(cache, 5, [(groceries, Decimal("-20.00")), (fuel, Decimal("-10.00"))])
    cat.set_category(cache, 1, cat.find_category(cache, "Eating out").id)


def test_beancount_accepts_the_journal_and_it_balances_the_accounts(cache: Store) -> None:
    _filled(cache)
    out = io.StringIO()
    assert export.write_beancount(cache, out) == 4  # the transfer is written once
    entries, errors, _ = loader.load_string(out.getvalue())
    assert errors == []
    postings = [p for e in entries if isinstance(e, data.Transaction) for p in e.postings]
    totals: dict[str, Decimal] = {}
    for p in postings:
        totals[p.account] = totals.get(p.account, Decimal(0)) + p.units.number
    assert totals["Assets:Accounts:Everyday-1"] == Decimal("-115.30")
    assert totals["Assets:Accounts:Savings-2"] == Decimal("123.00")
    assert totals["Expenses:Transport:Fuel"] == Decimal("10.00")
    assert totals["Income:Uncategorised"] == Decimal("-50.00")
    payees = {e.payee for e in entries if isinstance(e, data.Transaction)}
    assert 'Café "Noir" \\ Bar' in payees


def test_csv_has_every_transaction_with_its_category_and_split(cache: Store) -> None:
    _filled(cache)
    out = io.StringIO()
    assert export.write_csv(cache, out) == 5
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["amount"] for r in rows] == ["-12.30", "-123.00", "123.00", "50.00", "-30.00"]
    assert rows[0]["category"] == "Eating out" and rows[0]["category_source"] == "manual"
    assert rows[4]["category"] == "Groceries=-20.00; Transport / Fuel=-10.00"
    assert (rows[1]["transfer_with"], rows[2]["transfer_with"]) == ("3", "2")
