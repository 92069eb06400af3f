"""Per-month summaries and long rule runs: what reports and net worth read stays equal to the rows.

Every check compares with plain SQL over the transactions themselves, after the kinds of writes
that must mark a month stale: categorising by hand, splitting, deleting, pairing a transfer,
withdrawing, a new synced row, a rule run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.core import categories as cat
from desktop_app.core import month_sums, networth, reports, rules_engine, transfers
from desktop_app.core.rules import Actions, Conditions, Rule, add_rule
from desktop_app.core.store import Store
from tests import factories

SPENT = """SELECT coalesce(p.name, c.name, 'Uncategorised'), -sum(coalesce(s.amount_minor, t.amount_minor))
    FROM transactions t LEFT JOIN tx_splits s ON s.transaction_id = t.id
    LEFT JOIN categories c ON c.id = coalesce(s.category_id, t.category_id)
    LEFT JOIN categories p ON p.id = c.parent_id
    WHERE t.date BETWEEN ? AND ? AND t.status = 'booked' AND t.withdrawn_at IS NULL AND t.transfer_id IS NULL
      AND (c.kind = 'expense' OR (c.id IS NULL AND t.amount_minor < 0))
    GROUP BY 1"""


def _spent(store: Store, start: date, end: date) -> dict[str, int]:
    return {str(n): int(v) for n, v in store._read(SPENT, (start.isoformat(), end.isoformat()))}


def _report(store: Store, start: date, end: date) -> dict[str, int]:
    return {r.name: r.amount.minor_units for r in reports.spending_by_category(store, start, end)}


PARTIES = ("Netto", "Shell", None)


@pytest.fixture
def filled(cache: Store) -> Iterator[Store]:
    days = [date(2025, 11, 1) + timedelta(days=n) for n in range(0, 200, 3)]
    cache.upsert_transactions(
        [
            factories.tx(
                1 + n % 2, n, f"-{10 + n}.{n % 100:02d}", day=day, counterparty=("Netto", "Shell", None)[n % 3]
            )
            for n, day in enumerate(days)
        ]
    )
    add_rule(
        cache, Rule(Conditions(counterparty="netto"), Actions(category_id=cat.find_category(cache, "Groceries").id))
    )
    rules_engine.apply_rules(cache)
    yield cache


PERIODS = [
    (date(2025, 12, 1), date(2026, 3, 31)),  # whole months only
    (date(2025, 11, 17), date(2026, 2, 10)),  # edge days at both ends
    (date(2026, 1, 5), date(2026, 1, 20)),  # inside one month
    (date(2026, 2, 1), date(2026, 2, 14)),  # from a month's first day, not to its end
]


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_reports_equal_the_rows_after_every_kind_of_write(filled: Store, start: date, end: date) -> None:
    store = filled
    assert _report(store, start, end) == _spent(store, start, end)  # builds the summaries
    ids = [int(r[0]) for r in store._read("SELECT id FROM transactions ORDER BY id")]
    fuel, eating = cat.find_category(store, "Fuel").id, cat.find_category(store, "Eating out").id
    cat.set_category(store, ids[10], fuel)
    cat.split_transaction(store, ids[20], [(fuel, Decimal("-10.00")), (eating, Decimal("-20.20"))])
    store.delete_transaction(ids[30])
    transfers.mark_transfer(store, ids[40])
    with store._write() as conn:  # as a sync does when the bank withdraws a row
        conn.execute("UPDATE transactions SET withdrawn_at = '2026-03-01T00:00:00' WHERE id = ?", (ids[45],))
    store.upsert_transactions([factories.tx(1, 999, "-77.00", day=date(2026, 1, 15), counterparty="Kiosk")])
    add_rule(store, Rule(Conditions(counterparty="shell"), Actions(category_id=fuel)))
    rules_engine.apply_rules(store)
    assert _report(store, start, end) == _spent(store, start, end)
    assert sum(_spent(store, start, end).values()) > 0


def test_a_cache_not_checked_yet_reads_the_rows_and_agrees(filled: Store) -> None:
    start, end = PERIODS[0]
    expected = _report(filled, start, end)
    with filled._write() as conn:
        conn.execute("INSERT INTO report_stale VALUES ('2026-01') ON CONFLICT DO NOTHING")
    filled.verified = False  # its first write would wait for the whole-file check: reports do not write
    assert _report(filled, start, end) == expected
    assert filled._read("SELECT count(*) FROM report_stale WHERE month = '2026-01'")[0][0] == 1


def test_net_worth_from_summaries_equals_the_rows(filled: Store) -> None:
    start, end = date(2025, 11, 1), date(2026, 5, 17)
    points = networth.net_worth_series(filled, "EUR", start, end)
    for point in points:
        total = filled._read(
            "SELECT coalesce(sum(amount_minor), 0) FROM transactions "
            "WHERE date <= ? AND status = 'booked' AND withdrawn_at IS NULL",
            (point.day.isoformat(),),
        )[0][0]
        assert point.total.minor_units == total
    assert points[-1].day == end and len(points) == 7


@pytest.mark.parametrize(
    ("start", "end", "first", "last", "edges"),
    [
        (date(2026, 1, 1), date(2026, 3, 31), "2026-01", "2026-03", []),
        (
            date(2026, 1, 2),
            date(2026, 3, 30),
            "2026-02",
            "2026-02",
            [(date(2026, 1, 2), date(2026, 1, 31)), (date(2026, 3, 1), date(2026, 3, 30))],
        ),
        (date(2026, 1, 5), date(2026, 1, 20), "2026-02", "2025-12", [(date(2026, 1, 5), date(2026, 1, 20))]),
        (date(2026, 2, 1), date(2026, 2, 14), "2026-02", "2026-01", [(date(2026, 2, 1), date(2026, 2, 14))]),
        (None, date(2026, 2, 14), "0000-00", "2026-01", [(date(2026, 2, 1), date(2026, 2, 14))]),
        (date(2026, 2, 3), None, "2026-03", "9999-12", [(date(2026, 2, 3), date(2026, 2, 28))]),
    ],
)
def test_whole_months_and_edges_cover_the_period_once(
    start: date | None, end: date | None, first: str, last: str, edges: list[tuple[date, date]]
) -> None:
    assert month_sums.whole_months(start, end) == (first, last, edges)


@pytest.fixture
def many(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "many.db")
    factories.connection(store)
    factories.account(store, ref="acc-1", name="Everyday")
    parties = ("Netto", "Shell", "Lidl", "Wolt", None)
    store.bulk_import(
        factories.tx(1, n, f"-{1 + n % 500}.00", day=date(2024, 1, 1 + n % 28), counterparty=parties[n % 5])
        for n in range(rules_engine.ASIDE_FROM_ROWS + 5_000)
    )
    try:
        yield store
    finally:
        store.close()


def test_a_long_run_writes_in_short_batches_and_puts_the_checkpoint_setting_back(many: Store) -> None:
    groceries, fuel = cat.find_category(many, "Groceries").id, cat.find_category(many, "Fuel").id
    add_rule(many, Rule(Conditions(counterparty="netto"), Actions(category_id=groceries)))
    add_rule(many, Rule(Conditions(counterparty="shell"), Actions(category_id=fuel, tag="car")))
    writes: list[int] = []
    result = rules_engine.apply_rules(many, progress=lambda done, total: writes.append(done))
    rows = rules_engine.ASIDE_FROM_ROWS + 5_000
    assert (result.examined, result.changed) == (rows, 2 * rows // 5)
    assert len(writes) > 2 and writes[-1] == rows and writes == sorted(writes)
    by_category = dict(many._read("SELECT counterparty, count(DISTINCT category_id) FROM transactions GROUP BY 1"))
    assert by_category == {None: 0, "Lidl": 0, "Netto": 1, "Shell": 1, "Wolt": 0}
    assert many._read("SELECT count(*) FROM tx_tags")[0][0] == rows // 5
    assert many._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    busy, log, copied = many._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and log == copied  # the side connection copied the log back
    assert rules_engine.apply_rules(many).changed == 0


def test_batches_follow_the_time_a_write_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    tick = 1 / 16  # binary fractions: the arithmetic below is exact
    monkeypatch.setattr(rules_engine, "WRITE_SECONDS", tick)
    clock = iter([0.0, tick / 8, 1.0, 1.0 + 4 * tick, 2.0, 2.0 + tick, 3.0, 9.0])
    monkeypatch.setattr(rules_engine.time, "perf_counter", lambda: next(clock))
    sizes = rules_engine._Batches(None)
    first = sizes.rows
    with sizes.timed(first):  # eight times quicker than wanted: grows, but only twice
        pass
    assert sizes.rows == 2 * first
    with sizes.timed(sizes.rows):  # four times too slow: a quarter of the rows
        pass
    assert sizes.rows == first // 2
    with sizes.timed(sizes.rows):  # on time: stays
        pass
    assert sizes.rows == first // 2
    fixed = rules_engine._Batches(7)
    with fixed.timed(7):
        pass
    assert fixed.rows == 7


def test_a_write_between_reading_and_storing_a_month_is_not_lost(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, end = PERIODS[0]
    with filled._write() as conn:  # every month stale again
        conn.execute(
            "INSERT INTO report_stale SELECT DISTINCT substr(date, 1, 7) FROM transactions WHERE true "
            "ON CONFLICT DO NOTHING"
        )
    read = month_sums._month_sums
    late = [factories.tx(1, 5000, "-55.55", day=date(2025, 12, 9), counterparty="Kiosk")]  # the month read first

    def read_then_a_sync_writes(store: Store, which: str, month: str) -> list[object]:
        sums = read(store, which, month)
        if late:  # a synced row lands after the first month was read, before it is stored
            store.upsert_transactions([late.pop()])
        return sums

    monkeypatch.setattr(month_sums, "_month_sums", read_then_a_sync_writes)
    assert _report(filled, start, end) == _spent(filled, start, end)
    assert filled._read("SELECT count(*) FROM report_stale WHERE month BETWEEN '2025-12' AND '2026-03'")[0][0] == 0


def test_a_bulk_import_marks_its_months_without_the_row_triggers(filled: Store) -> None:
    start, end = date(2025, 11, 1), date(2026, 6, 30)
    assert _report(filled, start, end) == _spent(filled, start, end)  # the summaries are fresh now
    # new rows in new and old months, and a row the bank sends again with another day and amount
    moved = factories.tx(1, 0, "-99.99", day=date(2026, 6, 1), counterparty="Netto")
    extra = [factories.tx(2, 1000 + n, f"-{n}.50", day=date(2026, 1 + n % 5, 10)) for n in range(1, 40)]
    filled.bulk_import([moved, *extra])
    assert _report(filled, start, end) == _spent(filled, start, end)
    names = {str(r[0]) for r in filled._read("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"summary_tx_ai", "summary_tx_ad", "summary_tx_au", "summary_balance_au"} <= names  # back after
    before = _spent(filled, start, end)
    filled.upsert_transactions([factories.tx(2, 5000, "-1.00", day=date(2026, 2, 2))])  # the triggers work again
    assert _report(filled, start, end) == _spent(filled, start, end) != before


def test_a_row_trigger_switched_off_is_back_even_when_the_block_fails(tmp_path: Path) -> None:
    from desktop_app.core.store import summaries

    store = Store.open(tmp_path / "t.db")
    try:
        with store._write() as conn:
            with pytest.raises(ZeroDivisionError), summaries.without_row_trigger(conn, "summary_tx_ai"):
                _ = 1 / 0
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert "summary_tx_ai" in names  # a caller that goes on and commits keeps it
    finally:
        store.close()
