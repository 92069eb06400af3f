"""Property: importing overlapping exports of one ledger, in any order, gives the same cache."""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.imports import dedupe
from desktop_app.core.imports.csvfile import CsvMapping
from desktop_app.core.imports.importer import Importer, Target
from desktop_app.core.imports.reader import ReadOptions
from desktop_app.core.imports.records import Entry
from desktop_app.core.models import Account, TransactionStatus
from desktop_app.core.store import Store, TxFilter
from desktop_app.core.store.imports import ImportStore
from tests.imports import builders
from tests.imports.builders import Row

START = date(2025, 1, 1)
MAPPING = CsvMapping(date="Date", amount="Amount", description=("Text",))

ledger_rows = st.lists(
    st.tuples(
        st.integers(0, 12),  # day
        st.sampled_from(["-1.50", "-20.00", "300.00"]),  # few amounts: identical rows happen
        st.sampled_from(["Coffee", "Rent", "Bakery"]),
        st.integers(0, 6),  # bank reference: few values, so a bank "reuses" them
    ),
    min_size=1,
    max_size=20,
)
periods = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=4)


def _import_all(
    folder: Path, name: str, files: list[Path], order: list[int], with_refs: bool
) -> Counter[tuple[str, ...]]:
    with Store.open(folder / f"{name}.db") as store:
        importer = Importer(store)
        account: int | None = None
        for index in order:
            target = Target(account) if account is not None else Target(new_name="Ledger", currency="EUR")
            options = ReadOptions() if with_refs else ReadOptions(csv_mapping=MAPPING)
            result = importer.import_file(files[index], target, options)
            account = result.accounts[0].account_id
        return Counter(
            (t.booking_date.isoformat(), str(t.amount.normalized()), t.description, t.provider_id or "")
            for t in store.iter_transactions(TxFilter(account_ids=(account,)) if account else TxFilter())
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledger_rows, periods, st.booleans(), st.randoms(use_true_random=False))
def test_any_order_of_overlapping_imports_gives_the_same_cache(
    raw: list[tuple[int, str, str, int]], spans: list[tuple[int, int]], with_refs: bool, rnd: object
) -> None:
    ledger = [
        Row(START + timedelta(days=d), amount, text, f"R{ref}" if with_refs else None) for d, amount, text, ref in raw
    ]
    ledger.sort(key=lambda r: r.day)
    windows = [(min(a, b), max(a, b)) for a, b in spans]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files: list[Path] = []
        for n, (lo, hi) in enumerate(windows):
            rows = [r for r in ledger if lo <= (r.day - START).days <= hi]
            if not rows:
                continue
            write = builders.ofx if with_refs else builders.csv
            files.append(write(folder / f"part{n}.{'ofx' if with_refs else 'csv'}", rows))
        if not files:
            return
        forward = list(range(len(files)))
        shuffled = forward[:]
        rnd.shuffle(shuffled)  # type: ignore[attr-defined]
        first = _import_all(folder, "forward", files, forward, with_refs)
        second = _import_all(folder, "shuffled", files, list(reversed(shuffled)), with_refs)
        assert first == second
        covered = {d for lo, hi in windows for d in range(lo, hi + 1)}
        expected = Counter(
            (r.day.isoformat(), str(Decimal(r.amount)), r.text, r.ref or "")
            for r in ledger
            if (r.day - START).days in covered
        )
        assert first == expected


entry_specs = st.lists(
    st.tuples(
        st.sampled_from([None, "A", "A#1", "A#2", "B"]),  # reused references, and one that looks like a slot
        st.integers(0, 3),  # day
        st.sampled_from([-150, 2000, 30000]),  # minor units
        st.sampled_from(["Coffee", "coffee ", "Rent"]),  # texts that fingerprint alike
        st.booleans(),  # pending
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(entry_specs)
def test_a_first_import_keys_entries_as_matching_against_the_empty_account_would(
    specs: list[tuple[str | None, int, int, str, bool]],
) -> None:
    entries = [
        Entry.of(
            (
                TransactionStatus.PENDING if pending else TransactionStatus.BOOKED,
                START + timedelta(days=day),
                minor,
                "EUR",
                text,
                None,
                None,
                ref,
            ),
            "{}",
            ref,
        )
        for ref, day, minor, text, pending in specs
    ]
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "saldo.db") as store:
        with ImportStore(store).transaction(dry_run=True) as tx:
            account = tx.create_account(Account("", "file:blank", "Blank", "EUR"))
            assert account.id is not None and tx.is_blank(account.id)
            quick = dedupe.first_plan(account, entries)
            matched = dedupe.matched_plan(tx, account, entries, "camt", set())
    assert quick.new == matched.new and quick.marks == matched.marks
    assert len({key for key, _entry in quick.new}) == len(entries)
