"""Opening the cache database safely: private file, WAL, refuse what we cannot read.

Nothing here ever rewrites, truncates or recreates a file it does not understand. A file that
is not a SQLite database, or one written by a newer Saldo, is reported and left exactly as
it was, byte for byte (the read-only checks are in ``safety``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop_app.core.errors import (
    CorruptDatabaseError,
    DiskFullError,
    ReadOnlyDatabaseError,
    StoreError,
)
from desktop_app.core.store.driver import PAGE_SIZE, CacheKey, apply_key, sqlite

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
CACHE_KIB = 65536


_PRIMARY_MESSAGES = {
    sqlite.SQLITE_FULL: "The disk is full{where}; nothing from this step was saved. Free some space and retry.",
    sqlite.SQLITE_CORRUPT: "The database file is damaged{where}. It was left untouched.",
    sqlite.SQLITE_NOTADB: "The database file is damaged{where}. It was left untouched.",
    sqlite.SQLITE_READONLY: "The database cannot be written{where}: check the file's permissions.",
    sqlite.SQLITE_BUSY: "The database is busy{where}: is another Saldo running?",
    sqlite.SQLITE_LOCKED: "The database is busy{where}: is another Saldo running?",
    sqlite.SQLITE_IOERR: "The database could not be read or written{where}: the disk reported an error.",
    sqlite.SQLITE_CANTOPEN: "The database cannot be opened{where}: check the folder and its permissions.",
    sqlite.SQLITE_PERM: "The database cannot be opened{where}: permission denied.",
    sqlite.SQLITE_NOMEM: "Saldo ran out of memory working on the database{where}.",
}
_CLASSES: dict[int, type[StoreError]] = {
    sqlite.SQLITE_FULL: DiskFullError,
    sqlite.SQLITE_CORRUPT: CorruptDatabaseError,
    sqlite.SQLITE_NOTADB: CorruptDatabaseError,
    sqlite.SQLITE_READONLY: ReadOnlyDatabaseError,
}


def explain(exc: sqlite.Error, path: Path | None = None) -> Exception:
    """A StoreError a person can act on for a problem of the environment (by SQLite's result
    code, never by matching message text); anything else is a bug in Saldo and stays itself."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return exc
    primary = code & 0xFF  # extended result codes keep the primary code in the low byte
    template = _PRIMARY_MESSAGES.get(primary)
    if template is None:
        return exc
    where = f" ({path})" if path else ""
    return _CLASSES.get(primary, StoreError)(template.format(where=where))


def create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def connect(path: Path, key: CacheKey | None = None) -> sqlite.Connection:
    """Open (creating if missing) the database at `path` in WAL mode, explicit transactions.

    With a key the file is (or becomes) a SQLCipher database; call only after ``safety.probe``
    has accepted an existing file.
    """
    new = not path.exists()
    if new:
        create_private(path)
    conn = sqlite.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        apply_key(conn, key)
        if new and key is None:
            # Larger pages cut B-tree depth and per-page work for bulk imports by about a fifth.
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA temp_store=MEMORY")
        # 64 MiB of decoded pages (SQLite's default is 2 MiB). Pages are only read from this cache
        # without work; a miss costs a decryption plus HMAC check in an encrypted cache.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except sqlite.Error as exc:
        conn.close()
        raise explain(exc, path) from None
    return conn


@contextmanager
def transaction(conn: sqlite.Connection, path: Path | None = None) -> Iterator[sqlite.Connection]:
    """One atomic step: BEGIN IMMEDIATE … COMMIT, or ROLLBACK and a StoreError."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite.Error as exc:
        raise explain(exc, path) from None
    try:
        yield conn
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite.Error):
            raise explain(exc, path) from None
        raise
    try:
        conn.execute("COMMIT")
    except sqlite.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise explain(exc, path) from None
