"""The local cache: connections, accounts, balances and transactions in one SQLite file.

Amounts are integer minor units plus a currency code; they become ``Money`` again on the way
out. Writes are idempotent: storing the same page twice changes nothing. All methods are
safe to call from any thread (one connection, serialized by a lock); a second ``Store`` on
the same file, for instance a reader in the GUI, works alongside thanks to WAL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from desktop_app.core.errors import CorruptDatabaseError, StoreError
from desktop_app.core.models import (
    Account,
    BalanceSnapshot,
    Connection,
    ConnectionStatus,
    Endpoints,
    SyncRun,
)
from desktop_app.core.money import Money
from desktop_app.core.store import migrations, safety
from desktop_app.core.store.database import connect
from desktop_app.core.store.driver import CacheKey
from desktop_app.core.store.reads import TransactionReads
from desktop_app.core.store.rows import (
    AccountBalance,
    account_from_row,
    as_dt,
    connection_from_row,
    insert_balance,
    parse_ts,
    ts,
    utcnow,
)
from desktop_app.core.store.writes import TransactionWrites

log = logging.getLogger(__name__)


class Store(TransactionWrites, TransactionReads):
    """Saldo's cache. Open with ``Store.open(path)``; close when done (or use ``with``)."""

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

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return migrations.user_version(self._conn)

    # -- connections -----------------------------------------------------------------

    def save_connection(self, connection: Connection) -> Connection:
        """Insert or update a connection (by id). Keeps the original created_at."""
        created = connection.created_at or utcnow()
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
                    ts(connection.consent_expires_at),
                    int(connection.one_time),
                    ts(created),
                    ts(connection.last_synced_at),
                    ts(connection.next_sync_allowed_at),
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
        return connection_from_row(rows[0])

    def connections(self) -> list[Connection]:
        return [connection_from_row(r) for r in self._read("SELECT * FROM connections ORDER BY created_at, id")]

    def delete_connection(self, connection_id: str, *, keep_data: bool) -> None:
        """Forget a connection. With keep_data its accounts and history stay, marked disconnected."""
        with self._write() as conn:
            conn.execute("DELETE FROM connection_endpoints WHERE connection_id = ?", (connection_id,))
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

    def save_endpoints(self, connection_id: str, endpoints: Endpoints) -> None:
        with self._write() as conn:
            conn.execute(
                """INSERT INTO connection_endpoints (connection_id, authorize, token, api, revoke)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (connection_id) DO UPDATE SET authorize = excluded.authorize,
                       token = excluded.token, api = excluded.api, revoke = excluded.revoke""",
                (connection_id, endpoints.authorize, endpoints.token, endpoints.api, endpoints.revoke),
            )

    def save_bank_directory(self, country: str, records: list[tuple[str, str]], fetched_at: str) -> None:
        """Replace one country's cached bank list: (name, record as JSON text) pairs."""
        with self._write() as conn:
            conn.execute("DELETE FROM aspsp_cache WHERE country = ?", (country,))
            conn.executemany(
                "INSERT INTO aspsp_cache (country, name, record, fetched_at) VALUES (?, ?, ?, ?)",
                [(country, name, record, fetched_at) for name, record in records],
            )

    def bank_directory(self, country: str) -> list[str]:
        """The cached bank records of a country (JSON text), by name."""
        rows = self._read("SELECT record FROM aspsp_cache WHERE country = ? ORDER BY name COLLATE NOCASE", (country,))
        return [str(r[0]) for r in rows]

    def endpoints(self, connection_id: str) -> Endpoints | None:
        rows = self._read(
            "SELECT authorize, token, api, revoke FROM connection_endpoints WHERE connection_id = ?", (connection_id,)
        )
        return Endpoints(*rows[0]) if rows else None

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
        return [account_from_row(r) for r in self._read(sql, (connection_id,) if connection_id else ())]

    def add_balance(self, snapshot: BalanceSnapshot) -> None:
        """Record a balance; the same (account, kind, moment) twice is stored once."""
        with self._write() as conn:
            insert_balance(conn, snapshot)

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
                account_from_row(r),
                Money.from_minor(r["b_minor"], r["b_currency"]) if r["b_minor"] is not None else None,
                parse_ts(r["b_as_of"]),
                connections[r["c_id"]],
            )
            for r in rows
        ]

    # -- sync runs -------------------------------------------------------------------

    def start_sync_run(self, connection_id: str) -> SyncRun:
        run = SyncRun(connection_id=connection_id, started_at=utcnow())
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO sync_runs (connection_id, started_at, status) VALUES (?, ?, ?)",
                (connection_id, ts(run.started_at), run.status),
            )
            return replace(run, id=cur.lastrowid)

    def finish_sync_run(self, run: SyncRun) -> SyncRun:
        done = replace(run, finished_at=run.finished_at or utcnow())
        with self._write() as conn:
            conn.execute(
                """UPDATE sync_runs SET finished_at = ?, status = ?, pages = ?, new = ?, updated = ?, skipped = ?,
                       error = ?, details = ? WHERE id = ?""",
                (
                    ts(done.finished_at),
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
                started_at=as_dt(r["started_at"]),
                id=r["id"],
                finished_at=parse_ts(r["finished_at"]),
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
