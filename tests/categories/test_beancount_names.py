"""Beancount account names keep the person's letters, are valid to beancount, and never collide."""

from __future__ import annotations

import io
import unicodedata
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import account as bean_account
from beancount.core import data

from desktop_app.core import accounts, export
from desktop_app.core import categories as cat
from desktop_app.core.beancount_names import component
from desktop_app.core.store import Store
from tests import factories


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ümlaut Konto", "Ümlaut-Konto"),
        (unicodedata.normalize("NFD", "Ümlaut Konto"), "Ümlaut-Konto"),  # decomposed, as some file systems keep it
        ("Spар", "Spар"),  # Latin S, p and Cyrillic а, р: kept, not dropped
        ("café au lait", "Café-Au-Lait"),
        ("straße", "Straße"),
        ("Ελληνικά έξοδα", "Ελληνικά-Έξοδα"),
        ("食費", "X-食費"),  # no capitals in this script: a component cannot start with it
        ("2024 taxes", "2024-Taxes"),
        ("  & / ", "Unnamed"),
        ("Food & drink", "Food-Drink"),
    ],
)
def test_components_are_readable_and_valid(name: str, expected: str) -> None:
    got = component(name)
    assert got == expected
    assert bean_account.is_valid(f"Expenses:{got}")


def test_names_that_would_collide_stay_apart_and_beancount_accepts_the_journal(cache: Store) -> None:
    food = cat.add_category(cache, "Food & drink")
    food_too = cat.add_category(cache, "Food drink")
    named_like_none = cat.add_category(cache, "Uncategorised")
    umlaut = cat.add_category(cache, "Ümlaut")
    umlaut_nfd = cat.add_category(cache, unicodedata.normalize("NFD", "Ümlaut"))
    cat.add_category(cache, "Spар", parent_id=food.id)
    spar = factories.account(cache, ref="acc-3", name="Spар")
    konto = factories.account(cache, ref="acc-4", name="Ümlaut Konto")
    assert spar.id and konto.id
    accounts.set_account_type(cache, konto.id, "credit")
    wanted = [food.id, food_too.id, named_like_none.id, umlaut.id, umlaut_nfd.id, None]
    cache.upsert_transactions(
        [factories.tx(spar.id if n % 2 else konto.id, n, f"-{n + 1}.00") for n in range(len(wanted))]
    )
    ids = [t.id for t in cache.iter_transactions()]
    for tx_id, category_id in zip(sorted(i for i in ids if i), wanted, strict=True):
        if category_id is not None:
            cat.set_category(cache, tx_id, category_id)
    out = io.StringIO()
    assert export.write_beancount(cache, out) == len(wanted)
    entries, errors, _ = loader.load_string(out.getvalue())
    assert errors == []
    totals: dict[str, Decimal] = {}
    for e in entries:
        for p in e.postings if isinstance(e, data.Transaction) else ():
            totals[p.account] = totals.get(p.account, Decimal(0)) + p.units.number
    expenses = {name: total for name, total in totals.items() if name.startswith("Expenses:")}
    assert len(expenses) == len(wanted)  # six categories (one of them none): six accounts
    assert sorted(expenses.values()) == [Decimal(n + 1) for n in range(len(wanted))]
    assert f"Expenses:Food-Drink-{food.id}" in expenses and f"Expenses:Food-Drink-{food_too.id}" in expenses
    assert f"Expenses:Uncategorised-{named_like_none.id}" in expenses and "Expenses:Uncategorised" in expenses
    assert f"Assets:Accounts:Spар-{spar.id}" in totals and f"Liabilities:Accounts:Ümlaut-Konto-{konto.id}" in totals
    assert all(bean_account.is_valid(name) for name in totals)
