"""The synthetic ledger: deterministic for a seed, realistic in shape, and cheap at a million rows."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saldo_sandbox import Sandbox
from saldo_sandbox.data import History, View, generate
from saldo_sandbox.wire import dumps_exact
from tests.sandbox.conftest import NOW

DAY = date(2026, 1, 15)


def _rows(ledger_provider: str, seed: int, n: int) -> list[tuple[str, str, int, date, str]]:
    ledger = generate(ledger_provider, seed, n, DAY)
    return [
        (t.account_id, t.id, t.minor, t.day, t.description) for a in ledger.accounts for t in ledger.view(a.id, DAY)
    ]


def test_same_seed_same_ledger_other_seed_other_ledger() -> None:
    assert _rows("demo", 5, 3000) == _rows("demo", 5, 3000)
    assert _rows("demo", 5, 3000) != _rows("demo", 6, 3000)


def test_same_seed_and_clock_give_the_same_ground_truth_over_http() -> None:
    truths = []
    for _ in range(2):
        with Sandbox(seed=9, transactions=500, clock=lambda: NOW) as sb:
            truths.append({p: sb.ground_truth(p) for p in ("demo", "aiia", "aritma", "connectpay", "tatrabanka")})
    assert truths[0] == truths[1]


def test_a_household_over_several_years() -> None:
    ledger = generate("demo", 5, 3000, DAY)
    assert {a.currency for a in ledger.accounts} == {"EUR", "SEK"}
    rows = [t for a in ledger.accounts for t in ledger.view(a.id, DAY)]
    assert 2500 < len(rows) < 3700
    kinds = Counter(t.kind for t in rows)
    assert {"salary", "housing", "groceries", "transport", "subscription", "card_payment", "transfer"} <= set(kinds)
    assert kinds["salary"] == 36  # monthly for three years
    assert min(t.day for t in rows) <= DAY - timedelta(days=3 * 365 - 1)
    assert any(t.pending_at(DAY) for t in rows) and all(t.books_on > DAY for t in rows if t.pending_at(DAY))
    transfers = [t for t in rows if t.kind == "transfer"]
    assert sum(t.minor for t in transfers) == 0  # own-account transfers leave both sides
    for a in ledger.accounts[:2]:
        assert ledger.balance(a.id, DAY) > 0  # income keeps up with spending


def test_every_currency_and_every_provider() -> None:
    currencies = {
        a.currency
        for p in ("demo", "aiia", "aritma", "connectpay", "tatrabanka")
        for a in generate(p, 1, 50, DAY).accounts
    }
    assert currencies == {"EUR", "DKK", "NOK", "SEK"}


def test_amounts_are_exact_in_minor_units() -> None:
    ledger = generate("aiia", 2, 500, DAY)
    for a in ledger.accounts:
        for t in ledger.view(a.id, DAY):
            assert isinstance(t.minor, int) and t.amount() == Decimal(t.minor) / 100
            assert t.amount().as_tuple().exponent == -2


def test_json_numbers_are_written_exactly_without_float() -> None:
    assert dumps_exact({"value": Decimal("4843.34"), "n": [Decimal("-0.10"), Decimal("12345678901234567.89")]}) == (
        b'{"value": 4843.34, "n": [-0.10, 12345678901234567.89]}'
    )


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(0, 60),
    skip=st.sets(st.integers(0, 59)),
    start=st.integers(0, 70),
    page=st.integers(1, 25),
)
def test_a_view_pages_exactly_like_the_filtered_list(size: int, skip: set[int], start: int, page: int) -> None:
    from saldo_sandbox.data import Account

    history = History(Account("a", "A", "EUR", "NL00"), "t-")
    history.texts = [("x", "y", "other")]
    for i in range(size):
        history.add(1000 + i // 3, i, 0, i)
    holes = sorted(s for s in skip if s < size)
    expected = [i for i in range(size) if i not in set(holes)]
    view = View(history, 0, size, skip=holes)
    assert len(view) == len(expected)
    assert view.positions(start, page) == expected[start : start + page]


@pytest.mark.slow
def test_a_million_transactions_are_feasible_and_compact() -> None:
    ledger = generate("demo", 1, 1_000_000, DAY)
    assert 950_000 < ledger.count() < 1_050_000
    stored = sum(
        column.buffer_info()[1] * column.itemsize
        for h in ledger.histories.values()
        for column in (h.days, h.minor, h.books, h.text, h.seq)
    )
    assert stored < 30 * ledger.count() and len(ledger.texts) < 100  # column-wise, texts shared
    main = ledger.accounts[0]
    view = ledger.view(main.id, DAY, since=DAY - timedelta(days=30))
    last = view.page(len(view) - 5, 5)  # only the page asked for becomes objects
    assert len(last) == 5 and all(t.day <= DAY for t in last)
    assert isinstance(ledger.balance(main.id, DAY), int)
