"""The local cache: connections, accounts, balances and transactions in one SQLite file.

Amounts are integer minor units plus a currency code; they become ``Money`` again on the way
out. Writes are idempotent: storing the same page twice changes nothing. All methods are
safe to call from any thread (one connection, serialized by a lock); a second ``Store`` on
the same file, for instance a reader in the GUI, works alongside thanks to WAL.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop_app.core.models import (
    Account,
    BalanceKind,
    BalanceSnapshot,
    Connection,
    ConnectionStatus,
    SyncRun,
    Transaction,
    TransactionStatus,
)
from desktop_app.core.money import Money
from desktop_app.core.store import migrations, safety
from desktop_app.core.store.database import (
    CACHE_KIB,
    CorruptDatabaseError,
    StoreError,
    connect,
    explain,
    transaction,
)
from desktop_app.core.store.driver import CacheKey, sqlite

log = logging.getLogger(__name__)

# Importing more rows than this (or more than a quarter of what is stored) switches the FTS
# triggers off and rebuilds the search index once at the end: far faster than row by row.
BULK_THRESHOLD = 20_000
BULK_CACHE_KIB = 262144  # 256 MiB of page cache while a bulk import runs


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def _parse_ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """An account with the latest balance the provider reported (None before the first sync)."""

    account: Account
    balance: Money | None
    as_of: datetime | None
    connection: Connection


@dataclass(frozen=True, slots=True)
class TxFilter:
    """What the transactions view asks for. Every field narrows; None means no constraint."""

    account_ids: tuple[int, ...] | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: TransactionStatus | None = None
    direction: str | None = None  # "in" or "out"
    search: str | None = None
    include_withdrawn: bool = True
    oldest_first: bool = False


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a newest-first page ended: the next page starts strictly after (date, id)."""

    date: str
    id: int


@dataclass(frozen=True, slots=True)
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    tombstoned: int = 0


@dataclass(frozen=True, slots=True)
class MonthTotals:
    month: str  # "YYYY-MM"
    currency: str
    money_in: Money
    money_out: Money


_TX_COLUMNS = (
    "id, account_id, dedupe_key, provider_id, status, date, value_date, amount_minor, currency, "
    "description, counterparty, raw, withdrawn_at"
)
_UPSERT = """
INSERT INTO transactions (account_id, dedupe_key, key_version, provider_id, status, date, value_date,
    amount_minor, currency, description, counterparty, raw, first_seen_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account_id, dedupe_key) DO UPDATE SET
    provider_id = excluded.provider_id, status = excluded.status, date = excluded.date,
    value_date = excluded.value_date, amount_minor = excluded.amount_minor, currency = excluded.currency,
    description = excluded.description, counterparty = excluded.counterparty, raw = excluded.raw,
    updated_at = excluded.updated_at, withdrawn_at = NULL
WHERE (provider_id, status, date, value_date, amount_minor, currency, description, counterparty, raw,
       withdrawn_at)
   IS NOT (excluded.provider_id, excluded.status, excluded.date, excluded.value_date, excluded.amount_minor,
       excluded.currency, excluded.description, excluded.counterparty, excluded.raw, NULL)
"""
_TOKEN = re.compile(r"\w+", re.UNICODE)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def sort_key(day: str, transaction_id: int) -> int:
    """The search index's rowid for a transaction: days since 1970 in the high bits, id low."""
    return (date.fromisoformat(day).toordinal() - _EPOCH_ORDINAL) * 4294967296 + transaction_id


def fts_query(text: str) -> str | None:
    """Turn what the user typed into a safe FTS5 query: every word, as a prefix, all required."""
    words = _TOKEN.findall(text)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


