"""Long runs of writes (rules over a whole cache) without a commit that stalls on a checkpoint.

In WAL mode the commit that takes the log past its limit (1000 pages) also copies the log back
into the database file, holding the store's lock while it does: tens to hundreds of
milliseconds, longer still when the disk syncs. For a run that rewrites most of the table,
``checkpoints_aside`` turns that off on the store's connection and lets a second connection,
on its own thread, copy the log back after each commit instead. A passive checkpoint takes no
write lock, so neither the run's next commit nor the app's readers wait for it; it runs in
SQLite's C code, so it overlaps the run's Python work on another core.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from desktop_app.core.errors import StoreError
from desktop_app.core.store.base import StoreBase
from desktop_app.core.store.database import connect
from desktop_app.core.store.driver import sqlite

log = logging.getLogger(__name__)


@contextmanager
def checkpoints_aside(store: StoreBase, wanted: bool = True) -> Iterator[Callable[[], None]]:
    """Yields a function to call after each commit of the run; the log is copied back meanwhile
    and once more at the end. Without a second connection (the file cannot be opened twice),
    or when not `wanted` (a short run), the store checkpoints as usual."""
    if not wanted:
        yield lambda: None
        return
    try:
        side = connect(store.path, store.key)
    except (StoreError, sqlite.Error, OSError) as exc:  # this only costs speed
        log.info("checkpoints stay with the writer: %s", exc)
        yield lambda: None
        return
    wake = threading.Event()
    stop = threading.Event()

    def copy_back() -> None:
        while not stop.is_set():
            wake.wait()
            wake.clear()
            try:
                side.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite.Error as exc:  # the writer's own checkpoints take over again at the end
                log.info("side checkpoint failed: %s", exc)
                return

    with store.locked_connection() as conn:
        previous = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        conn.execute("PRAGMA wal_autocheckpoint = 0")
    worker = threading.Thread(target=copy_back, name="saldo-checkpoint", daemon=True)
    worker.start()
    try:
        yield wake.set
    finally:
        stop.set()
        wake.set()
        worker.join()
        try:
            side.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # what the last commits wrote
        except sqlite.Error as exc:
            log.info("side checkpoint failed: %s", exc)
        side.close()
        with store.locked_connection() as conn:
            conn.execute(f"PRAGMA wal_autocheckpoint = {previous}")
