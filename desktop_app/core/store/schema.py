"""The schema, one numbered step at a time, kept forever (``migrations`` applies them).

Released steps are never edited: a change to the schema is a new step at the end. Steps 4 to 7
came in one round: endpoints in the database and one account per login (4), statement imports
(5), categories, rules and budgets (6), Saldo's application id in the file header (7); step 10 is in ``summaries``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.store import summaries

if TYPE_CHECKING:  # sqlite-utils costs ~0.1 s to import: only loaded when a migration runs
    import sqlite_utils

log = logging.getLogger(__name__)

# A step changes the schema inside its transaction; it may return an action to run once the
# step has committed (such as removing a side file whose contents it moved in).
Step = Callable[["sqlite_utils.Database"], "Callable[[], None] | None"]


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
    # the table's sort by amount and by counterparty, page by page (schema 8)
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


def _v4_endpoints(db: sqlite_utils.Database) -> Callable[[], None] | None:
    """Each connection's endpoints move from endpoints.json (beside the file) into the database;
    an account a provider lists can belong to one connection of that provider only."""
    db.execute(
        """CREATE TRIGGER accounts_one_connection_per_provider BEFORE INSERT ON accounts
           WHEN EXISTS (SELECT 1 FROM accounts a JOIN connections c ON c.id = a.connection_id
                        WHERE a.provider_account_id = NEW.provider_account_id
                          AND a.connection_id != NEW.connection_id
                          AND c.provider = (SELECT provider FROM connections WHERE id = NEW.connection_id))
           BEGIN SELECT RAISE(ABORT, 'account already held by another connection of this provider'); END"""
    )
    db.execute(
        """CREATE TABLE connection_endpoints (
            connection_id TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
            authorize TEXT NOT NULL, token TEXT NOT NULL, api TEXT NOT NULL, revoke TEXT)"""
    )
    main = next((row[2] for row in db.execute("PRAGMA database_list").fetchall() if row[1] == "main"), "")
    side = Path(main).with_name("endpoints.json") if main else None
    if side is None or not side.is_file():
        return None
    try:
        known = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # a damaged side file: the defaults will do, say so
        log.warning("ignored unreadable %s: %s", side, exc)
        known = {}
    connections = {row[0] for row in db.execute("SELECT id FROM connections").fetchall()}
    for connection_id, ends in known.items() if isinstance(known, dict) else ():
        if connection_id not in connections or not isinstance(ends, dict):
            continue
        if not all(isinstance(ends.get(k), str) for k in ("authorize", "token", "api")):
            continue
        revoke = ends.get("revoke") if isinstance(ends.get("revoke"), str) else None
        db.execute(
            "INSERT INTO connection_endpoints VALUES (?, ?, ?, ?, ?)",
            (connection_id, ends["authorize"], ends["token"], ends["api"], revoke),
        )
    return side.unlink  # only once the step has committed


def _v5_statement_imports(db: sqlite_utils.Database) -> None:
    # Which statement format a row came from (NULL: a provider sync). Two rows from the same
    # format that both carry a bank reference are told apart by it, never by fuzzy matching.
    db.execute("ALTER TABLE transactions ADD COLUMN import_source TEXT")
    # The file's institution/account id of an account, so the next file finds it by itself.
    # These tables go with their account (ON DELETE CASCADE): deleting a connection still works.
    db.execute(
        """CREATE TABLE import_sources (
            source_key TEXT PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
        ) WITHOUT ROWID"""
    )
    # The CSV column mapping last used for an account (JSON of CsvMapping).
    db.execute(
        "CREATE TABLE csv_mappings (account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE, "
        "mapping TEXT NOT NULL)"
    )
    # One row per file imported: what it added, for the person's history and for support.
    db.execute(
        """CREATE TABLE statement_imports (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            format TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            added INTEGER NOT NULL,
            present INTEGER NOT NULL,
            warnings TEXT
        )"""
    )
    db.execute("CREATE INDEX statement_imports_sha256 ON statement_imports (sha256)")


# The default category tree: (code, name, kind, children); codes are stable handles, names the person's.
_V4_CATEGORIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("housing", "Housing", "expense", ("Rent", "Utilities", "Home & garden")),
    ("groceries", "Groceries", "expense", ()),
    ("eating_out", "Eating out", "expense", ()),
    ("transport", "Transport", "expense", ("Public transport", "Fuel", "Car & parking")),
    ("travel", "Travel", "expense", ()),
    ("telecom", "Telecom & internet", "expense", ()),
    ("shopping", "Shopping", "expense", ("Clothes", "Electronics")),
    ("subscriptions", "Subscriptions", "expense", ()),
    ("health", "Health", "expense", ()),
    ("personal_care", "Personal care", "expense", ()),
    ("entertainment", "Entertainment", "expense", ()),
    ("education", "Education", "expense", ()),
    ("cash_fees", "Cash & fees", "expense", ()),
    ("financial", "Financial & insurance", "expense", ()),
    ("government", "Taxes & government", "expense", ()),
    ("gifts", "Gifts & charity", "expense", ()),
    ("pets", "Pets", "expense", ()),
    ("income", "Income", "income", ("Salary", "Other income")),
    ("transfers", "Transfers", "transfer", ()),
)


def _v6_categories_rules_budgets(db: sqlite_utils.Database) -> None:
    # A transaction's category, its source and its transfer mark live on the row itself: the
    # upsert never writes these columns, so re-sync and re-import leave them alone. No index
    # covers them on purpose: reports walk a period through tx_newest and read the rows (rows
    # are stored in date order, so that is nearly sequential), and a rule run rewriting half a
    # million categories stays twice as fast. Splits are rare and sit in their own table.
    statements = (
        """CREATE TABLE categories (
            id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES categories(id),
            code TEXT UNIQUE,
            name TEXT NOT NULL CHECK (trim(name) != ''),
            kind TEXT NOT NULL DEFAULT 'expense' CHECK (kind IN ('expense', 'income', 'transfer')),
            position INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE UNIQUE INDEX categories_name ON categories (coalesce(parent_id, 0), name COLLATE NOCASE)",
        "ALTER TABLE transactions ADD COLUMN category_id INTEGER REFERENCES categories(id)",
        # manual | split (manual, several categories) | rule | provider; NULL: none yet
        "ALTER TABLE transactions ADD COLUMN category_source TEXT",
        "ALTER TABLE transactions ADD COLUMN rule_id INTEGER",
        # the category the provider's merchant code or category word suggests (the weakest guess)
        "ALTER TABLE transactions ADD COLUMN guess_id INTEGER",
        "ALTER TABLE transactions ADD COLUMN payee TEXT",  # a rule's display name for the counterparty
        # the other leg of a transfer between own accounts; 0 marks a transfer with no leg here
        "ALTER TABLE transactions ADD COLUMN transfer_id INTEGER",
        "ALTER TABLE transactions ADD COLUMN transfer_source TEXT",  # manual | rule | auto
        """CREATE TABLE tx_splits (
            transaction_id INTEGER NOT NULL REFERENCES transactions(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            category_id INTEGER NOT NULL REFERENCES categories(id),
            amount_minor INTEGER NOT NULL,
            PRIMARY KEY (transaction_id, position)
        ) WITHOUT ROWID""",
        "CREATE INDEX tx_splits_category ON tx_splits (category_id)",
        """CREATE TABLE rules (
            id INTEGER PRIMARY KEY,
            position INTEGER NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            enabled INTEGER NOT NULL DEFAULT 1,
            conditions TEXT NOT NULL,
            actions TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE)",
        """CREATE TABLE tx_tags (
            transaction_id INTEGER NOT NULL REFERENCES transactions(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            source TEXT NOT NULL DEFAULT 'manual',
            PRIMARY KEY (transaction_id, tag_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE budgets (
            category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
            month TEXT NOT NULL,
            amount_minor INTEGER NOT NULL,
            currency TEXT NOT NULL,
            PRIMARY KEY (category_id, currency, month)
        ) WITHOUT ROWID""",
        # ECB reference rates: units of `currency` per euro, kept as exact decimal text
        """CREATE TABLE exchange_rates (
            day TEXT NOT NULL, currency TEXT NOT NULL, per_eur TEXT NOT NULL, PRIMARY KEY (currency, day)
        ) WITHOUT ROWID""",
        "ALTER TABLE accounts ADD COLUMN display_name TEXT",
        "ALTER TABLE accounts ADD COLUMN account_type TEXT",
        "ALTER TABLE accounts ADD COLUMN group_name TEXT",
        "ALTER TABLE accounts ADD COLUMN position INTEGER",
        """CREATE TABLE undo_log (
            id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, action TEXT NOT NULL, payload TEXT NOT NULL
        )""",
    )
    for sql in statements:
        db.execute(sql)
    for top, (code, name, kind, children) in enumerate(_V4_CATEGORIES):
        cur = db.execute(
            "INSERT INTO categories (code, name, kind, position) VALUES (?, ?, ?, ?)", (code, name, kind, top)
        )
        for position, child in enumerate(children):
            db.execute(
                "INSERT INTO categories (parent_id, name, kind, position) VALUES (?, ?, ?, ?)",
                (cur.lastrowid, child, kind, position),
            )


def _v7_application_id(db: sqlite_utils.Database) -> None:  # how a later Saldo tells its cache from others
    from desktop_app.core.store.safety import APPLICATION_ID

    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _v8_sort_indexes(db: sqlite_utils.Database) -> None:  # the table sorts by amount or counterparty fast
    db.execute(SECONDARY_INDEXES["tx_amount"])
    db.execute(SECONDARY_INDEXES["tx_counterparty"])


def _v9_bank_directory(db: sqlite_utils.Database) -> None:
    """Enable Banking's list of banks per country, kept for browsing offline (public data, no secret)."""
    db.execute(
        """CREATE TABLE aspsp_cache (
            country TEXT NOT NULL, name TEXT NOT NULL, record TEXT NOT NULL, fetched_at TEXT NOT NULL,
            PRIMARY KEY (country, name)
        ) WITHOUT ROWID"""
    )


STEPS: tuple[Step, ...] = (
    _v1_core_tables,
    _v2_tombstones_and_withdrawals,
    _v3_search_and_series,
    _v4_endpoints,
    _v5_statement_imports,
    _v6_categories_rules_budgets,
    _v7_application_id,
    _v8_sort_indexes,
    _v9_bank_directory,
    summaries.create,
)
LATEST = len(STEPS)
