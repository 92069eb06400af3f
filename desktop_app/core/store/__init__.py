"""Saldo's SQLite cache: opening, migrations and the Store API."""

from desktop_app.core.errors import (
    CacheLockedError,
    CorruptDatabaseError,
    DatabaseTooNewError,
    DiskFullError,
    ForeignDatabaseError,
    ReadOnlyDatabaseError,
    StoreError,
)
from desktop_app.core.store.rows import AccountBalance, Cursor, MonthTotals, TxFilter, UpsertResult
from desktop_app.core.store.store import Store

__all__ = [
    "AccountBalance",
    "CacheLockedError",
    "CorruptDatabaseError",
    "Cursor",
    "DatabaseTooNewError",
    "DiskFullError",
    "ForeignDatabaseError",
    "MonthTotals",
    "ReadOnlyDatabaseError",
    "Store",
    "StoreError",
    "TxFilter",
    "UpsertResult",
]
