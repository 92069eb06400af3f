"""The part every piece of the store shares: one connection, one lock, atomic writes, and the
whole-file check that runs once before the first write of a session."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop_app.core.store import safety
from desktop_app.core.store.database import explain, transaction
from desktop_app.core.store.driver import CacheKey, sqlite


class StoreBase:
    """One SQLite connection shared by threads, serialized by a lock; WAL lets other readers in."""

    def __init__(self, conn: sqlite.Connection, path: Path, key: CacheKey | None = None) -> None:
        self._conn = conn
        self.path = path
        self.key = key
        self._lock = threading.RLock()
        self.backup_path: Path | None = None
        self.verified = True  # False: quick_check still to run before the first write

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

    @contextmanager
    def locked_connection(self) -> Iterator[sqlite.Connection]:
        """The connection with the store's lock held: for whole-file work (backup, rekey) in this package."""
        with self._lock:
            yield self._conn

    @contextmanager
    def _write(self, *, foreign_keys: bool = True) -> Iterator[sqlite.Connection]:
        """One write transaction with the store's lock held.

        ``foreign_keys=False`` is for a writer that only ever writes references it has just read
        from their tables (a rule run over a million rows): SQLite's per-row checks cost a third
        of its writing. The pragma has no effect inside a transaction, so it is switched around
        this one, under the lock (no one else uses the connection meanwhile).
        """
        self.verify()
        with self._lock:
            if not foreign_keys:
                self._conn.execute("PRAGMA foreign_keys = OFF")
            try:
                with transaction(self._conn, self.path) as conn:
                    yield conn
            finally:
                if not foreign_keys:
                    self._conn.execute("PRAGMA foreign_keys = ON")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite.Row]:
        with self._lock:
            try:
                cur = self._conn.execute(sql, params)
                cur.row_factory = sqlite.Row
                return cur.fetchall()
            except sqlite.Error as exc:
                raise explain(exc, self.path) from None
