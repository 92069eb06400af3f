"""Categories across real syncs from the sandbox: first guesses, rules on new rows, manual choices kept."""

from __future__ import annotations

from desktop_app.core import categories as cat
from desktop_app.core import rules_engine
from desktop_app.core.rules import Actions, Conditions, Rule, add_rule, delete_rule
from desktop_app.core.store import TxFilter
from tests.e2e.conftest import World


def _sources(world: World) -> dict[str | None, int]:
    rows = world.store._read("SELECT category_source, count(*) FROM transactions GROUP BY 1")
    return {r[0]: r[1] for r in rows}


def test_manual_choices_survive_resync_reimport_and_rule_changes(world: World) -> None:
    groceries = cat.find_category(world.store, "Groceries").id
    gifts = cat.find_category(world.store, "Gifts & charity").id
    rule = add_rule(world.store, Rule(Conditions(counterparty="netto"), Actions(category_id=gifts)))
    connection = world.connect("demo")
    assert world.engine.sync(connection.id).ok
    # the Demo Bank sends a category word: the first guess; the rule, run on every synced page, beats it
    sources = _sources(world)
    assert sources.get("provider", 0) > 0 and sources.get("rule", 0) > 0
    netto = [t for t in world.store.iter_transactions(TxFilter(search="netto")) if t.id is not None]
    assert netto and all(cat.category_of(world.store, t.id) == (gifts, "rule") for t in netto)
    chosen = [t.id for t in netto[:3] if t.id is not None]
    for tx_id in chosen:
        cat.set_category(world.store, tx_id, groceries)

    # a second sync re-reads the overlap window; a re-import stores every transaction again
    assert world.engine.sync(connection.id).ok
    everything = list(world.store.iter_transactions())
    again = world.store.bulk_import(everything)
    assert again.new == 0
    assert rules_engine.categorise_new(world.store, 0) >= max(chosen)
    # the rule changes, then goes; the person's choices stay put throughout
    assert rule.id is not None
    delete_rule(world.store, rule.id)
    rules_engine.apply_rules(world.store)
    assert all(cat.category_of(world.store, tx_id) == (groceries, "manual") for tx_id in chosen)
    others = [t.id for t in netto if t.id not in chosen and t.id is not None]
    assert all(cat.category_of(world.store, tx_id)[1] != "rule" for tx_id in others)
