"""The SQL of statement imports: accounts remembered by file id, dedupe look-ups, inserts.

Everything here runs inside one write transaction of a ``Store`` (``ImportStore.transaction``),
so a file is imported whole or not at all, and a dry run is the same work rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from desktop_app.core.models import (
    Account,
    BalanceSnapshot,
    Connection,
    ConnectionStatus,
)
from desktop_app.core.store import migrations, summaries
from desktop_app.core.store.driver import sqlite
from desktop_app.core.store.rows import day_text, insert_balance
from desktop_app.core.store.store import Store

if TYPE_CHECKING:
    from desktop_app.core.imports.records import Entry

# The connection that owns accounts created from statement files. It is marked disconnected
# so that sync never tries to reach a provider for it.
FILE_CONNECTION = Connection(
    id="statement-files", provider="file", label="Statement files", status=ConnectionStatus.DISCONNECTED
)

_INSERT = """
INSERT INTO transactions (account_id, dedupe_key, key_version, provider_id, status, date, value_date,
    amount_minor, currency, description, counterparty, raw, first_seen_at, updated_at, import_source)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account_id, dedupe_key) DO NOTHING
"""


class _Rollback(Exception):
    """Raised inside a dry run's transaction to undo it."""


@dataclass(frozen=True, slots=True)
class StoredRow:
    """What the dedupe needs of a cached transaction."""

    key: str
    day: date
    amount_minor: int
    text: str
    import_source: str | None


def _rows(account_id: int, rows: Sequence[tuple[str, Entry]], now: str, source: str) -> Iterator[tuple[object, ...]]:
    """The INSERT parameters of each entry (the columns ``tx_row`` writes for a Transaction).

    A generator, not a list: 100k rows of parameters would cost ~40 MB at the peak. A file's
    entries share a few hundred days: each day (and value day) is written out once.
    """
    days: dict[date, str] = {}
    for key, e in rows:
        yield (
            account_id,
            key,
            int(key[2:].split(":", 1)[0]) if key.startswith("fp") else 0,
            e.provider_id,
            e.status.value,
            day_text(days, e.day),
            day_text(days, e.value_date),
            e.minor,
            e.currency,
            e.description,
            e.counterparty,
            e.raw,
            now,
            now,
            source,
        )


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


