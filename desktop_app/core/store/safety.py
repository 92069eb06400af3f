"""Deciding, without writing one byte, whether a file is a Saldo cache this Saldo may open.

Everything here reads only: the file's type and mode through ``stat``, its first bytes, and then
a read-only SQLite connection (``immutable`` when no write-ahead log exists, so SQLite creates no
side files either). Saldo recognises its own database by ``PRAGMA application_id`` (set by the
fourth migration) or, for caches older than that, by its tables plus a positive
``user_version``. Anything else is refused before a read-write connection could switch it to
WAL, migrate it or log a sync into it.
"""

from __future__ import annotations

import enum
import os
import stat
from pathlib import Path
from urllib.parse import quote

from desktop_app.core.errors import (
    CacheLockedError,
    CorruptDatabaseError,
    DatabaseTooNewError,
    ForeignDatabaseError,
    ReadOnlyDatabaseError,
    StoreError,
)
from desktop_app.core.store.database import SQLITE_HEADER, explain
from desktop_app.core.store.driver import CacheKey, apply_key, sqlite

APPLICATION_ID = 0x53414C44  # "SALD"
# The tables every Saldo cache has had since the first schema.
SALDO_TABLES = frozenset({"connections", "accounts", "balances", "transactions", "sync_runs"})
_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


class FileState(enum.Enum):
    MISSING = "missing"
    EMPTY = "empty"  # zero bytes: Saldo may create its schema in it
    PLAIN = "plain"  # a SQLite header in clear
    ENCRYPTED = "encrypted"  # no SQLite header: SQLCipher (or not a database at all)


def examine(path: Path) -> FileState:
    """Classify the file at `path` by stat and its first 16 bytes; refuse what is not a regular file."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return FileState.MISSING
    except OSError as exc:
        raise StoreError(f"Cannot read the database {path}: {exc.strerror}.") from None
    if stat.S_ISLNK(info.st_mode):
        try:
            info = os.stat(path)
        except OSError:
            raise StoreError(
                f"{path} is a symbolic link to a file that does not exist. Saldo left it as it is; "
                "remove the link or point it at your cache."
            ) from None
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise StoreError(f"{path} is {kind}, not a database file. Saldo left it as it is; move it away.")
    # Root may write through any mode: the owner's write bit is what says "read-only" here.
    if not info.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise ReadOnlyDatabaseError(
            f"{path} is read-only, and Saldo needs to write its cache. It was left as it is; "
            f"make it writable (chmod u+w) to use it."
        )
    if info.st_size == 0:
        return FileState.EMPTY
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            header = os.read(fd, len(SQLITE_HEADER))
        finally:
            os.close(fd)
    except OSError as exc:
        raise StoreError(f"Cannot read the database {path}: {exc.strerror}.") from None
    if header == SQLITE_HEADER:
        return FileState.PLAIN
    if info.st_size % 512 or info.st_size < 1024:
        # SQLCipher files are whole pages: this cannot be one.
        raise CorruptDatabaseError(
            f"{path} is not a Saldo database (or it is damaged). It was left untouched; "
            "move it away to start with an empty cache."
        )
    return FileState.ENCRYPTED


def read_only_uri(path: Path) -> str:
    """A URI that cannot write: immutable (no locks, no side files) unless a WAL holds recent commits."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    return uri if wal.exists() else uri + "&immutable=1"


def probe(path: Path, key: CacheKey | None, *, latest: int, verify: bool) -> int:
    """Check, read-only, that `path` is a Saldo cache this version may open; returns its schema version.

    With `verify` (and always before a migration would write) the whole file is checked with
    ``PRAGMA quick_check``.
    """
    conn = sqlite.connect(read_only_uri(path), uri=True, check_same_thread=False)
    try:
        apply_key(conn, key)
        try:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        except sqlite.DatabaseError as exc:
            if key is not None and getattr(exc, "sqlite_errorcode", None) == sqlite.SQLITE_NOTADB:
                # SQLCipher cannot tell a wrong key from a damaged first page: the caller words it.
                raise CacheLockedError(f"The key does not open {path}.") from None
            raise
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        _recognise(path, app_id, version, tables, latest)
        if verify or 0 < version < latest:
            check_whole_file(conn, path)
        return version
    except sqlite.Error as exc:
        raise explain(exc, path) from None
    finally:
        conn.close()


def check_whole_file(conn: sqlite.Connection, path: Path) -> None:
    """``PRAGMA quick_check``; a damaged file raises CorruptDatabaseError naming its first problem."""
    rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)")]
    if rows == ["ok"]:
        return
    lines = [line for row in rows for line in row.splitlines()]
    problem = next((line for line in lines if not line.startswith("***")), lines[0])
    raise CorruptDatabaseError(
        f"The database file {path} is damaged ({problem}). It was left untouched; "
        "restore a backup (saldo restore FILE) or move it away."
    )


def _recognise(path: Path, app_id: int, version: int, tables: set[str], latest: int) -> None:
    if app_id not in (0, APPLICATION_ID):
        raise ForeignDatabaseError(
            f"{path} belongs to another application (application id {app_id:#x}), not Saldo. "
            "It was left untouched; move it away or choose another --data-dir."
        )
    if version < 0:
        raise ForeignDatabaseError(
            f"{path} has a negative schema version ({version}): it is not a Saldo database. It was left untouched."
        )
    if version > latest:
        raise DatabaseTooNewError(
            f"{path} was written by a newer Saldo (schema {version}; this version knows up to {latest}). "
            "Update Saldo to open it; the file was left untouched."
        )
    if app_id == APPLICATION_ID or (version == 0 and not tables):
        return
    if version > 0 and SALDO_TABLES <= tables:
        return  # a Saldo cache from before the application id
    clash = sorted(SALDO_TABLES & tables)
    if clash:
        raise ForeignDatabaseError(
            f"{path} is not a Saldo database but has tables Saldo uses ({', '.join(clash)}). "
            "It was left untouched; move it away or choose another --data-dir."
        )
    raise ForeignDatabaseError(
        f"{path} is another application's database, not Saldo's. It was left untouched; "
        "move it away or choose another --data-dir."
    )
