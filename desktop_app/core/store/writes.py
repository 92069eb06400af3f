"""Writing transactions: idempotent upserts, bulk imports, deletions with tombstones, pending claims."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date

from desktop_app.core.errors import StoreError
from desktop_app.core.models import (
    Transaction,
)
from desktop_app.core.store import migrations, summaries
from desktop_app.core.store.base import StoreBase
from desktop_app.core.store.database import CACHE_KIB
from desktop_app.core.store.driver import sqlite
from desktop_app.core.store.rows import (
    TX_COLUMNS,
    UPSERT_JSON_SQL,
    UPSERT_SQL,
    UpsertResult,
    add_results,
    transaction_from_row,
    ts,
    tx_row,
    utcnow,
)

log = logging.getLogger(__name__)
BULK_CACHE_KIB = 262144  # 256 MiB of page cache while a bulk import runs
# SQLite has its JSON functions built in from 3.38 (before, only when compiled with JSON1)
JSON_UNPACKING = sqlite.sqlite_version_info >= (3, 38)
JSON_ROWS = 2_000  # rows per statement (a sync's page is 100 to 500)


def upsert_rows(conn: sqlite.Connection, rows: list[tuple[object, ...]]) -> int:
    """Upsert a page of ``tx_row`` tuples; returns the rows inserted or changed.

    A page of new rows goes in one statement, unpacked by SQLite from one JSON array:
    executemany hands the interpreter lock back and forth for every row, and during a sync the
    next page is read on another thread meanwhile, so every row waited for that thread's turn
    (a 100k first sync: 4.0 -> 3.4 s). A page that is already stored (a re-sync) goes through
    executemany, where checking a conflicting row costs half as much as unpacking it from JSON
    (2.8 against 5.1 us); its first and last keys tell which kind of page it is. Both ways store
    the same; the rows hold only ints, texts and NULLs, which JSON carries exactly. Without
    SQLite's JSON functions, always executemany.
    """
    if not JSON_UNPACKING or not rows or _stored_already(conn, rows[0], rows[-1]):
        return int(conn.executemany(UPSERT_SQL, rows).rowcount)
    changed = 0
    for start in range(0, len(rows), JSON_ROWS):  # a caller's long list: no text of its whole size
        page = json.dumps(
            rows[start : start + JSON_ROWS], ensure_ascii=False, check_circular=False, separators=(",", ":")
        )
        changed += conn.execute(UPSERT_JSON_SQL, (page,)).rowcount
    return changed


def _stored_already(conn: sqlite.Connection, first: tuple[object, ...], last: tuple[object, ...]) -> bool:
    found = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM transactions WHERE account_id = ? AND dedupe_key = ?) "
        "OR EXISTS (SELECT 1 FROM transactions WHERE account_id = ? AND dedupe_key = ?)",
        (first[0], first[1], last[0], last[1]),
    ).fetchone()
    return bool(found[0])


class TransactionWrites(StoreBase):
    # -- transactions ----------------------------------------------------------------

    def upsert_transactions(self, transactions: Sequence[Transaction]) -> UpsertResult:
        """Store a page of transactions in one atomic step. The same page twice changes nothing.

        Rows the person deleted (tombstoned) are skipped; rows that change are updated in place
        and keep their id.
        """
        if not transactions:
            return UpsertResult()
        with self._write() as conn:
            return self._upsert(conn, transactions)

    def _upsert(self, conn: sqlite.Connection, transactions: Sequence[Transaction], index: bool = True) -> UpsertResult:
        """The rows in the caller's write. `index`: index the new rows for search and mark their
        months, a page at a time (False: a bulk import, which switched the triggers off and does
        both once at the end)."""
        account_ids = {t.account_id for t in transactions}
        tombstoned = self._tombstoned_keys(conn, account_ids)
        now = ts(utcnow())
        # A key twice in one page (a provider listing a transaction twice) is one row with the
        # later values, in the place of the first: its second upsert would otherwise update a row
        # whose search entry is only made after the page, and SQLite's full-text index, told to
        # drop an entry it never had, reports the file as damaged.
        page: dict[tuple[int, str], tuple[object, ...]] = {}
        skipped = 0
        days: dict[date, str] = {}
        for t in transactions:
            if tombstoned and (t.account_id, t.dedupe_key) in tombstoned:
                skipped += 1
                continue
            page[t.account_id, t.dedupe_key] = tx_row(t, now, days)
        rows = list(page.values())
        before_max = conn.execute("SELECT coalesce(max(id), 0) FROM transactions").fetchone()[0]
        # rowcount sums sqlite3_changes() over the batch: rows inserted plus rows whose DO UPDATE
        # actually ran (the WHERE clause skips identical ones); trigger writes are not counted.
        # The insert trigger is off meanwhile (its two upserts per row cost more than the insert
        # itself; ~0.2 s of a 100k sync); the months of the new rows are marked once below.
        with summaries.without_row_trigger(conn, "summary_tx_ai") if index else nullcontext():
            changed = upsert_rows(conn, rows) if index else conn.executemany(UPSERT_SQL, rows).rowcount
        new = conn.execute("SELECT count(*) FROM transactions WHERE id > ?", (before_max,)).fetchone()[0]
        if index and new:
            conn.execute(migrations.INDEX_NEW_ROWS, (before_max,))
            summaries.mark_new(conn, before_max)
        updated = changed - new
        unchanged = len(transactions) - skipped - new - updated  # a repeated key's first listing among them
        return UpsertResult(new=new, updated=updated, unchanged=unchanged, tombstoned=skipped)

    @staticmethod
    def _tombstoned_keys(conn: sqlite.Connection, account_ids: Iterable[int]) -> set[tuple[int, str]]:
        found: set[tuple[int, str]] = set()
        for account_id in account_ids:
            found.update(
                (account_id, key)
                for (key,) in conn.execute("SELECT dedupe_key FROM tombstones WHERE account_id = ?", (account_id,))
            )
        return found

    def bulk_import(self, transactions: Iterable[Transaction], batch: int = 50_000) -> UpsertResult:
        """Import many transactions in one atomic step.

        The search triggers are switched off and the index rebuilt once at the end; when the
        import is at least as large as what is stored, the secondary indexes are dropped and
        rebuilt too (sorting once beats maintaining them row by row).
        """
        rows = transactions if isinstance(transactions, Sequence) else list(transactions)
        with self._lock, self._bulk_cache(), self._write() as conn:
            existing = conn.execute("SELECT count(*) FROM transactions").fetchone()[0]
            rebuild_indexes = len(rows) >= existing
            for name in (*migrations.FTS_TRIGGERS, *summaries.ROW_TRIGGERS):
                conn.execute(f"DROP TRIGGER {name}")
            if rebuild_indexes:
                for name in migrations.SECONDARY_INDEXES:
                    conn.execute(f"DROP INDEX {name}")
            total = UpsertResult()
            for start in range(0, len(rows), batch):
                total = add_results(total, self._upsert(conn, rows[start : start + batch], index=False))
            if rebuild_indexes:
                for sql in migrations.SECONDARY_INDEXES.values():
                    conn.execute(sql)
            for sql in (*migrations.FTS_TRIGGERS.values(), *summaries.ROW_TRIGGERS.values()):
                conn.execute(sql)
            summaries.mark_everything(conn)
            for sql in migrations.REBUILD_FTS:
                conn.execute(sql)
            log.info("bulk import: %d new, %d updated (had %d rows)", total.new, total.updated, existing)
            return total

    @contextmanager
    def _bulk_cache(self) -> Iterator[None]:
        # A big import reads back the pages it has just written (index builds, the search index
        # rebuild); with the usual cache they would spill and be read (and decrypted) again.
        self._conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            self._conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._conn.execute("PRAGMA shrink_memory")

    def delete_transaction(self, transaction_id: int) -> None:
        """Delete a transaction at the person's request, leaving a tombstone so sync won't revive it."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT account_id, dedupe_key FROM transactions WHERE id = ?", (transaction_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"No transaction {transaction_id}.")
            conn.execute(
                "INSERT OR REPLACE INTO tombstones (account_id, dedupe_key, deleted_at) VALUES (?, ?, ?)",
                (row[0], row[1], ts(utcnow())),
            )
            conn.execute("DELETE FROM transactions WHERE id = ?", (transaction_id,))

    def mark_withdrawn(self, account_id: int, dedupe_keys: Iterable[str]) -> int:
        """Mark transactions the bank no longer lists as withdrawn (kept, never dropped)."""
        now = ts(utcnow())
        with self._write() as conn:
            before = conn.total_changes
            conn.executemany(
                "UPDATE transactions SET withdrawn_at = ? WHERE account_id = ? AND dedupe_key = ? "
                "AND withdrawn_at IS NULL",
                [(now, account_id, key) for key in dedupe_keys],
            )
            return conn.total_changes - before

    def open_pending(self, account_id: int, since: date | None) -> list[Transaction]:
        """Pending, not withdrawn transactions of an account dated on or after `since`."""
        rows = self._read(
            f"SELECT {TX_COLUMNS} FROM transactions WHERE account_id = ? AND status = 'pending' "
            "AND withdrawn_at IS NULL AND date >= ? ORDER BY date, id",
            (account_id, since.isoformat() if since else ""),
        )
        return [transaction_from_row(r) for r in rows]

    def oldest_open_pending(self, account_id: int) -> date | None:
        row = self._read(
            "SELECT min(date) FROM transactions WHERE account_id = ? AND status = 'pending' AND withdrawn_at IS NULL",
            (account_id,),
        )[0]
        return date.fromisoformat(row[0]) if row[0] else None

    def unclaimed(self, account_id: int, booked_keys: Iterable[str]) -> set[str]:
        """Which of these booked rows have not yet replaced a pending twin."""
        keys = list(booked_keys)
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            found.update(
                r[0]
                for r in self._read(
                    f"SELECT dedupe_key FROM transactions WHERE account_id = ? AND twin_key IS NULL "
                    f"AND dedupe_key IN ({', '.join('?' * len(chunk))})",
                    [account_id, *chunk],
                )
            )
        return found

    def claim_pending(self, account_id: int, pairs: Iterable[tuple[str, str]]) -> int:
        """Let booked rows replace their pending twins: (pending key, booked key) pairs, atomically."""
        claimed = 0
        with self._write() as conn:
            for pending_key, booked_key in pairs:
                cur = conn.execute(
                    "DELETE FROM transactions WHERE account_id = ? AND dedupe_key = ? AND status = 'pending'",
                    (account_id, pending_key),
                )
                conn.execute(
                    "UPDATE transactions SET twin_key = ? WHERE account_id = ? AND dedupe_key = ?",
                    (pending_key, account_id, booked_key),
                )
                claimed += cur.rowcount
        return claimed
