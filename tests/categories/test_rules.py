"""Rules over a real cache: order and precedence, manual choices winning, dry runs, and bad rules."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from desktop_app.core import categories as cat
from desktop_app.core import rules_engine
from desktop_app.core.errors import Cancelled, CategoryError, RuleError
from desktop_app.core.models import raw_json
from desktop_app.core.rules import Actions, Conditions, Rule, add_rule, delete_rule, move_rule, rules
from desktop_app.core.store import Store
from tests import factories


def _id(store: Store, name: str) -> int:
    return cat.find_category(store, name).id


def _store(store: Store, *txs: object) -> dict[str, int]:
    """Store transactions; returns their ids by provider id."""
    store.upsert_transactions(list(txs))  # type: ignore[arg-type]
    return {t.provider_id or "": t.id for t in store.iter_transactions() if t.id is not None}


def _category(store: Store, tx_id: int) -> tuple[int | None, str | None]:
    return cat.category_of(store, tx_id)


def test_first_matching_rule_wins_and_order_can_change(cache: Store) -> None:
    ids = _store(cache, factories.tx(1, 1, counterparty="Shell Express", description="Fuel and coffee"))
    fuel, eating = _id(cache, "Fuel"), _id(cache, "Eating out")
    first = add_rule(cache, Rule(Conditions(counterparty="shell"), Actions(category_id=fuel)))
    add_rule(cache, Rule(Conditions(description="COFFEE"), Actions(category_id=eating)))
    rules_engine.apply_rules(cache)
    assert _category(cache, ids["t1"]) == (fuel, "rule")
    assert first.id is not None
    move_rule(cache, first.id, 1)
    assert [r.conditions.description for r in rules(cache)] == ["COFFEE", None]
    result = rules_engine.apply_rules(cache)
    assert result.changed == 1
    assert _category(cache, ids["t1"]) == (eating, "rule")


def test_rule_inserted_first_runs_first(cache: Store) -> None:
    ids = _store(cache, factories.tx(1, 1, counterparty="Netto"))
    add_rule(cache, Rule(Conditions(counterparty="netto"), Actions(category_id=_id(cache, "Groceries"))))
    add_rule(cache, Rule(Conditions(counterparty="net"), Actions(category_id=_id(cache, "Pets"))), position=0)
    rules_engine.apply_rules(cache)
    assert _category(cache, ids["t1"])[0] == _id(cache, "Pets")


def test_manual_choice_survives_rules_resync_and_rule_changes(cache: Store) -> None:
    original = factories.tx(1, 1, counterparty="Netto")
    ids = _store(cache, original, factories.tx(1, 2, counterparty="Netto"))
    groceries, gifts = _id(cache, "Groceries"), _id(cache, "Gifts & charity")
    rule = add_rule(cache, Rule(Conditions(counterparty="Netto"), Actions(category_id=groceries)))
    cat.set_category(cache, ids["t1"], gifts)
    rules_engine.apply_rules(cache)
    assert _category(cache, ids["t1"]) == (gifts, "manual")
    assert _category(cache, ids["t2"]) == (groceries, "rule")
    # the bank sends the same transactions again, one with a corrected text: ids and choices stay
    again = _store(cache, original, factories.tx(1, 2, counterparty="Netto", description="Card payment Netto"))
    assert again == ids
    assert _category(cache, ids["t1"]) == (gifts, "manual")
    assert _category(cache, ids["t2"]) == (groceries, "rule")
    # the rule goes: what it decided goes on the next run, the person's choice stays
    assert rule.id is not None
    delete_rule(cache, rule.id)
    dry = rules_engine.apply_rules(cache, dry_run=True)
    assert dry.changed == 1 and _category(cache, ids["t2"]) == (groceries, "rule")
    assert rules_engine.apply_rules(cache).changed == 1
    assert _category(cache, ids["t1"]) == (gifts, "manual")
    assert _category(cache, ids["t2"]) == (None, None)


def test_dry_run_counts_exactly_what_apply_changes(cache: Store) -> None:
    txs = [factories.tx(1, n, amount=f"-{n}.00", counterparty=("Lidl", "DSB", "Zalando")[n % 3]) for n in range(1, 61)]
    _store(cache, *txs)
    add_rule(cache, Rule(Conditions(counterparty="lidl"), Actions(category_id=_id(cache, "Groceries"))))
    add_rule(cache, Rule(Conditions(amount_min=Decimal("30"), sign="out"), Actions(tag="big")))
    dry = rules_engine.apply_rules(cache, dry_run=True, batch=7)
    assert (dry.examined, dry.changed) == (60, 20)
    assert cache._read("SELECT count(*) FROM transactions WHERE category_id IS NOT NULL")[0][0] == 0
    assert cache._read("SELECT count(*) FROM tags")[0][0] == 0  # a dry run writes nothing at all
    real = rules_engine.apply_rules(cache, batch=7)
    assert real.changed == 20
    assert cache._read("SELECT count(*) FROM tx_tags")[0][0] == 31  # amounts 30 … 60
    assert rules_engine.apply_rules(cache, dry_run=True).changed == 0


def test_actions_rename_tag_and_transfer(cache: Store) -> None:
    ids = _store(cache, factories.tx(1, 1, counterparty="PAYPAL *SPOTIFY 4029357733"), factories.tx(1, 2))
    add_rule(cache, Rule(Conditions(counterparty="spotify"), Actions(rename="Spotify", tag="music")))
    add_rule(cache, Rule(Conditions(description_regex=r"^Card\s+pay"), Actions(transfer=True, rename="Ignored")))
    rules_engine.apply_rules(cache)
    row = cache._read("SELECT payee, transfer_id, transfer_source FROM transactions WHERE id = ?", (ids["t1"],))[0]
    assert tuple(row) == ("Spotify", 0, "rule")  # the first rename wins, the later rule still marks the transfer
    tags = cache._read(
        "SELECT g.name FROM tx_tags x JOIN tags g ON g.id = x.tag_id WHERE x.transaction_id = ?", (ids["t1"],)
    )
    assert [r[0] for r in tags] == ["music"]
    assert cache._read("SELECT counterparty FROM transactions WHERE id = ?", (ids["t1"],))[0][0].startswith("PAYPAL")


def test_amount_limits_are_exact_in_every_currency(cache: Store) -> None:
    yen = factories.account(cache, ref="jp", currency="JPY", name="Yen")
    assert yen.id is not None
    ids = _store(
        cache,
        factories.tx(1, 1, amount="-10.00"),
        factories.tx(1, 2, amount="-9.99"),
        factories.tx(yen.id, 3, amount="-10", currency="JPY"),
        factories.tx(yen.id, 4, amount="-9", currency="JPY"),
        factories.tx(1, 5, amount="10.00"),
    )
    add_rule(cache, Rule(Conditions(amount_min=Decimal("9.995"), sign="out"), Actions(category_id=_id(cache, "Pets"))))
    rules_engine.apply_rules(cache)
    hits = {k for k, v in ids.items() if _category(cache, v)[0] is not None}
    assert hits == {"t1", "t3"}


def test_account_and_provider_conditions(cache: Store) -> None:
    from dataclasses import replace

    coded = replace(factories.tx(1, 1, counterparty="Unknown shop"), raw=raw_json({"merchant_category_code": "5812"}))
    worded = replace(factories.tx(2, 2, counterparty="x"), raw=raw_json({"category": "Rent"}))
    ids = _store(cache, coded, worded, factories.tx(2, 3, counterparty="x"))
    add_rule(cache, Rule(Conditions(mcc="5811-5814"), Actions(tag="food")))
    rent = Actions(category_id=_id(cache, "Rent"))
    add_rule(cache, Rule(Conditions(provider_category="rent", account_ids=(2,)), rent))
    rules_engine.apply_rules(cache)
    assert _category(cache, ids["t2"])[0] == _id(cache, "Rent")
    assert _category(cache, ids["t3"]) == (None, None)
    assert cache._read("SELECT transaction_id FROM tx_tags")[0][0] == ids["t1"]


def test_provider_guess_is_the_first_guess_and_rules_beat_it(cache: Store) -> None:
    from dataclasses import replace

    after = rules_engine.last_transaction_id(cache)
    grocery = replace(factories.tx(1, 1, counterparty="Corner shop"), raw=raw_json({"merchant_category_code": 5411}))
    bar = replace(factories.tx(1, 2, counterparty="Bar"), raw=raw_json({"category": "restaurant"}))
    ids = _store(cache, grocery, bar)
    rules_engine.categorise_new(cache, after)
    assert _category(cache, ids["t1"]) == (_id(cache, "Groceries"), "provider")
    assert _category(cache, ids["t2"]) == (_id(cache, "Eating out"), "provider")
    add_rule(cache, Rule(Conditions(counterparty="corner"), Actions(category_id=_id(cache, "Health"))))
    rules_engine.apply_rules(cache)
    assert _category(cache, ids["t1"]) == (_id(cache, "Health"), "rule")


def test_a_guess_follows_the_record_when_it_loses_or_gains_a_hint(cache: Store) -> None:
    from dataclasses import replace

    after = rules_engine.last_transaction_id(cache)
    hinted = replace(factories.tx(1, 1, counterparty="Shop"), raw=raw_json({"mcc": "5411"}))
    plain = replace(factories.tx(1, 2, counterparty="Other"), raw=raw_json({"text": "no hint here"}))
    ids = _store(cache, hinted, plain)
    rules_engine.categorise_new(cache, after)
    assert _category(cache, ids["t1"]) == (_id(cache, "Groceries"), "provider")
    assert _category(cache, ids["t2"]) == (None, None)
    # the bank sends the records again: the hint moved from the first to the second
    cache.upsert_transactions(
        [replace(hinted, raw=raw_json({"text": "no hint"})), replace(plain, raw=raw_json({"Category": "restaurant"}))]
    )
    rules_engine.categorise_existing(cache)
    assert _category(cache, ids["t1"]) == (None, None)
    assert _category(cache, ids["t2"]) == (_id(cache, "Eating out"), "provider")


def test_cancel_stops_between_batches_and_a_rerun_finishes(cache: Store) -> None:
    _store(cache, *(factories.tx(1, n, counterparty="Lidl", day=date(2026, 1, 1 + n % 28)) for n in range(40)))
    add_rule(cache, Rule(Conditions(counterparty="lidl"), Actions(category_id=_id(cache, "Groceries"))))
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        cancel.set()

    with pytest.raises(Cancelled):
        rules_engine.apply_rules(cache, batch=10, cancel=cancel, progress=progress)
    assert seen == [(10, 40)]
    assert cache._read("SELECT count(*) FROM transactions WHERE category_id IS NOT NULL")[0][0] == 10
    assert rules_engine.apply_rules(cache, batch=10).changed == 30


def _dangling(store: Store) -> int:
    """Rows whose category or provider guess names a category that does not exist."""
    return int(
        store._read(
            "SELECT count(*) FROM transactions WHERE (category_id IS NOT NULL AND category_id NOT IN "
            "(SELECT id FROM categories)) OR (guess_id IS NOT NULL AND guess_id NOT IN (SELECT id FROM categories))"
        )[0][0]
    )


def test_deleting_a_category_the_provider_guessed_leaves_rule_runs_sound(cache: Store) -> None:
    from dataclasses import replace

    after = rules_engine.last_transaction_id(cache)
    shop = replace(factories.tx(1, 1, counterparty="Corner shop"), raw=raw_json({"merchant_category_code": 5411}))
    ids = _store(cache, shop, replace(factories.tx(1, 2, counterparty="Deli"), raw=shop.raw))
    rules_engine.categorise_new(cache, after)
    groceries = _id(cache, "Groceries")
    assert _category(cache, ids["t1"]) == (groceries, "provider")
    cat.delete_category(cache, groceries, reassign_to=_id(cache, "Eating out"))
    add_rule(cache, Rule(Conditions(counterparty="deli"), Actions(category_id=_id(cache, "Health"))))
    rules_engine.apply_rules(cache)  # a rule run falls back to the guess for t1: it moved with the category
    assert _category(cache, ids["t1"]) == (_id(cache, "Eating out"), "provider")
    assert _category(cache, ids["t2"]) == (_id(cache, "Health"), "rule")
    cat.delete_category(cache, _id(cache, "Eating out"), reassign_to=None)
    rules_engine.apply_rules(cache)
    assert _category(cache, ids["t1"]) == (None, None)
    assert _dangling(cache) == 0
    assert cache._read("PRAGMA foreign_key_check")[:1] == []


def test_a_category_deleted_during_a_run_stops_it_with_a_reason(cache: Store) -> None:
    _store(cache, *(factories.tx(1, n, counterparty="Lidl", day=date(2026, 1, 1 + n % 28)) for n in range(40)))
    pets = cat.add_category(cache, "Aquarium", parent_id=_id(cache, "Pets"))
    add_rule(cache, Rule(Conditions(counterparty="lidl"), Actions(category_id=pets.id)))

    def progress(done: int, total: int) -> None:
        if done == 10:  # the person deletes the category from another window between two writes
            cat.delete_category(cache, pets.id, reassign_to=None)

    with pytest.raises(RuleError, match="categories changed"):
        rules_engine.apply_rules(cache, batch=10, progress=progress)
    assert _dangling(cache) == 0
    assert cache._read("PRAGMA foreign_keys")[0][0] == 1  # switched back on after the failed write
    rules_engine.apply_rules(cache)  # run again: it completes, and the deleted category is on no row
    assert cache._read("SELECT count(*) FROM transactions WHERE category_id IS NOT NULL")[0][0] == 0


def test_a_rule_run_leaves_the_schema_and_foreign_keys_as_they_were(cache: Store) -> None:
    schema = cache._read("SELECT type, name, sql FROM sqlite_master ORDER BY name")
    ids = _store(cache, *(factories.tx(1, n, counterparty="Lidl", day=date(2026, 1, 1 + n)) for n in range(20)))
    add_rule(cache, Rule(Conditions(counterparty="lidl"), Actions(category_id=_id(cache, "Groceries"), tag="food")))
    assert rules_engine.apply_rules(cache, batch=7).changed == 20
    assert [tuple(r) for r in cache._read("SELECT type, name, sql FROM sqlite_master ORDER BY name")] == [
        tuple(r) for r in schema
    ]
    assert cache._read("PRAGMA foreign_keys")[0][0] == 1
    # the report trigger is back: a person's own change after the run still marks its month
    with cache._write() as conn:
        conn.execute("DELETE FROM report_stale")
        conn.execute(
            "UPDATE transactions SET category_id = ?, category_source = 'manual', rule_id = NULL WHERE id = ?",
            (_id(cache, "Pets"), ids["t3"]),
        )
    assert [r[0] for r in cache._read("SELECT month FROM report_stale")] == ["2026-01"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule(Conditions(), Actions(tag="x")), "at least one condition"),
        (Rule(Conditions(counterparty="  "), Actions(tag="x")), "at least one condition"),
        (Rule(Conditions(counterparty="a"), Actions()), "something to do"),
        (Rule(Conditions(description_regex="(unclosed"), Actions(tag="x")), "regular expression"),
        (Rule(Conditions(amount_min=Decimal("5"), amount_max=Decimal("1")), Actions(tag="x")), "larger than"),
        (Rule(Conditions(amount_min=Decimal("-5")), Actions(tag="x")), "no minus sign"),
        (Rule(Conditions(sign="up"), Actions(tag="x")), "'in' or 'out'"),
        (Rule(Conditions(mcc="54x1"), Actions(tag="x")), "four digits"),
        (Rule(Conditions(mcc="5999-5000"), Actions(tag="x")), "backwards"),
        (Rule(Conditions(account_ids=(99,)), Actions(tag="x")), "no account 99"),
        (Rule(Conditions(counterparty="a"), Actions(category_id=9999)), "no category 9999"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(cache: Store, rule: Rule, message: str) -> None:
    with pytest.raises(RuleError if "category" not in message else CategoryError, match=message):
        add_rule(cache, rule)
    assert rules(cache) == []
