"""Saldo's SQLite cache: opening, migrations and the Store API."""

from desktop_app.core.errors import CorruptDatabaseError, DatabaseTooNewError, DiskFullError, StoreError
from desktop_app.core.store.rows import AccountBalance, Cursor, MonthTotals, TxFilter, UpsertResult
from desktop_app.core.store.store import Store

__all__ = [
    "AccountBalance",
    "CorruptDatabaseError",
    "Cursor",
    "DatabaseTooNewError",
    "DiskFullError",
    "MonthTotals",
    "Store",
    "StoreError",
    "TxFilter",
    "UpsertResult",
]
