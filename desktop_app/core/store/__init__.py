"""Saldo's SQLite cache: opening, migrations and the Store API."""

from desktop_app.core.store.database import (
    CacheLockedError,
    CorruptDatabaseError,
    DatabaseTooNewError,
    DiskFullError,
    ForeignDatabaseError,
    ReadOnlyDatabaseError,
    StoreError,
)
from desktop_app.core.store.store import AccountBalance, Cursor, MonthTotals, Store, TxFilter, UpsertResult

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