class ImportTx:
    """One import's view of the cache, inside its transaction."""

    def __init__(self, conn: sqlite.Connection) -> None:
        self.conn = conn
        self.now = _ts(datetime.now(UTC))

    # -- accounts ------------------------------------------------------------------------

    def account(self, account_id: int) -> Account | None:
        row = self.conn.execute(
            "SELECT connection_id, provider_account_id, name, currency, iban, kind, owner, hidden, id "
            "FROM accounts WHERE id = ?",
            (account_id,),
        ).fetchone()
        if row is None:
            return None
        return Account(row[0], row[1], row[2], row[3], row[4], row[5], row[6], hidden=bool(row[7]), id=row[8])

    def account_for_source(self, source_key: str) -> int | None:
        row = self.conn.execute("SELECT account_id FROM import_sources WHERE source_key = ?", (source_key,)).fetchone()
        return None if row is None else int(row[0])

    def account_for_iban(self, iban: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM accounts WHERE replace(upper(iban), ' ', '') = ? ORDER BY id LIMIT 1",
            (iban.replace(" ", "").upper(),),
        ).fetchone()
        return None if row is None else int(row[0])

    def remember_source(self, source_key: str, account_id: int) -> None:
        self.conn.execute(
            "INSERT INTO import_sources (source_key, account_id) VALUES (?, ?) "
            "ON CONFLICT (source_key) DO UPDATE SET account_id = excluded.account_id",
            (source_key, account_id),
        )

    def create_account(self, account: Account) -> Account:
        self.conn.execute(
            "INSERT INTO connections (id, provider, label, status, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            (
                FILE_CONNECTION.id,
                FILE_CONNECTION.provider,
                FILE_CONNECTION.label,
                FILE_CONNECTION.status.value,
                self.now,
            ),
        )
        row = self.conn.execute(
            "INSERT INTO accounts (connection_id, provider_account_id, name, currency, iban, kind) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (
                FILE_CONNECTION.id,
                account.provider_account_id,
                account.name,
                account.currency,
                account.iban,
                account.kind,
            ),
        ).fetchone()
        return Account(
            FILE_CONNECTION.id,
            account.provider_account_id,
            account.name,
            account.currency,
            account.iban,
            account.kind,
            id=int(row[0]),
        )

    def csv_mapping(self, account_id: int) -> str | None:
        row = self.conn.execute("SELECT mapping FROM csv_mappings WHERE account_id = ?", (account_id,)).fetchone()
        return None if row is None else str(row[0])

    def save_csv_mapping(self, account_id: int, mapping_json: str) -> None:
        self.conn.execute(
            "INSERT INTO csv_mappings (account_id, mapping) VALUES (?, ?) "
            "ON CONFLICT (account_id) DO UPDATE SET mapping = excluded.mapping",
            (account_id, mapping_json),
        )

    # -- dedupe look-ups -----------------------------------------------------------------

    def rows_by_key(self, account_id: int, keys: Iterable[str]) -> dict[str, StoredRow]:
        found: dict[str, StoredRow] = {}
        wanted = list(keys)
        held = self.conn.execute("SELECT count(*) FROM transactions WHERE account_id = ?", (account_id,)).fetchone()
        if held[0] <= len(wanted):  # one pass over the account beats looking up each key (a first import)
            keep = set(wanted)
            return {k: row for k, row in self._rows("1", [account_id]).items() if k in keep} if held[0] else {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                self._rows(
                    f"dedupe_key IN ({', '.join('?' * len(chunk))})",
                    [account_id, *chunk],
                )
            )
        return found

    def rows_with_prefix(self, account_id: int, prefix: str) -> dict[str, StoredRow]:
        """Rows whose key starts with `prefix` (the #n slots of a reused bank id)."""
        return self._rows("dedupe_key >= ? AND dedupe_key < ?", [account_id, prefix, prefix + "\U0010ffff"])

    def rows_between(self, account_id: int, first: date, last: date) -> dict[str, StoredRow]:
        return self._rows("date >= ? AND date <= ?", [account_id, first.isoformat(), last.isoformat()])

    def _rows(self, where: str, params: Sequence[object]) -> dict[str, StoredRow]:
        rows = self.conn.execute(
            "SELECT dedupe_key, date, amount_minor, description || ' ' || coalesce(counterparty, ''), import_source "
            f"FROM transactions WHERE account_id = ? AND {where}",
            params,
        )
        return {r[0]: StoredRow(r[0], date.fromisoformat(r[1]), r[2], r[3], r[4]) for r in rows}

    def tombstoned(self, account_id: int) -> set[str]:
        return {
            r[0] for r in self.conn.execute("SELECT dedupe_key FROM tombstones WHERE account_id = ?", (account_id,))
        }

    def is_blank(self, account_id: int) -> bool:
        """Whether the account holds no rows and no tombstones: nothing an entry could match."""
        row = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM transactions WHERE account_id = ?) "
            "OR EXISTS (SELECT 1 FROM tombstones WHERE account_id = ?)",
            (account_id, account_id),
        ).fetchone()
        return not row[0]

    def has_imported_rows(self, account_id: int) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM transactions WHERE account_id = ? AND import_source IS NOT NULL LIMIT 1", (account_id,)
        ).fetchone()
        return row is not None

    # -- writes --------------------------------------------------------------------------

    def insert(self, account_id: int, rows: Sequence[tuple[str, Entry]], source: str) -> int:
        """Insert an account's new entries under their keys (never overwriting a row already
        there) and index them for search."""
        if not rows:
            return 0
        before = self.conn.execute("SELECT coalesce(max(id), 0) FROM transactions").fetchone()[0]
        with summaries.without_row_trigger(self.conn, "summary_tx_ai"):
            self.conn.executemany(_INSERT, _rows(account_id, rows, self.now, source))
        added = int(self.conn.execute("SELECT count(*) FROM transactions WHERE id > ?", (before,)).fetchone()[0])
        if added:
            self.conn.execute(migrations.INDEX_NEW_ROWS, (before,))
            summaries.mark_new(self.conn, before)
        return added

    def delete_rows(self, account_id: int, keys: Sequence[str]) -> int:
        """Remove rows without a tombstone (a synced copy replaces them; nothing was deleted by hand)."""
        before = self.conn.total_changes
        self.conn.executemany(
            "DELETE FROM transactions WHERE account_id = ? AND dedupe_key = ?", [(account_id, k) for k in keys]
        )
        return self.conn.total_changes - before

    def add_balance(self, snapshot: BalanceSnapshot) -> None:
        insert_balance(self.conn, snapshot)

    def record_import(
        self, account_id: int, file_name: str, digest: str, fmt: str, added: int, present: int, warnings: str
    ) -> None:
        self.conn.execute(
            "INSERT INTO statement_imports (account_id, file_name, sha256, format, imported_at, added, present, "
            "warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (account_id, file_name, digest, fmt, self.now, added, present, warnings or None),
        )


class ImportStore:
    """Opens import transactions on a Store (its lock and connection: one writer at a time)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @contextmanager
    def transaction(self, *, dry_run: bool = False) -> Iterator[ImportTx]:
        """One atomic step; with `dry_run` everything done inside is rolled back at the end."""
        try:
            with self.store._write() as conn:  # the store's own lock and BEGIN IMMEDIATE … COMMIT
                yield ImportTx(conn)
                if dry_run:
                    raise _Rollback
        except _Rollback:
            pass

    def csv_mapping(self, account_id: int) -> str | None:
        with self.transaction(dry_run=True) as tx:
            return tx.csv_mapping(account_id)

    def previous_import(self, digest: str) -> list[tuple[int, str, int, str]]:
        """(account id, name, entries, when) of the latest import of this digest, per account."""
        rows = self.store._read(
            "SELECT s.account_id, a.name, s.added + s.present, max(s.imported_at) FROM statement_imports s "
            "JOIN accounts a ON a.id = s.account_id WHERE s.sha256 = ? GROUP BY s.account_id ORDER BY s.account_id",
            (digest,),
        )
        return [(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in rows]

    def imports(self, account_id: int) -> list[tuple[str, str, int, int]]:
        """(file name, imported at, added, already present) of an account's imports, newest first."""
        rows = self.store._read(
            "SELECT file_name, imported_at, added, present FROM statement_imports WHERE account_id = ? "
            "ORDER BY id DESC",
            (account_id,),
        )
        return [(r[0], r[1], int(r[2]), int(r[3])) for r in rows]
