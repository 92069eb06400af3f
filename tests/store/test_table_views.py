"""The table's read model over a real cache: where "go to date" lands, and the transfer marks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from desktop_app.core import transfers
from desktop_app.core.store import Store, TxFilter, browse
from desktop_app.core.store.browse import Sort, SortKey
from desktop_app.core.views.table import TransferMark, land_on, transfer_marks
from tests.factories import account, connection, tx

START = date(2026, 1, 1)
PAGE = 4


def _days(store: Store) -> tuple[int, int]:
    """Two accounts; rows on every third day of 60 (none on the days between), three a day on Everyday."""
    connection(store, "c1")
    a = account(store, "c1", ref="a", name="Everyday")
    b = account(store, "c1", ref="b", name="Savings")
    assert a.id is not None and b.id is not None
    rows = []
    for n in range(0, 60, 3):
        day = START + timedelta(days=n)
        rows += [tx(a.id, n * 10 + k, amount=f"-{n + k}.00", day=day, counterparty=f"P{k}") for k in range(3)]
        rows.append(tx(b.id, 1000 + n, amount=f"{n}.50", day=day, description="Interest"))
    store.upsert_transactions(rows)
    return a.id, b.id


def _every_row(store: Store, filt: TxFilter, sort: Sort) -> list[int | None]:
    return [t.id for t in browse.rows(store, filt, sort, 10_000)]


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("accounts", ["both", "one", "search", "out"])
def test_a_day_lands_on_its_first_row_or_the_nearest_earlier_day(store: Store, descending: bool, accounts: str) -> None:
    a, b = _days(store)
    filt = {
        "both": TxFilter(account_ids=(a, b)),
        "one": TxFilter(account_ids=(a,)),
        "search": TxFilter(search="P1"),
    }.get(accounts, TxFilter(direction="out"))
    sort = Sort(SortKey.DATE, descending)
    everything = browse.rows(store, filt, sort, 10_000)
    total = browse.count(store, filt)
    assert total == len(everything) > PAGE * 3
    for asked, expected in (
        (START + timedelta(days=30), START + timedelta(days=30)),  # a day with rows: that day
        (START + timedelta(days=31), START + timedelta(days=30)),  # none that day: the nearest earlier
        (START + timedelta(days=400), START + timedelta(days=57)),  # after everything: the newest day
    ):
        landing = land_on(store, filt, sort, asked, total, PAGE)
        assert landing is not None and landing.day == expected
        first_of_day = next(i for i, t in enumerate(everything) if t.booking_date == expected)
        assert landing.row == first_of_day
        assert landing.first == first_of_day - first_of_day % PAGE
        # the block is exactly the rows a scroll to it would read
        assert [t.id for t in landing.rows] == [t.id for t in everything[landing.first : landing.first + PAGE]]
    before_all = land_on(store, filt, sort, START - timedelta(days=1), total, PAGE)
    assert before_all is not None and before_all.day is None  # nothing that early: the oldest row
    oldest = total - 1 if descending else 0
    assert before_all.row == oldest and everything[oldest].booking_date == START
    assert [t.id for t in before_all.rows] == [t.id for t in everything[before_all.first : before_all.first + PAGE]]


def test_go_to_date_refuses_another_order_and_finds_nothing_in_an_empty_filter(store: Store) -> None:
    a, _ = _days(store)
    with pytest.raises(ValueError, match="date order"):
        land_on(store, TxFilter(), Sort(SortKey.AMOUNT), START, 10, PAGE)
    nothing = TxFilter(account_ids=(a,), search="nowhere-to-be-found")
    assert land_on(store, nothing, Sort(), START, browse.count(store, nothing), PAGE) is None
    assert land_on(store, replace(nothing, search=None, account_ids=()), Sort(), START, 0, PAGE) is None


def test_transfer_marks_name_the_other_account_or_who_marked_it(store: Store) -> None:
    connection(store, "c1")
    a = account(store, "c1", ref="a", name="Everyday")
    b = account(store, "c1", ref="b", name="Savings")
    assert a.id is not None and b.id is not None
    store.upsert_transactions(
        [
            tx(a.id, 1, amount="-250.00", day=START, description="To savings"),
            tx(b.id, 2, amount="250.00", day=START + timedelta(days=1), description="From everyday"),
            tx(a.id, 3, amount="-40.00", day=START),
            tx(a.id, 4, amount="-99.00", day=START, description="Broker"),
        ]
    )
    ids = {t.provider_id: t.id for t in store.iter_transactions()}
    assert transfers.pair_transfers(store) == 1
    transfers.mark_transfer(store, ids["t4"])  # money to an account Saldo does not hold
    marks = transfer_marks(store, [i for i in ids.values() if i is not None])
    assert marks == {
        ids["t1"]: TransferMark(b.id, "auto"),
        ids["t2"]: TransferMark(a.id, "auto"),
        ids["t4"]: TransferMark(None, "manual"),
    }
    transfers.unmark_transfer(store, ids["t1"])  # the person says no: both legs lose the mark
    assert transfer_marks(store, [ids["t1"], ids["t2"]]) == {}
    assert transfer_marks(store, []) == {}
