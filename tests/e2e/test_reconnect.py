"""Approving the same login twice never doubles accounts or money."""

from __future__ import annotations

from desktop_app.core.models import Account, Connection
from tests.e2e.conftest import World
from tests.sync.test_faults_and_crashes import _connect


def _totals(world: World) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in world.store.accounts_with_balances():
        if row.balance is not None:
            totals[row.balance.currency] = totals.get(row.balance.currency, 0) + row.balance.minor_units
    return totals


def test_connecting_a_healthy_login_again_reuses_its_connection(world: World) -> None:
    first = _connect(world.connector, world.sandbox)
    assert world.engine.sync(first).ok
    accounts = {a.provider_account_id for a in world.store.accounts(first)}
    transactions = world.store.count_transactions()
    totals = _totals(world)
    for _ in range(2):  # the person approves the same bank again, twice
        again = _connect(world.connector, world.sandbox)
        assert again == first
        assert world.engine.sync(again).ok
    assert [c.id for c in world.store.connections()] == [first]
    assert {a.provider_account_id for a in world.store.accounts()} == accounts
    assert world.store.count_transactions() == transactions
    assert _totals(world) == totals and totals


def test_another_login_at_the_same_provider_is_its_own_connection(world: World) -> None:
    # someone else's Aiia login, already in the cache: none of its accounts are in this consent
    world.store.save_connection(Connection(id="spouse", provider="aiia", label="Aiia"))
    world.store.save_accounts([Account("spouse", "acc-not-in-this-consent", "Joint savings", "DKK")])
    mine = _connect(world.connector, world.sandbox, "aiia")
    assert mine != "spouse"
    assert world.engine.sync(mine).ok
    assert [a.name for a in world.store.accounts("spouse")] == ["Joint savings"]
    assert world.store.accounts(mine)