class Store:
    """Saldo's cache. Open with ``Store.open(path)``; close when done (or use ``with``)."""

    def __init__(self, conn: sqlite.Connection, path: Path, key: CacheKey | None = None) -> None:
        self._conn = conn
        self.path = path
        self.key = key
        self._lock = threading.RLock()
        self.backup_path: Path | None = None
        self.verified = True  # False: quick_check still to run before the first write

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, migrate: bool = True, key: CacheKey | None = None, verify: bool = True) -> Store:
        """Open the cache at `path` (encrypted with `key`, plain without), creating or migrating it.

        A file that is not a regular file, not Saldo's, damaged, or newer than this Saldo raises
        a StoreError and is not modified. With `verify` the whole file is checked now; without,
        the check runs before the session's first write (so a large cache opens at once).
        Most callers want ``open_cache``, which finds the key.
        """
        state = safety.examine(path)
        if state is safety.FileState.PLAIN and key is not None:
            raise StoreError(f"{path} is not encrypted; open it through open_cache to encrypt it.")
        if state is safety.FileState.ENCRYPTED and key is None:
            raise CorruptDatabaseError(
                f"{path} is encrypted or not a database; Saldo has no key for it. It was left untouched."
            )
        checked = False
        if state in (safety.FileState.PLAIN, safety.FileState.ENCRYPTED):
            safety.probe(path, key, latest=migrations.LATEST, verify=verify)
            checked = verify
        conn = connect(path, key)
        store = cls(conn, path, key)
        store.verified = checked or state in (safety.FileState.MISSING, safety.FileState.EMPTY)
        try:
            if migrate:
                store.backup_path = migrations.migrate(conn, path, key=key)
        except BaseException:
            conn.close()
            raise
        return store

    def verify(self) -> None:
        """Check the whole file (quick_check) once per session; a damaged cache is never written."""
        with self._lock:
            if self.verified:
                return
            try:
                safety.check_whole_file(self._conn, self.path)
            except sqlite.Error as exc:
                raise explain(exc, self.path) from None
            self.verified = True

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def locked_connection(self) -> Iterator[sqlite.Connection]:
        """The connection with the store's lock held: for whole-file work (backup, rekey) in this package."""
        with self._lock:
            yield self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite.Connection]:
        self.verify()
        with self._lock, transaction(self._conn, self.path) as conn:
            yield conn

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite.Row]:
        with self._lock:
            try:
                cur = self._conn.execute(sql, params)
                cur.row_factory = sqlite.Row
                return cur.fetchall()
            except sqlite.Error as exc:
                raise explain(exc, self.path) from None

    @property
    def schema_version(self) -> int:
        with self._lock:
            return migrations.user_version(self._conn)

    # -- connections -----------------------------------------------------------------

    def save_connection(self, connection: Connection) -> Connection:
        """Insert or update a connection (by id). Keeps the original created_at."""
        created = connection.created_at or _utcnow()
        with self._write() as conn:
            conn.execute(
                """INSERT INTO connections (id, provider, label, status, scopes, consent_id, consent_expires_at,
                       one_time, created_at, last_synced_at, next_sync_allowed_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, label = excluded.label,
                       status = excluded.status, scopes = excluded.scopes, consent_id = excluded.consent_id,
                       consent_expires_at = excluded.consent_expires_at, one_time = excluded.one_time,
                       last_synced_at = excluded.last_synced_at,
                       next_sync_allowed_at = excluded.next_sync_allowed_at""",
                (
                    connection.id,
                    connection.provider,
                    connection.label,
                    connection.status.value,
                    json.dumps(list(connection.scopes)),
                    connection.consent_id,
                    _ts(connection.consent_expires_at),
                    int(connection.one_time),
                    _ts(created),
                    _ts(connection.last_synced_at),
                    _ts(connection.next_sync_allowed_at),
                ),
            )
        return self.get_connection(connection.id)

    def set_connection_status(self, connection_id: str, status: ConnectionStatus) -> None:
        with self._write() as conn:
            conn.execute("UPDATE connections SET status = ? WHERE id = ?", (status.value, connection_id))

    def get_connection(self, connection_id: str) -> Connection:
        rows = self._read("SELECT * FROM connections WHERE id = ?", (connection_id,))
        if not rows:
            raise StoreError(f"No connection {connection_id!r}.")
        return _connection(rows[0])

    def connections(self) -> list[Connection]:
        return [_connection(r) for r in self._read("SELECT * FROM connections ORDER BY created_at, id")]

    def delete_connection(self, connection_id: str, *, keep_data: bool) -> None:
        """Forget a connection. With keep_data its accounts and history stay, marked disconnected."""
        with self._write() as conn:
            if keep_data:
                conn.execute(
                    "UPDATE connections SET status = ? WHERE id = ?",
                    (ConnectionStatus.DISCONNECTED.value, connection_id),
                )
                return
            ids = "SELECT id FROM accounts WHERE connection_id = ?"
            for table in ("transactions", "balances", "tombstones"):
                conn.execute(f"DELETE FROM {table} WHERE account_id IN ({ids})", (connection_id,))
            conn.execute("DELETE FROM accounts WHERE connection_id = ?", (connection_id,))
            conn.execute("DELETE FROM sync_runs WHERE connection_id = ?", (connection_id,))
            conn.execute("DELETE FROM connections WHERE id = ?", (connection_id,))

    # -- accounts and balances -------------------------------------------------------

    def save_accounts(self, accounts: Iterable[Account]) -> list[Account]:
        """Insert or update accounts by (connection, provider account id); returns them with ids.

        The person's choice to hide an account survives an update from the provider.
        """
        saved = []
        with self._write() as conn:
            for acc in accounts:
                row = conn.execute(
                    """INSERT INTO accounts (connection_id, provider_account_id, name, currency, iban, kind, owner,
                           hidden)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (connection_id, provider_account_id) DO UPDATE SET name = excluded.name,
                           currency = excluded.currency, iban = excluded.iban, kind = excluded.kind,
                           owner = excluded.owner
                       RETURNING id, hidden""",
                    (
                        acc.connection_id,
                        acc.provider_account_id,
                        acc.name,
                        acc.currency,
                        acc.iban,
                        acc.kind,
                        acc.owner,
                        int(acc.hidden),
                    ),
                ).fetchone()
                saved.append(replace(acc, id=int(row[0]), hidden=bool(row[1])))
        return saved

    def set_account_hidden(self, account_id: int, hidden: bool) -> None:
        with self._write() as conn:
            conn.execute("UPDATE accounts SET hidden = ? WHERE id = ?", (int(hidden), account_id))

    def accounts(self, connection_id: str | None = None) -> list[Account]:
        sql = "SELECT * FROM accounts" + (" WHERE connection_id = ?" if connection_id else "") + " ORDER BY id"
        return [_account(r) for r in self._read(sql, (connection_id,) if connection_id else ())]

    def add_balance(self, snapshot: BalanceSnapshot) -> None:
        """Record a balance; the same (account, kind, moment) twice is stored once."""
        with self._write() as conn:
            conn.execute(
                """INSERT INTO balances (account_id, kind, amount_minor, currency, as_of) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (account_id, kind, as_of) DO UPDATE SET amount_minor = excluded.amount_minor,
                       currency = excluded.currency""",
                (
                    snapshot.account_id,
                    snapshot.kind.value,
                    snapshot.amount.minor_units,
                    snapshot.amount.currency,
                    _ts(snapshot.as_of),
                ),
            )

    def balances(self, account_id: int, kind: BalanceKind = BalanceKind.BOOKED) -> list[BalanceSnapshot]:
        rows = self._read(
            "SELECT * FROM balances WHERE account_id = ? AND kind = ? ORDER BY as_of", (account_id, kind.value)
        )
        return [
            BalanceSnapshot(
                r["account_id"],
                BalanceKind(r["kind"]),
                Money.from_minor(r["amount_minor"], r["currency"]),
                _as_dt(r["as_of"]),
            )
            for r in rows
        ]

    def latest_balance(self, account_id: int, kind: BalanceKind = BalanceKind.BOOKED) -> BalanceSnapshot | None:
        rows = self._read(
            "SELECT * FROM balances WHERE account_id = ? AND kind = ? ORDER BY as_of DESC LIMIT 1",
            (account_id, kind.value),
        )
        if not rows:
            return None
        r = rows[0]
        return BalanceSnapshot(account_id, kind, Money.from_minor(r["amount_minor"], r["currency"]), _as_dt(r["as_of"]))

    def accounts_with_balances(self, *, include_hidden: bool = False) -> list[AccountBalance]:
        """Every account with its latest booked balance, grouped by connection."""
        rows = self._read(
            """SELECT a.*, b.amount_minor AS b_minor, b.currency AS b_currency, b.as_of AS b_as_of,
                      c.id AS c_id
               FROM accounts a JOIN connections c ON c.id = a.connection_id
               LEFT JOIN balances b ON b.id = (
                   SELECT id FROM balances WHERE account_id = a.id AND kind = 'booked' ORDER BY as_of DESC LIMIT 1)
               WHERE ? OR a.hidden = 0
               ORDER BY c.created_at, c.id, a.id""",
            (int(include_hidden),),
        )
        connections = {c.id: c for c in self.connections()}
        return [
            AccountBalance(
                _account(r),
                Money.from_minor(r["b_minor"], r["b_currency"]) if r["b_minor"] is not None else None,
                _parse_ts(r["b_as_of"]),
                connections[r["c_id"]],
            )
            for r in rows
        ]

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
        account_ids = {t.account_id for t in transactions}
        tombstoned = self._tombstoned_keys(conn, account_ids)
        now = _ts(_utcnow())
        rows = []
        skipped = 0
        for t in transactions:
            if (t.account_id, t.dedupe_key) in tombstoned:
                skipped += 1
                continue
            rows.append(_tx_row(t, now))
        before_max = conn.execute("SELECT coalesce(max(id), 0) FROM transactions").fetchone()[0]
        # rowcount sums sqlite3_changes() over the batch: rows inserted plus rows whose DO UPDATE
        # actually ran (the WHERE clause skips identical ones); trigger writes are not counted.
        changed = conn.executemany(_UPSERT, rows).rowcount
        new = conn.execute("SELECT count(*) FROM transactions WHERE id > ?", (before_max,)).fetchone()[0]
        if index and new:
            conn.execute(migrations.INDEX_NEW_ROWS, (before_max,))
        updated = changed - new
        return UpsertResult(new=new, updated=updated, unchanged=len(rows) - new - updated, tombstoned=skipped)

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
            for name in migrations.FTS_TRIGGERS:
                conn.execute(f"DROP TRIGGER {name}")
            if rebuild_indexes:
                for name in migrations.SECONDARY_INDEXES:
                    conn.execute(f"DROP INDEX {name}")
            total = UpsertResult()
            for start in range(0, len(rows), batch):
                total = _add(total, self._upsert(conn, rows[start : start + batch], index=False))
            if rebuild_indexes:
                for sql in migrations.SECONDARY_INDEXES.values():
                    conn.execute(sql)
            for sql in migrations.FTS_TRIGGERS.values():
                conn.execute(sql)
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

    def store_transactions(self, transactions: Sequence[Transaction]) -> UpsertResult:
        """Upsert, choosing the bulk path when the batch is large for the table."""
        if len(transactions) >= BULK_THRESHOLD:
            return self.bulk_import(transactions)
        return self.upsert_transactions(transactions)

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
                (row[0], row[1], _ts(_utcnow())),
            )
            conn.execute("DELETE FROM transactions WHERE id = ?", (transaction_id,))

    def mark_withdrawn(self, account_id: int, dedupe_keys: Iterable[str]) -> int:
        """Mark transactions the bank no longer lists as withdrawn (kept, never dropped)."""
        now = _ts(_utcnow())
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
            f"SELECT {_TX_COLUMNS} FROM transactions WHERE account_id = ? AND status = 'pending' "
            "AND withdrawn_at IS NULL AND date >= ? ORDER BY date, id",
            (account_id, since.isoformat() if since else ""),
        )
        return [_transaction(r) for r in rows]

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

    def booked_sum(self, account_id: int, after: date, upto: date) -> int:
        """Sum in minor units of booked, not withdrawn transactions dated in (after, upto]."""
        row = self._read(
            "SELECT coalesce(sum(amount_minor), 0) FROM transactions INDEXED BY tx_account_day "
            "WHERE account_id = ? AND date > ? AND date <= ? AND status = 'booked' AND withdrawn_at IS NULL",
            (account_id, after.isoformat(), upto.isoformat()),
        )[0]
        return int(row[0])

    def transaction_by_key(self, account_id: int, dedupe_key: str) -> Transaction | None:
        rows = self._read(
            f"SELECT {_TX_COLUMNS} FROM transactions WHERE account_id = ? AND dedupe_key = ?",
            (account_id, dedupe_key),
        )
        return _transaction(rows[0]) if rows else None

    def count_transactions(self, account_id: int | None = None) -> int:
        if account_id is None:
            return int(self._read("SELECT count(*) FROM transactions")[0][0])
        return int(self._read("SELECT count(*) FROM transactions WHERE account_id = ?", (account_id,))[0][0])

    def last_booked_date(self, account_id: int) -> date | None:
        row = self._read(
            "SELECT max(date) FROM transactions WHERE account_id = ? AND status = 'booked' AND withdrawn_at IS NULL",
            (account_id,),
        )[0]
        return date.fromisoformat(row[0]) if row[0] else None

    def transactions_page(
        self, filt: TxFilter = TxFilter(), after: Cursor | None = None, limit: int = 50, *, with_raw: bool = True
    ) -> tuple[list[Transaction], Cursor | None]:
        """One page of transactions, newest first (or oldest first), and the next page's cursor (None at the end).

        Keyset pagination on (date, id): a page is as fast at the end of a million rows as at
        the start, and rows inserted meanwhile never shift or repeat what was already shown.
        """
        where, params = _where(filt)
        names = _TX_COLUMNS if with_raw else _TX_COLUMNS.replace("raw, ", "NULL AS raw, ")
        columns = ", ".join(c if c.startswith("NULL") else "t." + c for c in names.split(", "))
        order, before = ("ASC", ">") if filt.oldest_first else ("DESC", "<")
        query = fts_query(filt.search) if filt.search else None
        if filt.search and query is None:
            return [], None
        if query is not None:
            # Walk the search index newest first (its rowid is the (day, id) sort key).
            where.append("f.transactions_fts MATCH ?")
            params.append(query)
            if after is not None:
                where.append(f"f.rowid {before} ?")
                params.append(sort_key(after.date, after.id))
            sql = (
                f"SELECT {columns} FROM transactions_fts f JOIN transactions t ON t.id = (f.rowid & 4294967295) "
                f"WHERE {' AND '.join(where)} ORDER BY f.rowid {order} LIMIT ?"
            )
        else:
            if after is not None:
                where.append(f"(t.date, t.id) {before} (?, ?)")
                params += [after.date, after.id]
            sql = (
                f"SELECT {columns} FROM transactions t "
                + ("WHERE " + " AND ".join(where) if where else "")
                + f" ORDER BY t.date {order}, t.id {order} LIMIT ?"
            )
        rows = self._read(sql, [*params, limit])
        page = [_transaction(r) for r in rows]
        cursor = Cursor(rows[-1]["date"], rows[-1]["id"]) if len(rows) == limit else None
        return page, cursor

    def iter_transactions(self, filt: TxFilter = TxFilter(), page_size: int = 1000) -> Iterator[Transaction]:
        """Every transaction matching `filt`, newest first, read page by page."""
        cursor: Cursor | None = None
        while True:
            page, cursor = self.transactions_page(filt, cursor, page_size)
            yield from page
            if cursor is None:
                return

    def search(self, text: str, limit: int = 50) -> list[Transaction]:
        """Newest transactions whose description or counterparty contain every word typed (prefixes)."""
        page, _ = self.transactions_page(TxFilter(search=text), None, limit)
        return page

    # -- charts ----------------------------------------------------------------------

    def daily_balance_series(
        self, account_id: int, start: date | None = None, end: date | None = None
    ) -> list[tuple[date, Money]]:
        """End-of-day balance for every day from `start` to `end` (default: first to last transaction).

        Anchored on the latest booked balance the bank reported, when there is one: the balance
        on day d is anchor + (booked sum up to d) − (booked sum up to the anchor's day). Without
        an anchor the account is assumed to have opened at zero.
        """
        currency_row = self._read("SELECT currency FROM accounts WHERE id = ?", (account_id,))
        if not currency_row:
            raise StoreError(f"No account {account_id}.")
        currency = currency_row[0][0]
        daily = self._read(
            "SELECT date, sum(amount_minor) FROM transactions INDEXED BY tx_account_day "
            "WHERE account_id = ? AND status = 'booked' AND withdrawn_at IS NULL AND currency = ? "
            "GROUP BY date ORDER BY date",
            (account_id, currency),
        )
        if not daily:
            return []
        days = [date.fromisoformat(r[0]) for r in daily]
        sums = [int(r[1]) for r in daily]
        anchor = self.latest_balance(account_id)
        offset = 0
        if anchor is not None and anchor.amount.currency == currency:
            anchor_day = anchor.as_of.date()
            upto = sum(s for d, s in zip(days, sums, strict=True) if d <= anchor_day)
            offset = anchor.amount.minor_units - upto
        first = start or days[0]
        last = end or max(days[-1], anchor.as_of.date() if anchor else days[-1])
        series: list[tuple[date, Money]] = []
        running = offset
        i = 0
        day = min(first, days[0])
        while day <= last:
            while i < len(days) and days[i] == day:
                running += sums[i]
                i += 1
            if day >= first:
                series.append((day, Money.from_minor(running, currency)))
            day += timedelta(days=1)
        return series

    def monthly_in_out(self, account_ids: Sequence[int] | None = None) -> list[MonthTotals]:
        """Money in and out per calendar month and currency, over booked transactions."""
        where = "status = 'booked' AND withdrawn_at IS NULL"
        params: list[Any] = []
        if account_ids is not None:
            where += f" AND account_id IN ({', '.join('?' * len(account_ids))})"
            params += list(account_ids)
        rows = self._read(
            "SELECT substr(date, 1, 7) AS month, currency, "
            "sum(CASE WHEN amount_minor > 0 THEN amount_minor ELSE 0 END), "
            "sum(CASE WHEN amount_minor < 0 THEN amount_minor ELSE 0 END) "
            f"FROM transactions WHERE {where} GROUP BY month, currency ORDER BY month, currency",
            params,
        )
        return [
            MonthTotals(r[0], r[1], Money.from_minor(int(r[2]), r[1]), Money.from_minor(int(r[3]), r[1])) for r in rows
        ]

    # -- sync runs -------------------------------------------------------------------

    def start_sync_run(self, connection_id: str) -> SyncRun:
        run = SyncRun(connection_id=connection_id, started_at=_utcnow())
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO sync_runs (connection_id, started_at, status) VALUES (?, ?, ?)",
                (connection_id, _ts(run.started_at), run.status),
            )
            return replace(run, id=cur.lastrowid)

    def finish_sync_run(self, run: SyncRun) -> SyncRun:
        done = replace(run, finished_at=run.finished_at or _utcnow())
        with self._write() as conn:
            conn.execute(
                """UPDATE sync_runs SET finished_at = ?, status = ?, pages = ?, new = ?, updated = ?, skipped = ?,
                       error = ?, details = ? WHERE id = ?""",
                (
                    _ts(done.finished_at),
                    done.status,
                    done.pages,
                    done.new,
                    done.updated,
                    done.skipped,
                    done.error,
                    json.dumps(done.details),
                    done.id,
                ),
            )
        return done

    def sync_runs(self, connection_id: str | None = None, limit: int = 50) -> list[SyncRun]:
        sql = "SELECT * FROM sync_runs" + (" WHERE connection_id = ?" if connection_id else "")
        rows = self._read(sql + " ORDER BY id DESC LIMIT ?", [*([connection_id] if connection_id else []), limit])
        return [
            SyncRun(
                connection_id=r["connection_id"],
                started_at=_as_dt(r["started_at"]),
                id=r["id"],
                finished_at=_parse_ts(r["finished_at"]),
                status=r["status"],
                pages=r["pages"],
                new=r["new"],
                updated=r["updated"],
                skipped=r["skipped"],
                error=r["error"],
                details=json.loads(r["details"]) if r["details"] else {},
            )
            for r in rows
        ]

    def integrity_check(self) -> str:
        return str(self._read("PRAGMA integrity_check")[0][0])


