"""The category tree and a transaction's category: manual choices, splits and rule suggestions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core import categories as cat
from desktop_app.core.errors import CategoryError
from desktop_app.core.store import Store
from tests import factories


def _cat(store: Store, text: str) -> int:
    return cat.find_category(store, text).id


def test_default_tree_has_two_levels_and_the_usual_categories(cache: Store) -> None:
    tree = cat.categories(cache)
    paths = [c.path for c in tree]
    for expected in ("Groceries", "Eating out", "Transport / Fuel", "Income / Salary", "Transfers"):
        assert expected in paths
    parents = {c.id: c for c in tree}
    assert all(c.parent_id is None or parents[c.parent_id].parent_id is None for c in tree)
    # children follow their parent
    assert paths.index("Transport") + 1 == paths.index("Transport / Public transport")
    assert cat.find_category(cache, "transfers").kind == "transfer"


def test_find_by_id_code_name_and_path(cache: Store) -> None:
    fuel = cat.find_category(cache, "Transport/Fuel")
    assert cat.find_category(cache, str(fuel.id)) == fuel
    assert cat.find_category(cache, "fuel") == fuel
    assert cat.find_category(cache, "eating_out").name == "Eating out"
    with pytest.raises(CategoryError, match="no category called"):
        cat.find_category(cache, "Yachts")


def test_ambiguous_name_asks_for_the_path(cache: Store) -> None:
    cat.add_category(cache, "Fuel", parent_id=_cat(cache, "Travel"))
    with pytest.raises(CategoryError, match="Parent / Child"):
        cat.find_category(cache, "Fuel")


def test_add_rename_move_and_the_errors(cache: Store) -> None:
    books = cat.add_category(cache, "Books", parent_id=_cat(cache, "Shopping"))
    assert books.path == "Shopping / Books" and books.kind == "expense"
    assert cat.rename_category(cache, books.id, "  Books   & comics ").name == "Books & comics"
    moved = cat.move_category(cache, books.id, _cat(cache, "Education"))
    assert moved.path == "Education / Books & comics"
    assert cat.move_category(cache, books.id, None).parent_id is None
    with pytest.raises(CategoryError, match="already"):
        cat.add_category(cache, "groceries")
    with pytest.raises(CategoryError, match="two levels"):
        cat.add_category(cache, "Diesel", parent_id=_cat(cache, "Transport / Fuel"))
    with pytest.raises(CategoryError, match="name"):
        cat.add_category(cache, "a/b")
    with pytest.raises(CategoryError, match="kind"):
        cat.add_category(cache, "Odd", kind="liability")
    with pytest.raises(CategoryError, match="subcategories"):
        cat.move_category(cache, _cat(cache, "Transport"), _cat(cache, "Travel"))


def test_merge_moves_transactions_splits_budgets_and_children(cache: Store) -> None:
    factories_tx = [factories.tx(1, n, amount="-10.00") for n in range(3)]
    cache.upsert_transactions(factories_tx)
    ids = [t.id for t in cache.iter_transactions() if t.id is not None]
    eating, groceries = _cat(cache, "Eating out"), _cat(cache, "Groceries")
    cat.set_category(cache, ids[0], eating)
    cat.split_transaction(cache, ids[1], [(eating, Decimal("-4.00")), (groceries, Decimal("-6.00"))])
    child = cat.add_category(cache, "Coffee", parent_id=eating)
    cat.merge_category(cache, eating, groceries)
    assert cat.category_of(cache, ids[0]) == (groceries, "manual")
    assert {s.category_id for s in cat.splits(cache, ids[1])} == {groceries}
    assert cat.get_category(cache, child.id).parent_id == groceries
    with pytest.raises(CategoryError):
        cat.get_category(cache, eating)


def test_delete_without_target_uncategorises_but_refuses_when_splits_use_it(cache: Store) -> None:
    cache.upsert_transactions([factories.tx(1, 1), factories.tx(1, 2, amount="-10.00")])
    first, second = sorted(t.id for t in cache.iter_transactions() if t.id is not None)
    pets = _cat(cache, "Pets")
    cat.set_category(cache, first, pets)
    cat.delete_category(cache, pets)
    assert cat.category_of(cache, first) == (None, None)
    gifts, health = _cat(cache, "Gifts & charity"), _cat(cache, "Health")
    cat.split_transaction(cache, second, [(gifts, Decimal("-5")), (health, Decimal("-5"))])
    with pytest.raises(CategoryError, match="split"):
        cat.delete_category(cache, gifts)
    assert cat.get_category(cache, gifts).name == "Gifts & charity"  # rolled back, nothing lost


def test_split_must_add_up_exactly(cache: Store) -> None:
    cache.upsert_transactions([factories.tx(1, 1, amount="-100.00")])
    (tx_id,) = [t.id for t in cache.iter_transactions() if t.id is not None]
    a, b = _cat(cache, "Groceries"), _cat(cache, "Health")
    with pytest.raises(CategoryError, match=r"add up to -99\.99 EUR"):
        cat.split_transaction(cache, tx_id, [(a, Decimal("-50.00")), (b, Decimal("-49.99"))])
    with pytest.raises(CategoryError, match="not valid in EUR"):
        cat.split_transaction(cache, tx_id, [(a, Decimal("-50.001")), (b, Decimal("-49.999"))])
    with pytest.raises(CategoryError, match="at least two"):
        cat.split_transaction(cache, tx_id, [(a, Decimal("-100.00"))])
    with pytest.raises(CategoryError, match="no transaction"):
        cat.split_transaction(cache, 999, [(a, Decimal("-1")), (b, Decimal("1"))])
    assert cat.splits(cache, tx_id) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    cuts=st.lists(st.integers(min_value=-(10**12), max_value=10**12), min_size=1, max_size=5),
)
def test_splits_always_sum_exactly(cache: Store, total: int, cuts: list[int]) -> None:
    amount = str(Decimal(total).scaleb(-2))
    cache.upsert_transactions([factories.tx(1, 7, amount=amount)])
    tx_id = next(t.id for t in cache.iter_transactions() if t.id is not None)
    parts = [*cuts, total - sum(cuts)]
    ids = [c.id for c in cat.categories(cache)][: len(parts)]
    cat.split_transaction(cache, tx_id, [(i, Decimal(p).scaleb(-2)) for i, p in zip(ids, parts, strict=True)])
    stored = cat.splits(cache, tx_id)
    assert sum(s.amount.minor_units for s in stored) == total
    assert [s.amount.minor_units for s in stored] == parts
    with pytest.raises(CategoryError):
        cat.split_transaction(cache, tx_id, [(ids[0], Decimal(total + 1).scaleb(-2)), (ids[1], Decimal(0))])
    assert sum(s.amount.minor_units for s in cat.splits(cache, tx_id)) == total


def test_second_manual_choice_for_a_counterparty_suggests_a_rule(cache: Store) -> None:
    cache.upsert_transactions([factories.tx(1, n, counterparty="Bäckerei Müller") for n in range(3)])
    ids = sorted(t.id for t in cache.iter_transactions() if t.id is not None)
    eating = _cat(cache, "Eating out")
    assert cat.set_category(cache, ids[0], eating) is None
    suggestion = cat.set_category(cache, ids[1], eating)
    assert suggestion == cat.RuleSuggestion("Bäckerei Müller", eating, 2)
    from desktop_app.core import rules

    rules.add_rule(cache, rules.Rule(rules.Conditions(counterparty="müller"), rules.Actions(category_id=eating)))
    assert cat.set_category(cache, ids[2], eating) is None  # a rule does it already
