"""Opening the cache database safely: private file, WAL, refuse what we cannot read.

Nothing here ever rewrites, truncates or recreates a file it does not understand. A file that
is not a SQLite database, or one written by a newer Saldo, is reported and left exactly as
it was, byte for byte.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop_app.core.errors import SaldoError

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"


class StoreError(SaldoError):
    """The cache could not be read or written."""


class CorruptDatabaseError(StoreError):
    """The file is not a readable Saldo database. It has been left untouched."""


class DatabaseTooNewError(StoreError):
    """The database was written by a newer Saldo than this one."""


class DiskFullError(StoreError):
    """The disk (or the database's size limit) is full; the step was rolled back."""


def explain(exc: sqlite3.Error, path: Path | None = None) -> StoreError:
    """Turn a sqlite3 error into a StoreError a person can act on."""
    text = str(exc)
    where = f" ({path})" if path else ""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "full" in text:
        return DiskFullError(f"The disk is full{where}; nothing from this step was saved. Free some space and retry.")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return CorruptDatabaseError(f"The database file is damaged{where}: {text}. It was left untouched.")
    if code == sqlite3.SQLITE_READONLY or "readonly" in text:
        return StoreError(f"The database cannot be written{where}: check the file's permissions.")
    if code == sqlite3.SQLITE_BUSY or "locked" in text:
        return StoreError(f"The database is busy{where}: is another Saldo running?")
    return StoreError(f"Database error{where}: {text}")


def _create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def check_file(path: Path) -> None:
    """Refuse, without writing, a file that is not a SQLite database."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"Cannot read the database {path}: {exc.strerror}") from None
    if header and header != SQLITE_HEADER:
        raise CorruptDatabaseError(
            f"{path} is not a Saldo database (or it is damaged). It was left untouched; "
            "move it away to start with an empty cache."
        )


def read_user_version(path: Path) -> int:
    """Read PRAGMA user_version through a read-only connection (never writes the file)."""
    uri = f"file:{path.as_posix()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise explain(exc, path) from None
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        # Reading the schema proves the first pages are sound before anything writes.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return version
    except sqlite3.Error as exc:
        raise explain(exc, path) from None
    finally:
        conn.close()


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if missing) the database at `path` in WAL mode, explicit transactions."""
    new = not path.exists()
    if new:
        _create_private(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        if new:
            # Larger pages cut B-tree depth and per-page work for bulk imports by about a fifth.
            conn.execute("PRAGMA page_size=16384")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA temp_store=MEMORY")
    except sqlite3.Error as exc:
        conn.close()
        raise explain(exc, path) from None
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, path: Path | None = None) -> Iterator[sqlite3.Connection]:
    """One atomic step: BEGIN IMMEDIATE … COMMIT, or ROLLBACK and a StoreError."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise explain(exc, path) from None
    try:
        yield conn
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise explain(exc, path) from None
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise explain(exc, path) from None