# -- row mapping -----------------------------------------------------------------------


def _add(a: UpsertResult, b: UpsertResult) -> UpsertResult:
    return UpsertResult(a.new + b.new, a.updated + b.updated, a.unchanged + b.unchanged, a.tombstoned + b.tombstoned)


def _as_dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _tx_row(t: Transaction, now: str | None) -> tuple[Any, ...]:
    key_version = int(t.dedupe_key[2:].split(":", 1)[0]) if t.dedupe_key.startswith("fp") else 0
    return (
        t.account_id,
        t.dedupe_key,
        key_version,
        t.provider_id,
        t.status.value,
        t.booking_date.isoformat(),
        t.value_date.isoformat() if t.value_date else None,
        t.amount.minor_units,
        t.amount.currency,
        t.description,
        t.counterparty,
        t.raw,
        now,
        now,
    )


def _where(filt: TxFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if filt.account_ids is not None:
        where.append(f"t.account_id IN ({', '.join('?' * len(filt.account_ids))})" if filt.account_ids else "0")
        params += list(filt.account_ids)
    if filt.date_from is not None:
        where.append("t.date >= ?")
        params.append(filt.date_from.isoformat())
    if filt.date_to is not None:
        where.append("t.date <= ?")
        params.append(filt.date_to.isoformat())
    if filt.status is not None:
        where.append("t.status = ?")
        params.append(filt.status.value)
    if filt.direction == "in":
        where.append("t.amount_minor > 0")
    elif filt.direction == "out":
        where.append("t.amount_minor < 0")
    if not filt.include_withdrawn:
        where.append("t.withdrawn_at IS NULL")
    return where, params


def _connection(r: sqlite.Row) -> Connection:
    return Connection(
        id=r["id"],
        provider=r["provider"],
        label=r["label"],
        status=ConnectionStatus(r["status"]),
        scopes=tuple(json.loads(r["scopes"] or "[]")),
        consent_id=r["consent_id"],
        consent_expires_at=_parse_ts(r["consent_expires_at"]),
        one_time=bool(r["one_time"]),
        created_at=_parse_ts(r["created_at"]),
        last_synced_at=_parse_ts(r["last_synced_at"]),
        next_sync_allowed_at=_parse_ts(r["next_sync_allowed_at"]),
    )


def _account(r: sqlite.Row) -> Account:
    return Account(
        connection_id=r["connection_id"],
        provider_account_id=r["provider_account_id"],
        name=r["name"],
        currency=r["currency"],
        iban=r["iban"],
        kind=r["kind"],
        owner=r["owner"],
        hidden=bool(r["hidden"]),
        id=r["id"],
    )


def _transaction(r: sqlite.Row) -> Transaction:
    return Transaction(
        account_id=r["account_id"],
        dedupe_key=r["dedupe_key"],
        status=TransactionStatus(r["status"]),
        booking_date=date.fromisoformat(r["date"]),
        amount=Money.from_minor(r["amount_minor"], r["currency"]),
        description=r["description"],
        counterparty=r["counterparty"],
        value_date=date.fromisoformat(r["value_date"]) if r["value_date"] else None,
        provider_id=r["provider_id"],
        raw=r["raw"],
        id=r["id"],
        withdrawn=r["withdrawn_at"] is not None,
    )
