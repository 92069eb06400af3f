"""Importing into a real SQLite cache: accounts, no duplicates, balances, all or nothing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.core.errors import StatementError
from desktop_app.core.imports.csvfile import CsvMapping
from desktop_app.core.imports.importer import ImportCancelled, Importer, ImportResult, Target
from desktop_app.core.imports.reader import ReadOptions
from desktop_app.core.models import Account, BalanceKind, Connection, Transaction, TransactionStatus, raw_json
from desktop_app.core.money import Money
from desktop_app.core.store import Store, TxFilter
from tests.imports import builders
from tests.imports.builders import Row
from tests.imports.conftest import FIXTURES

SIMPLE_CSV = CsvMapping(date="Date", amount="Amount", description=("Text",))


def _rows(store: Store, account_id: int) -> list[tuple[str, str, str]]:
    return sorted(
        (t.booking_date.isoformat(), str(t.amount.normalized()), t.description)
        for t in store.iter_transactions(TxFilter(account_ids=(account_id,)))
    )


def _full(
    importer: Importer, path: Path, target: Target | None = None, options: ReadOptions | None = None
) -> ImportResult:
    """Import by reading and matching every entry (import_file answers at once for a file seen before)."""
    target, options = target or Target(), options or ReadOptions()
    resolved = importer._options(target, options)
    return importer.import_parsed(importer.read(path, target, options), target, resolved)


def _table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")
        ]
        return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
    finally:
        conn.close()


def test_ofx_import_creates_one_account_per_file_account_and_reimport_adds_nothing(
    cache: Store, importer: Importer
) -> None:
    first = importer.import_file(FIXTURES / "sgml_bank.ofx")
    assert [(a.added, a.present, a.created) for a in first.accounts] == [(3, 0, True), (1, 0, True)]
    checking = first.accounts[0].account_id
    again = importer.import_file(FIXTURES / "sgml_bank.ofx")
    assert again.added == 0 and again.present == 4
    assert [a.account_id for a in again.accounts] == [a.account_id for a in first.accounts]  # remembered
    assert not any(a.created for a in again.accounts)
    assert "this very file was imported on" in again.warnings[0]
    full = _full(importer, FIXTURES / "sgml_bank.ofx")  # the same answer by matching every entry
    assert (full.added, full.present) == (0, 4) and [a.account_id for a in full.accounts] == [
        a.account_id for a in first.accounts
    ]
    assert cache.count_transactions() == 4
    latest = cache.latest_balance(checking)
    assert latest is not None and latest.amount == Money(Decimal("2387.50"), "CAD")
    assert latest.as_of.date() == date(2025, 2, 28)
    available = cache.latest_balance(checking, BalanceKind.AVAILABLE)
    assert available is not None and available.amount.amount == Decimal("2300.00")
    assert cache.search("bakery")[0].counterparty == "Corner Cafe & Bakery"  # indexed for search


def test_overlapping_files_add_only_what_is_new(tmp_path: Path, importer: Importer, cache: Store) -> None:
    days = [date(2025, 1, d) for d in range(1, 11)]
    ledger = [Row(d, f"-{i + 1}.00", f"Shop {i}") for i, d in enumerate(days)]
    ledger.insert(5, Row(days[4], "-5.00", "Shop 4"))  # two identical rows on one day
    old = builders.csv(tmp_path / "old.csv", ledger[:7])
    new = builders.csv(tmp_path / "new.csv", ledger[4:])
    target = Target(new_name="Everyday", currency="EUR")
    first = importer.import_file(old, target, ReadOptions(csv_mapping=SIMPLE_CSV))
    account = first.accounts[0].account_id
    second = importer.import_file(new, Target(account), ReadOptions(csv_mapping=SIMPLE_CSV))
    assert (second.added, second.present) == (4, 3)
    assert len(_rows(cache, account)) == len(ledger) == 11


def test_reused_bank_id_with_other_amount_keeps_both(tmp_path: Path, importer: Importer, cache: Store) -> None:
    card = importer.import_file(FIXTURES / "xml_card.ofx")  # CC-900 twice: purchase and its fee
    assert card.added == 3
    account = card.accounts[0].account_id
    march = Row(date(2025, 3, 2), "-42.10", "Grocer", "CC-900")
    reused = Row(date(2025, 4, 9), "-7.00", "Other shop", "CC-900")  # the bank reused the id a month later
    later = importer.import_file(
        builders.ofx(tmp_path / "april.ofx", [march, reused], account="4111000011112222", currency="USD", bank=None)
    )
    assert (later.added, later.present) == (1, 1)
    assert _full(importer, FIXTURES / "xml_card.ofx").added == 0
    assert _full(importer, tmp_path / "april.ofx").added == 0
    keys = sorted(t.dedupe_key for t in cache.iter_transactions(TxFilter(account_ids=(account,))))
    assert keys == ["id:CC-900", "id:CC-900#1", "id:CC-900#2", "id:CC-901"]


def test_same_entry_in_two_statements_of_one_file_is_stored_once(importer: Importer, cache: Store) -> None:
    result = importer.import_file(FIXTURES / "camt053_v2.xml")
    (account,) = result.accounts
    # REF-0003 is listed in March and again in April with another amount and day: two bookings
    assert account.added == 5 and account.present == 0
    assert _full(importer, FIXTURES / "camt053_v2.xml").added == 0
    pending = cache.transactions_page(TxFilter(status=TransactionStatus.PENDING))[0]
    assert [t.description for t in pending] == ["Streaming Abo"]
    assert cache.latest_balance(account.account_id).amount.amount == Decimal("1300.00")  # type: ignore[union-attr]


def test_deleted_transactions_stay_deleted_on_reimport(importer: Importer, cache: Store) -> None:
    importer.import_file(FIXTURES / "sgml_bank.ofx")
    (rent,) = cache.search("landlord")
    assert rent.id is not None
    cache.delete_transaction(rent.id)
    again = _full(importer, FIXTURES / "sgml_bank.ofx")
    assert again.added == 0 and again.accounts[0].deleted == 1
    assert cache.search("landlord") == []


def test_statements_that_do_not_reconcile_warn_by_how_much(tmp_path: Path, importer: Importer) -> None:
    data = (FIXTURES / "german_gvc.sta").read_bytes().replace(b"2179,57", b"2180,56")
    path = tmp_path / "off.sta"
    path.write_bytes(data)
    result = importer.import_file(path)
    assert result.added == 3  # a warning, not an abort
    (warning,) = result.warnings
    assert "does not reconcile" in warning and "off by 0.99 EUR" in warning
    assert importer.import_file(FIXTURES / "german_gvc.sta").accounts[0].warnings == []


def test_one_file_is_all_or_nothing(tmp_path: Path, importer: Importer, cache: Store) -> None:
    text = (FIXTURES / "sgml_bank.ofx").read_text()
    broken = text.replace("<TRNAMT>250.00", "<TRNAMT>250.001")  # the second account's entry is bad
    path = tmp_path / "broken.ofx"
    path.write_text(broken)
    with pytest.raises(StatementError, match=r"broken\.ofx.*more decimals than CAD allows"):
        importer.import_file(path)
    counts = _table_counts(cache.path)
    assert counts["transactions"] == 0 and counts["accounts"] == 0 and counts["import_sources"] == 0


def test_a_file_read_another_way_is_matched_again(tmp_path: Path, importer: Importer) -> None:
    first = importer.import_file(
        FIXTURES / "ambiguous.qif", Target(new_name="Q", currency="EUR"), ReadOptions(date_order="dmy")
    )
    account = first.accounts[0].account_id
    same = importer.import_file(FIXTURES / "ambiguous.qif", Target(account), ReadOptions(date_order="dmy"))
    assert same.added == 0 and "this very file" in same.warnings[0]
    other = importer.import_file(FIXTURES / "ambiguous.qif", Target(account), ReadOptions(date_order="mdy"))
    assert other.added == 3 and other.warnings == []  # read month first, every date is another day
    copy = tmp_path / "copy.qif"
    copy.write_bytes((FIXTURES / "ambiguous.qif").read_bytes() + b"\n")
    assert importer.import_file(copy, Target(account), ReadOptions(date_order="dmy")).present == 3


def test_deleting_an_imported_account_s_connection_takes_its_import_records(importer: Importer, cache: Store) -> None:
    importer.import_file(FIXTURES / "sgml_bank.ofx")
    cache.delete_connection("statement-files", keep_data=False)
    counts = _table_counts(cache.path)
    assert counts["accounts"] == counts["import_sources"] == counts["statement_imports"] == 0
    assert importer.import_file(FIXTURES / "sgml_bank.ofx").added == 4


def test_dry_run_reports_the_same_and_writes_nothing(importer: Importer, cache: Store) -> None:
    before = _table_counts(cache.path)
    dry = importer.import_file(FIXTURES / "camt053_v2.xml", dry_run=True)
    assert dry.dry_run and dry.added == 5 and dry.accounts[0].created
    assert _table_counts(cache.path) == before
    assert importer.import_file(FIXTURES / "camt053_v2.xml").added == 5


def test_choosing_an_account_for_a_multi_account_file_is_refused(importer: Importer, cache: Store) -> None:
    qif = importer.import_file(FIXTURES / "dmy_card.qif", Target(new_name="Card", currency="EUR"))
    with pytest.raises(StatementError, match="holds 2 accounts"):
        importer.import_file(FIXTURES / "sgml_bank.ofx", Target(qif.accounts[0].account_id))
    with pytest.raises(StatementError, match=r"xml_card\.ofx: the statement is in USD but account 'Card' is in EUR"):
        importer.import_file(FIXTURES / "xml_card.ofx", Target(qif.accounts[0].account_id))


def test_qif_and_csv_need_an_account_and_take_its_currency_and_saved_mapping(importer: Importer, cache: Store) -> None:
    with pytest.raises(StatementError, match="does not say which account"):
        importer.import_file(FIXTURES / "ambiguous.qif", Target(currency="EUR"), ReadOptions(date_order="dmy"))
    mapping = CsvMapping(
        date="Date",
        debit="Money out",
        credit="Money in",
        description=("Details",),
        reference="Reference",
        balance="Balance",
        pending_marker="Pending transactions",
        booked_marker="Booked transactions",
    )
    made = importer.import_file(
        FIXTURES / "debit_credit_bom.csv", Target(new_name="Current", currency="GBP"), ReadOptions(csv_mapping=mapping)
    )
    account = made.accounts[0].account_id
    again = _full(importer, FIXTURES / "debit_credit_bom.csv", Target(account))  # mapping saved per account
    assert (made.added, again.added, again.present) == (3, 0, 3)
    assert cache.latest_balance(account).amount == Money(Decimal("3800.00"), "GBP")  # type: ignore[union-attr]


def test_camt_goes_to_the_synced_account_with_its_iban_and_matches_sync_rows(importer: Importer, cache: Store) -> None:
    cache.save_connection(Connection(id="c1", provider="demo", label="Bank"))
    (synced,) = cache.save_accounts([Account("c1", "acc-1", "Giro", "EUR", iban="DE44 5001 0517 5407 3249 31")])
    assert synced.id is not None

    def provider_row(key: str, day: date, amount: str, text: str) -> Transaction:
        return Transaction(
            synced.id,
            key,
            TransactionStatus.BOOKED,
            day,
            Money(Decimal(amount), "EUR"),
            text,
            provider_id=key[3:],
            raw=raw_json({"id": key}),
        )

    cache.upsert_transactions(
        [
            provider_row("id:REF-0001", date(2025, 3, 3), "-42.45", "Abschlag Strom"),  # same bank reference
            provider_row("id:uuid-77", date(2025, 3, 21), "-80.00", "BUCHLADEN Bestellung 77"),  # other id, a day on
        ]
    )
    result = importer.import_file(FIXTURES / "camt053_v2.xml")
    (item,) = result.accounts
    assert item.account_id == synced.id and not item.created
    assert (item.added, item.present, item.fuzzy) == (3, 2, 1)
    assert cache.count_transactions(synced.id) == 5


def test_cancel_rolls_the_whole_file_back_and_progress_is_reported(importer: Importer, cache: Store) -> None:
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        cancel.set()  # the person presses Cancel after the first statement

    with pytest.raises(ImportCancelled, match="nothing from this file was stored"):
        importer.import_file(FIXTURES / "sgml_bank.ofx", cancel=cancel, progress=progress)
    assert seen == [(3, 4)]
    assert _table_counts(cache.path)["transactions"] == 0 and _table_counts(cache.path)["accounts"] == 0
    done: list[tuple[int, int]] = []
    importer.import_file(FIXTURES / "sgml_bank.ofx", progress=lambda d, t: done.append((d, t)))
    assert done == [(3, 4), (4, 4)]


def test_reports_read_after_an_import_count_what_it_added(tmp_path: Path, importer: Importer, cache: Store) -> None:
    """The import marks its months stale itself (its insert runs without the per-row trigger)."""
    from desktop_app.core import reports

    january = [Row(date(2025, 1, d), f"-{d}.00", f"Shop {d}", f"J{d}") for d in range(1, 6)]
    importer.import_file(builders.ofx(tmp_path / "jan.ofx", january))
    assert reports.monthly_flows(cache)[0].spending.amount == Decimal("15.00")  # months computed and fresh
    with cache._write() as conn:  # as if net worth had just brought every balance month up to date
        conn.execute("DELETE FROM balance_stale")
    later = [Row(date(2025, 1, 20), "-100.00", "Late in January", "J20"), Row(date(2025, 2, 3), "250.00", "Pay", "F3")]
    importer.import_file(builders.ofx(tmp_path / "feb.ofx", later))
    flows = {(f.month, f.currency): f for f in reports.monthly_flows(cache)}
    independent = {
        (r[0], r[1]): (r[2], r[3])
        for r in cache._read(
            "SELECT substr(date, 1, 7), currency, sum(max(amount_minor, 0)), -sum(min(amount_minor, 0)) "
            "FROM transactions GROUP BY 1, 2"
        )
    }
    assert {k: (f.income.minor_units, f.spending.minor_units) for k, f in flows.items()} == independent
    assert independent[("2025-01", "EUR")] == (0, 11_500)
    assert [r[0] for r in cache._read("SELECT month FROM balance_stale ORDER BY month")] == ["2025-01", "2025-02"]


def test_a_result_keeps_only_a_preview_of_the_entries(tmp_path: Path, importer: Importer, cache: Store) -> None:
    from desktop_app.core.imports.importer import PREVIEW_ENTRIES

    rows = [Row(date(2025, 1, 1 + n % 28), f"-{n + 1}.00", f"Shop {n}", f"P{n}") for n in range(PREVIEW_ENTRIES + 30)]
    path = builders.ofx(tmp_path / "many.ofx", rows)
    first = importer.import_file(builders.ofx(tmp_path / "first.ofx", rows[:10]))
    assert first.added == 10
    preview = importer.import_file(path, dry_run=True).accounts[0].preview
    assert len(preview) == PREVIEW_ENTRIES
    assert [mark for _, mark in preview[:12]] == ["present"] * 10 + ["new"] * 2
    assert [entry.tx.description for entry, _ in preview[:2]] == ["Shop 0", "Shop 1"]


def test_a_large_import_copies_its_log_back_and_leaves_the_checkpoint_setting_as_it_was(
    tmp_path: Path, importer: Importer, cache: Store
) -> None:
    """From ASIDE_FROM_ROWS entries the log is copied back by a second connection while the
    rules and pairing run: afterwards every frame is in the file, and the store checkpoints
    on its own again."""
    rows = [Row(date(2024, 1, 1 + i % 28), f"-{1 + i % 900}.25", f"Shop {i % 37}", f"L{i}") for i in range(20_500)]
    result = importer.import_file(builders.ofx(tmp_path / "large.ofx", rows))
    assert result.added == 20_500 and cache.count_transactions() == 20_500
    with cache.locked_connection() as conn:
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and frames > 0 and copied == frames
    assert cache.search("Shop 36")[0].provider_id is not None
