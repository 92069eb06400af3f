"""Schema migrations, numbered and kept forever.

``PRAGMA user_version`` holds the number of the last step applied. Each step runs in its own
transaction together with the version bump, so a crash leaves the database at a whole
version. Before migrating a database that already holds data, a copy of the file is made
beside it. A database with a higher version than ``LATEST`` is refused.

Released steps are never edited: a change to the schema is a new step at the end.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.store.database import DatabaseTooNewError, transaction

if TYPE_CHECKING:  # sqlite-utils costs ~0.1 s to import: only loaded when a migration runs
    import sqlite_utils

log = logging.getLogger(__name__)

Step = Callable[["sqlite_utils.Database"], None]


def _v1_core_tables(db: sqlite_utils.Database) -> None:
    db.table("connections").create(
        {
            "id": str,
            "provider": str,
            "label": str,
            "status": str,
            "scopes": str,
            "consent_id": str,
            "consent_expires_at": str,
            "one_time": int,
            "created_at": str,
            "last_synced_at": str,
            "next_sync_allowed_at": str,
        },
        pk="id",
        not_null={"provider", "label", "status"},
        defaults={"scopes": "[]", "one_time": 0},
    )
    db.table("accounts").create(
        {
            "id": int,
            "connection_id": str,
            "provider_account_id": str,
            "name": str,
            "currency": str,
            "iban": str,
            "kind": str,
            "owner": str,
            "hidden": int,
        },
        pk="id",
        foreign_keys=[("connection_id", "connections", "id")],
        not_null={"connection_id", "provider_account_id", "name", "currency"},
        defaults={"hidden": 0},
    )
    db.table("accounts").create_index(["connection_id", "provider_account_id"], unique=True)
    db.table("balances").create(
        {"id": int, "account_id": int, "kind": str, "amount_minor": int, "currency": str, "as_of": str},
        pk="id",
        foreign_keys=[("account_id", "accounts", "id")],
        not_null={"account_id", "kind", "amount_minor", "currency", "as_of"},
    )
    db.table("balances").create_index(["account_id", "kind", "as_of"], unique=True)
    db.execute(
        """CREATE TABLE transactions (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            dedupe_key TEXT NOT NULL,
            key_version INTEGER NOT NULL DEFAULT 0,
            provider_id TEXT,
            status TEXT NOT NULL CHECK (status IN ('booked', 'pending')),
            date TEXT NOT NULL,
            value_date TEXT,
            amount_minor INTEGER NOT NULL,
            currency TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            counterparty TEXT,
            raw TEXT,
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (account_id, dedupe_key)
        )"""
    )
    db.execute(SECONDARY_INDEXES["tx_newest"])
    db.table("sync_runs").create(
        {
            "id": int,
            "connection_id": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "pages": int,
            "new": int,
            "updated": int,
            "skipped": int,
            "error": str,
            "details": str,
        },
        pk="id",
        not_null={"connection_id", "started_at", "status"},
        defaults={"pages": 0, "new": 0, "updated": 0, "skipped": 0},
    )
    db.table("sync_runs").create_index(["connection_id", "started_at"])


def _v2_tombstones_and_withdrawals(db: sqlite_utils.Database) -> None:
    # A transaction the bank withdrew stays, marked; one the person deleted leaves a tombstone
    # so that a later sync does not bring it back.
    db.execute("ALTER TABLE transactions ADD COLUMN withdrawn_at TEXT")
    # On a booked row: the key of the pending row it replaced (Aiia gives the booked one a new id).
    db.execute("ALTER TABLE transactions ADD COLUMN twin_key TEXT")
    db.execute(
        """CREATE TABLE tombstones (
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            dedupe_key TEXT NOT NULL,
            deleted_at TEXT NOT NULL,
            PRIMARY KEY (account_id, dedupe_key)
        ) WITHOUT ROWID"""
    )


# Indexes besides the UNIQUE dedupe key. A bulk import into a small table drops and rebuilds
# them, which is much faster than maintaining them row by row. Ascending columns suit both
# directions: SQLite walks an index backwards for ORDER BY … DESC.
SECONDARY_INDEXES = {
    # newest-first pages over everything (keyset on date, id)
    "tx_newest": "CREATE INDEX tx_newest ON transactions (date, id)",
    # one account's pages, its daily balance series and monthly in/out, all read from the
    # index alone (it covers status, withdrawal, currency and amount)
    "tx_account_day": (
        "CREATE INDEX tx_account_day ON transactions (account_id, date, status, withdrawn_at, currency, amount_minor)"
    ),
    # the table sorted by amount or by counterparty (keyset on key, id); see _v4_sort_indexes
    "tx_amount": "CREATE INDEX tx_amount ON transactions (amount_minor, id)",
    "tx_counterparty": "CREATE INDEX tx_counterparty ON transactions (coalesce(counterparty, ''), id)",
}

# The search index is contentless and keyed by (day, id) packed into its rowid, so FTS5 hands
# back matches newest first on its own: the first page of a search is a short walk down one
# doclist, however many rows match. SORT_KEY must agree with Store's cursor arithmetic.
SORT_KEY = "(CAST(julianday({p}.date) - 2440587.5 AS INTEGER) * 4294967296 + {p}.id)"
_NEW, _OLD = SORT_KEY.format(p="new"), SORT_KEY.format(p="old")
# New rows are indexed by the store, a page at a time (INDEX_NEW_ROWS): one INSERT … SELECT
# per page is about twice as fast as a trigger firing for every row. Changes and deletions
# are kept in step by these triggers.
INDEX_NEW_ROWS = (
    f"INSERT INTO transactions_fts (rowid, description, counterparty) "
    f"SELECT {SORT_KEY.format(p='transactions')}, description, counterparty FROM transactions WHERE id > ?"
)
FTS_TRIGGERS = {
    "transactions_fts_ad": f"""CREATE TRIGGER transactions_fts_ad AFTER DELETE ON transactions BEGIN
        INSERT INTO transactions_fts (transactions_fts, rowid, description, counterparty)
        VALUES ('delete', {_OLD}, old.description, old.counterparty);
    END""",
    "transactions_fts_au": f"""CREATE TRIGGER transactions_fts_au
        AFTER UPDATE OF description, counterparty, date ON transactions BEGIN
        INSERT INTO transactions_fts (transactions_fts, rowid, description, counterparty)
        VALUES ('delete', {_OLD}, old.description, old.counterparty);
        INSERT INTO transactions_fts (rowid, description, counterparty)
        VALUES ({_NEW}, new.description, new.counterparty);
    END""",
}
REBUILD_FTS = (
    "INSERT INTO transactions_fts (transactions_fts) VALUES ('delete-all')",
    f"INSERT INTO transactions_fts (rowid, description, counterparty) "
    f"SELECT {SORT_KEY.format(p='transactions')}, description, counterparty FROM transactions",
)


def _v3_search_and_series(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE VIRTUAL TABLE transactions_fts USING fts5 (description, counterparty, content='', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    for sql in (*FTS_TRIGGERS.values(), *REBUILD_FTS):
        db.execute(sql)
    db.execute(SECONDARY_INDEXES["tx_account_day"])


def _v4_sort_indexes(db: sqlite_utils.Database) -> None:
    """The transactions table sorts by amount and by counterparty page by page, even over 1M rows."""
    db.execute(SECONDARY_INDEXES["tx_amount"])
    db.execute(SECONDARY_INDEXES["tx_counterparty"])


STEPS: tuple[Step, ...] = (
    _v1_core_tables,
    _v2_tombstones_and_withdrawals,
    _v3_search_and_series,
    _v4_sort_indexes,
)
LATEST = len(STEPS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the live database (consistently, WAL included) to a private file beside it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    log.info("backed up schema v%d to %s", version, target)
    return target


def migrate(conn: sqlite3.Connection, path: Path, target: int = LATEST) -> Path | None:
    """Bring the database up to `target`. Returns the backup made, if any."""
    current = user_version(conn)
    if current > LATEST:
        raise DatabaseTooNewError(
            f"{path} was written by a newer Saldo (schema {current}; this version knows up to {LATEST}). "
            "Update Saldo to open it; the file was left untouched."
        )
    if current >= target:
        return None
    made = backup(conn, path, current) if current > 0 else None
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for number in range(current + 1, target + 1):
        with transaction(conn, path):
            STEPS[number - 1](db)
            conn.execute(f"PRAGMA user_version = {number}")
        log.info("migrated %s to schema v%d", path.name, number)
    return made
