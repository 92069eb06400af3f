"""Accounts the person shapes, and manual accounts with typed-in transactions and undo."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop_app.core import accounts, manual
from desktop_app.core import categories as cat
from desktop_app.core.errors import AccountError, ManualEntryError
from desktop_app.core.models import Account, ConnectionStatus
from desktop_app.core.store import Store
from desktop_app.core.sync import SyncEngine
from tests import factories


def test_rename_group_type_hide_and_order_survive_a_sync_of_the_account(cache: Store) -> None:
    accounts.rename_account(cache, 1, "  Daily   spending ")
    accounts.set_group(cache, 1, "Everyday")
    accounts.set_group(cache, 2, "Savings")
    accounts.set_account_type(cache, 2, "savings")
    accounts.reorder(cache, [2, 1])
    # the bank sends the account again, with its own name
    cache.save_accounts([Account(connection_id="c1", provider_account_id="acc-1", name="KONTO 1", currency="EUR")])
    views = accounts.account_views(cache)
    assert [(v.id, v.name, v.bank_name, v.group, v.account_type) for v in views] == [
        (1, "Daily spending", "KONTO 1", "Everyday", "checking"),
        (2, "Savings", "Savings", "Savings", "savings"),
    ]
    accounts.set_hidden(cache, 2, True)
    assert [v.id for v in accounts.account_views(cache)] == [1]
    assert accounts.rename_account(cache, 1, None).name == "KONTO 1"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: accounts.set_account_type(s, 1, "crypto"), "account type"),
        (lambda s: accounts.rename_account(s, 99, "x"), "no account 99"),
        (lambda s: accounts.reorder(s, [1, 1]), "only once"),
        (lambda s: accounts.reorder(s, [1, 42]), "no account 42"),
        (lambda s: accounts.add_manual_account(s, "Wallet", "EURO"), "not a currency"),
        (lambda s: accounts.add_manual_account(s, "  ", "EUR"), "needs a name"),
    ],
)
def test_bad_account_changes_are_refused(cache: Store, call: object, message: str) -> None:
    with pytest.raises(AccountError, match=message):
        call(cache)  # type: ignore[operator]


def test_manual_account_add_edit_delete_and_undo(cache: Store) -> None:
    wallet = accounts.add_manual_account(cache, "Wallet", "eur")
    assert (wallet.manual, wallet.account_type, wallet.currency) == (True, "cash", "EUR")
    groceries = cat.find_category(cache, "Groceries").id
    tx_id = manual.add_transaction(cache, wallet.id, date(2026, 3, 2), "-4.50", "Market", "Farmer", groceries)
    manual.edit_transaction(cache, tx_id, amount="-5.50", description="Market stall")
    (found,) = cache.search("stall")
    assert (found.id, found.amount.amount, found.counterparty) == (tx_id, Decimal("-5.50"), "Farmer")
    undo_id = manual.delete_transaction(cache, tx_id)
    assert cache.search("stall") == []
    restored = manual.undo_delete(cache, undo_id)
    (back,) = cache.search("stall")
    assert back.id == restored and back.amount.amount == Decimal("-5.50")
    assert cat.category_of(cache, restored) == (groceries, "manual")
    with pytest.raises(ManualEntryError, match="no deletion to undo"):
        manual.undo_delete(cache)


def test_manual_entries_are_refused_on_bank_accounts_and_with_bad_amounts(cache: Store) -> None:
    wallet = accounts.add_manual_account(cache, "Wallet", "JPY")
    with pytest.raises(ManualEntryError, match="comes from a bank"):
        manual.add_transaction(cache, 1, date(2026, 1, 1), "1", "x")
    with pytest.raises(ManualEntryError, match="not an amount in JPY"):
        manual.add_transaction(cache, wallet.id, date(2026, 1, 1), "1.5", "x")
    with pytest.raises(ManualEntryError, match="not an amount"):
        manual.add_transaction(cache, wallet.id, date(2026, 1, 1), "12,-", "x")
    cache.upsert_transactions([factories.tx(1, 1)])
    bank_tx = next(t.id for t in cache.iter_transactions() if t.account_id == 1)
    assert bank_tx is not None
    with pytest.raises(ManualEntryError, match="comes from a bank"):
        manual.delete_transaction(cache, bank_tx)


def test_sync_leaves_the_manual_connection_alone(cache: Store) -> None:
    accounts.add_manual_account(cache, "Wallet", "EUR")
    cache.set_connection_status("c1", ConnectionStatus.DISCONNECTED)

    def no_session(connection: object, cancel: object) -> object:
        raise AssertionError(f"sync tried to open {connection}")

    results = SyncEngine(cache, no_session).sync_all()  # type: ignore[arg-type]
    assert results == []


def test_the_account_tree_shows_the_persons_names_order_and_manual_balances(cache: Store) -> None:
    from desktop_app.core.views.accounts import account_tree

    accounts.rename_account(cache, 2, "Rainy day")
    accounts.reorder(cache, [2, 1])
    wallet = accounts.add_manual_account(cache, "Wallet", "EUR")
    manual.add_transaction(cache, wallet.id, date(2026, 3, 1), "40.00", "Cash from the ATM")
    manual.add_transaction(cache, wallet.id, date(2026, 3, 2), "-12.50", "Coffee")
    tree = account_tree(cache)
    bank = tree.connection("c1")
    assert bank is not None and [(a.account_id, a.name) for a in bank.accounts][:2] == [
        (2, "Rainy day"),
        (1, "Everyday"),
    ]
    kept = tree.connection(accounts.MANUAL_CONNECTION)
    assert kept is not None and kept.badges == ()  # nothing to sync, nothing to reconnect
    (node,) = kept.accounts
    assert node.balance is not None and node.balance.amount == Decimal("27.50")
    assert node.as_of is not None and node.as_of.date() == date(2026, 3, 2)
    eur = tree.total("EUR")
    assert eur is not None and wallet.id in eur.account_ids
