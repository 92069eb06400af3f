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
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.core.errors import DatabaseTooNewError
from desktop_app.core.store.database import transaction
from desktop_app.core.store.driver import CacheKey, backup_into, sqlite
from desktop_app.core.store.schema import (
    FTS_TRIGGERS,
    INDEX_NEW_ROWS,
    LATEST,
    REBUILD_FTS,
    SECONDARY_INDEXES,
    SORT_KEY,
    STEPS,
)

__all__ = [
    "FTS_TRIGGERS",
    "INDEX_NEW_ROWS",
    "LATEST",
    "REBUILD_FTS",
    "SECONDARY_INDEXES",
    "SORT_KEY",
    "STEPS",
    "backup",
    "migrate",
    "user_version",
]

log = logging.getLogger(__name__)


def user_version(conn: sqlite.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def backup(conn: sqlite.Connection, path: Path, version: int, key: CacheKey | None = None) -> Path:
    """Copy the live database (consistently, WAL included) to a private file beside it, keyed alike."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    backup_into(conn, target, key)
    log.info("backed up schema v%d to %s", version, target)
    return target


def migrate(conn: sqlite.Connection, path: Path, target: int = LATEST, key: CacheKey | None = None) -> Path | None:
    """Bring the database up to `target`. Returns the backup made, if any."""
    current = user_version(conn)
    if current > LATEST:
        raise DatabaseTooNewError(
            f"{path} was written by a newer Saldo (schema {current}; this version knows up to {LATEST}). "
            "Update Saldo to open it; the file was left untouched."
        )
    if current >= target:
        return None
    made = backup(conn, path, current, key) if current > 0 else None
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for number in range(current + 1, target + 1):
        with transaction(conn, path):
            after = STEPS[number - 1](db)
            conn.execute(f"PRAGMA user_version = {number}")
        if after is not None:
            after()
        log.info("migrated %s to schema v%d", path.name, number)
    return made
