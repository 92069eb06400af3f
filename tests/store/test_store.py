"""The cache's behaviour on real SQLite files: upserts, tombstones, paging, search, charts, faults."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desktop_app.core.errors import DiskFullError
from desktop_app.core.models import BalanceKind, BalanceSnapshot, ConnectionStatus, TransactionStatus
from desktop_app.core.money import Money
from desktop_app.core.store import Store, TxFilter, writes
from desktop_app.core.store.driver import sqlite
from desktop_app.core.store.rows import fts_query, sort_key
from tests.factories import account, connection, tx


@pytest.fixture
def acc(store: Store) -> int:
    connection(store)
    saved = account(store)
    assert saved.id is not None
    return saved.id


def test_same_page_twice_changes_nothing(store: Store, acc: int) -> None:
    page = [tx(acc, n, day=date(2026, 3, 1) + timedelta(days=n)) for n in range(30)]
    first = store.upsert_transactions(page)
    assert (first.new, first.updated, first.unchanged) == (30, 0, 0)
    snapshot = store._conn.execute("SELECT * FROM transactions ORDER BY id").fetchall()
    again = store.upsert_transactions(page)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 30)
    assert store._conn.execute("SELECT * FROM transactions ORDER BY id").fetchall() == snapshot


def test_changed_row_is_updated_in_place(store: Store, acc: int) -> None:
    store.upsert_transactions([tx(acc, 1, status=TransactionStatus.PENDING)])
    before = store.transaction_by_key(acc, "id:t1")
    result = store.upsert_transactions([tx(acc, 1, status=TransactionStatus.BOOKED, amount="-12.50")])
    assert (result.new, result.updated) == (0, 1)
    after = store.transaction_by_key(acc, "id:t1")
    assert before is not None and after is not None
    assert after.id == before.id
    assert after.status is TransactionStatus.BOOKED
    assert after.amount == Money(Decimal("-12.50"), "EUR")
    assert after.raw_record() == {"id": "t1", "amount": "-12.50"}


def test_tombstone_keeps_a_deleted_transaction_deleted(store: Store, acc: int) -> None:
    store.upsert_transactions([tx(acc, 1), tx(acc, 2)])
    victim = store.transaction_by_key(acc, "id:t1")
    assert victim is not None and victim.id is not None
    store.delete_transaction(victim.id)
    result = store.upsert_transactions([tx(acc, 1), tx(acc, 2)])
    assert result.tombstoned == 1 and result.new == 0
    assert store.transaction_by_key(acc, "id:t1") is None
    assert store.count_transactions(acc) == 1
    assert store.search("netto") == [store.transaction_by_key(acc, "id:t2")]


def test_withdrawn_is_marked_not_dropped_and_leaves_the_balance(store: Store, acc: int) -> None:
    store.upsert_transactions([tx(acc, 1, amount="100.00"), tx(acc, 2, amount="-30.00")])
    assert store.mark_withdrawn(acc, ["id:t2"]) == 1
    assert store.mark_withdrawn(acc, ["id:t2"]) == 0
    gone = store.transaction_by_key(acc, "id:t2")
    assert gone is not None and gone.withdrawn
    assert store.count_transactions(acc) == 2
    assert store.daily_balance_series(acc)[-1][1] == Money(Decimal("100.00"), "EUR")
    page, _ = store.transactions_page(TxFilter(include_withdrawn=False))
    assert [t.dedupe_key for t in page] == ["id:t1"]


def test_keyset_pages_cover_everything_once_even_while_rows_arrive(store: Store, acc: int) -> None:
    store.upsert_transactions([tx(acc, n, day=date(2026, 1, 1) + timedelta(days=n % 40)) for n in range(500)])
    seen: list[int] = []
    page, cursor = store.transactions_page(limit=64)
    seen += [t.id for t in page if t.id is not None]
    # new rows land (newer dates and older dates) while the user scrolls
    store.upsert_transactions([tx(acc, 1000 + n, day=date(2027, 1, 1)) for n in range(10)])
    while cursor is not None:
        page, cursor = store.transactions_page(after=cursor, limit=64)
        seen += [t.id for t in page if t.id is not None]
    assert len(seen) == len(set(seen)) == 500
    ordered = store._conn.execute("SELECT id FROM transactions WHERE date < '2027-01-01' ORDER BY date DESC, id DESC")
    assert seen == [r[0] for r in ordered]


def test_filters_narrow_the_view(store: Store, acc: int) -> None:
    second = account(store, ref="acc-2", name="Savings").id
    assert second is not None
    store.upsert_transactions(
        [
            tx(acc, 1, amount="2500.00", day=date(2026, 1, 25), description="Salary", counterparty="ACME"),
            tx(acc, 2, amount="-99.00", day=date(2026, 2, 2), description="Spotify", status=TransactionStatus.PENDING),
            tx(second, 3, amount="-500.00", day=date(2026, 2, 3), description="Transfer"),
        ]
    )

    def keys(**kw: object) -> list[str]:
        return [t.dedupe_key for t in store.transactions_page(TxFilter(**kw))[0]]  # type: ignore[arg-type]

    assert keys(account_ids=(second,)) == ["id:t3"]
    assert keys(direction="in") == ["id:t1"]
    assert keys(direction="out") == ["id:t3", "id:t2"]
    assert keys(status=TransactionStatus.PENDING) == ["id:t2"]
    assert keys(date_from=date(2026, 2, 1), date_to=date(2026, 2, 2)) == ["id:t2"]
    assert keys(search="acm") == ["id:t1"]
    assert keys(search="spot pend") == []
    assert keys(account_ids=()) == []


def test_search_input_cannot_break_the_query(store: Store, acc: int) -> None:
    store.upsert_transactions([tx(acc, 1, description='Café "Olé" (AND) NEAR*', counterparty=None)])
    assert fts_query('"; DROP TABLE x; --') == '"DROP"* "TABLE"* "x"*'
    assert [t.dedupe_key for t in store.search('cafe "ole')] == ["id:t1"]
    assert store.search("***") == []
    assert store.search("AND NEAR") != []


def test_daily_series_is_anchored_on_the_reported_balance(store: Store, acc: int) -> None:
    store.upsert_transactions(
        [
            tx(acc, 1, amount="1000.00", day=date(2026, 3, 1)),
            tx(acc, 2, amount="-200.00", day=date(2026, 3, 3)),
            tx(acc, 3, amount="-50.00", day=date(2026, 3, 3), status=TransactionStatus.PENDING),
        ]
    )
    as_of = datetime(2026, 3, 3, 12, tzinfo=UTC)
    store.add_balance(BalanceSnapshot(acc, BalanceKind.BOOKED, Money(Decimal("5800.00"), "EUR"), as_of))
    series = store.daily_balance_series(acc)
    assert series == [
        (date(2026, 3, 1), Money(Decimal("6000.00"), "EUR")),
        (date(2026, 3, 2), Money(Decimal("6000.00"), "EUR")),
        (date(2026, 3, 3), Money(Decimal("5800.00"), "EUR")),
    ]
    window = store.daily_balance_series(acc, start=date(2026, 3, 2), end=date(2026, 3, 4))
    assert [d for d, _ in window] == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]


def test_monthly_in_and_out(store: Store, acc: int) -> None:
    store.upsert_transactions(
        [
            tx(acc, 1, amount="2500.00", day=date(2026, 1, 25)),
            tx(acc, 2, amount="-100.00", day=date(2026, 1, 26)),
            tx(acc, 3, amount="-40.00", day=date(2026, 2, 2)),
            tx(acc, 4, amount="-1.00", day=date(2026, 2, 2), status=TransactionStatus.PENDING),
        ]
    )
    totals = [(m.month, m.money_in.minor_units, m.money_out.minor_units) for m in store.monthly_in_out()]
    assert totals == [("2026-01", 250000, -10000), ("2026-02", 0, -4000)]


def test_accounts_with_latest_balances(store: Store, acc: int) -> None:
    for day, amount in ((1, "10.00"), (3, "30.00"), (2, "20.00")):
        store.add_balance(
            BalanceSnapshot(acc, BalanceKind.BOOKED, Money(Decimal(amount), "EUR"), datetime(2026, 1, day, tzinfo=UTC))
        )
    store.add_balance(  # the same snapshot twice is stored once
        BalanceSnapshot(acc, BalanceKind.BOOKED, Money(Decimal("30.00"), "EUR"), datetime(2026, 1, 3, tzinfo=UTC))
    )
    (row,) = store.accounts_with_balances()
    assert row.balance == Money(Decimal("30.00"), "EUR")
    assert row.connection.id == "c1"
    assert len(store.balances(acc)) == 3


def test_accounts_upsert_keeps_ids_and_the_hidden_choice(store: Store, acc: int) -> None:
    store.set_account_hidden(acc, True)
    again = account(store, name="Everyday (renamed)")
    assert again.id == acc and again.hidden
    assert store.accounts_with_balances() == []
    assert len(store.accounts_with_balances(include_hidden=True)) == 1


def test_reconsent_status_and_keep_data_on_disconnect(store: Store, acc: int) -> None:
    store.upsert_transactions([tx(acc, 1)])
    store.set_connection_status("c1", ConnectionStatus.NEEDS_RECONSENT)
    assert store.get_connection("c1").status is ConnectionStatus.NEEDS_RECONSENT
    store.delete_connection("c1", keep_data=True)
    assert store.get_connection("c1").status is ConnectionStatus.DISCONNECTED
    assert store.count_transactions() == 1
    store.delete_connection("c1", keep_data=False)
    assert store.connections() == [] and store.count_transactions() == 0


def test_bulk_import_rebuilds_search_once(store: Store, acc: int) -> None:
    rows = [
        tx(acc, n, description=f"Groceries {n}", day=date(2020, 1, 1) + timedelta(days=n % 2000)) for n in range(3000)
    ]
    result = store.bulk_import(rows)
    assert result.new == 3000
    assert len(store.search("groceries 2999")) == 1
    triggers = {
        r[0]
        for r in store._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'transactions'"
        )
    }
    summaries = {"summary_tx_ai", "summary_tx_ad", "summary_tx_au", "summary_balance_au"}  # untouched by imports
    assert triggers == {"transactions_fts_ad", "transactions_fts_au", *summaries}
    assert store._conn.execute("INSERT INTO transactions_fts(transactions_fts) VALUES ('integrity-check')")
    again = store.bulk_import(rows)
    assert (again.new, again.updated) == (0, 0)


def test_sync_runs_are_recorded(store: Store, acc: int) -> None:
    run = store.start_sync_run("c1")
    store.finish_sync_run(replace(run, status="ok", pages=3, new=10, details={"accounts": 1}))
    (saved,) = store.sync_runs("c1")
    assert (saved.status, saved.pages, saved.new, saved.details) == ("ok", 3, 10, {"accounts": 1})
    assert saved.finished_at is not None


def test_full_disk_rolls_back_and_says_so(store: Store, acc: int) -> None:
    store.upsert_transactions([tx(acc, 1)])
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    big = [tx(acc, n, description="x" * 2000) for n in range(100, 400)]
    with pytest.raises(DiskFullError, match="disk is full"):
        store.upsert_transactions(big)
    store._conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.count_transactions() == 1
    assert store.integrity_check() == "ok"
    assert store.upsert_transactions(big).new == 300


def test_second_store_reads_while_first_writes(store: Store, acc: int) -> None:
    reader = Store.open(store.path, key=store.key)
    try:
        store.upsert_transactions([tx(acc, 1)])
        assert reader.count_transactions() == 1
    finally:
        reader.close()
    with pytest.raises(sqlite.ProgrammingError):
        reader._conn.execute("SELECT 1")  # closed for real


def test_search_pages_newest_first_and_follow_edits(store: Store, acc: int) -> None:
    rows = [
        tx(acc, n, description=f"Netto {n}", day=date(2019, 12, 31) + timedelta(days=(n * 37) % 900))
        for n in range(120)
    ]
    store.upsert_transactions(rows)
    seen = []
    page, cursor = store.transactions_page(TxFilter(search="netto"), None, 25)
    seen += page
    while cursor is not None:
        page, cursor = store.transactions_page(TxFilter(search="netto"), cursor, 25)
        seen += page
    assert [(t.booking_date, t.id) for t in seen] == sorted(((t.booking_date, t.id) for t in seen), reverse=True)
    assert len(seen) == 120
    # the Python key and the trigger's SQL key agree
    (sql_key,) = store._conn.execute("SELECT max(rowid) FROM transactions_fts").fetchone()
    newest = seen[0]
    assert newest.id is not None
    assert sql_key == sort_key(newest.booking_date.isoformat(), newest.id)
    # a changed description (and date) is searchable under the new words only
    store.upsert_transactions([tx(acc, 5, description="Rema 1000", counterparty="Rema", day=date(2030, 1, 1))])
    assert [t.dedupe_key for t in store.search("rema")] == ["id:t5"]
    assert "id:t5" not in [t.dedupe_key for t in store.search("netto", limit=200)]
    victim = store.transaction_by_key(acc, "id:t6")
    assert victim is not None and victim.id is not None
    store.delete_transaction(victim.id)
    assert len(store.search("netto", limit=200)) == 118


def test_oldest_first_pages_and_pages_without_raw(store: Store, acc: int) -> None:
    store.upsert_transactions([tx(acc, n, day=date(2026, 1, 1) + timedelta(days=n % 9)) for n in range(40)])
    forward: list[int] = []
    page, cursor = store.transactions_page(TxFilter(oldest_first=True), None, 7)
    forward += [t.id for t in page if t.id]
    while cursor is not None:
        page, cursor = store.transactions_page(TxFilter(oldest_first=True), cursor, 7)
        forward += [t.id for t in page if t.id]
    backward = [t.id for t in store.iter_transactions(TxFilter(), page_size=9)]
    assert forward == list(reversed(backward)) and len(forward) == 40
    searched = [t.id for t in store.iter_transactions(TxFilter(search="netto", oldest_first=True), page_size=6)]
    assert searched == forward
    lean, _ = store.transactions_page(TxFilter(), None, 5, with_raw=False)
    assert all(t.raw is None for t in lean) and lean[0].amount.minor_units == -1230


AWKWARD_TEXTS = [
    'quote " and backslash \\ and slash /',
    "line\nbreak, tab\t, carriage\r return",
    "nul \x00 inside, bell \x07, escape \x1b",
    "Zürcher Müller AG · 東京 · עברית · 🧾💶",
    "\u2028 line separator \u2029 paragraph separator",
    "x" * 5000,
    "",
]


@pytest.mark.parametrize("json_unpacking", [True, False], ids=["one statement", "executemany"])
def test_a_page_is_stored_exactly_either_way(
    store: Store, acc: int, monkeypatch: pytest.MonkeyPatch, json_unpacking: bool
) -> None:
    """A page travels to SQLite as one JSON array (or row by row without SQLite's JSON functions):
    every text, NULL and number arrives as it left, and the counts are the same."""
    monkeypatch.setattr(writes, "JSON_UNPACKING", json_unpacking)
    monkeypatch.setattr(writes, "JSON_ROWS", 4)  # a long page goes in several statements
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    page = [
        replace(
            tx(acc, n, amount=amount, counterparty=None if n % 2 else text),
            description=text,
            raw=f'{{"text":{json.dumps(text)}}}',
            value_date=None if n % 3 else date(2026, 3, 2),
        )
        for n, (text, amount) in enumerate(zip(AWKWARD_TEXTS * 2, ["-0.01", "99999999.99", "0.00"] * 5, strict=False))
    ]
    first = store.upsert_transactions(page)
    assert (first.new, first.updated, first.unchanged) == (len(page), 0, 0)
    unpacked = sum("json_each" in sql for sql in statements)
    assert unpacked == (4 if json_unpacking else 0)  # new rows: one statement per JSON_ROWS rows
    stored = {t.dedupe_key: t for t in store.iter_transactions(TxFilter(account_ids=(acc,)))}
    for sent in page:
        got = stored[sent.dedupe_key]
        assert (got.description, got.counterparty, got.raw, got.amount, got.value_date) == (
            sent.description,
            sent.counterparty,
            sent.raw,
            sent.amount,
            sent.value_date,
        )
    changed = [replace(t, description=t.description + "!") for t in page[:3]]
    again = store.upsert_transactions(changed + page[3:])
    assert (again.new, again.updated, again.unchanged) == (0, 3, len(page) - 3)
    assert sum("json_each" in sql for sql in statements) == unpacked  # a stored page: row by row
    store._conn.set_trace_callback(None)


def test_a_key_twice_in_one_page_is_one_row_with_the_later_values(store: Store, acc: int) -> None:
    """A provider that lists a transaction twice in a page (changed in between): the cache keeps
    one row, as the later listing says, findable by its later text. (It used to report the file
    as damaged: the second listing updated a row not yet in the search index.)"""
    first, later = tx(acc, 1, description="Card payment"), tx(acc, 1, description="Card payment Bakery Lund")
    result = store.upsert_transactions([first, tx(acc, 2), later])
    assert (result.new, result.updated, result.unchanged) == (2, 0, 1)
    kept = store.transaction_by_key(acc, "id:t1")
    assert kept is not None and kept.description == "Card payment Bakery Lund"
    assert [t.dedupe_key for t in store.search("lund")] == ["id:t1"]
    assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
