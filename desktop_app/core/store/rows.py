"""Rows in and out of the cache: query types, SQL shared by the store's parts, and row converters."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from desktop_app.core.models import (
    Account,
    BalanceSnapshot,
    Connection,
    ConnectionStatus,
    Transaction,
    TransactionStatus,
)
from desktop_app.core.money import Money
from desktop_app.core.store.driver import sqlite

log = logging.getLogger(__name__)

# Importing more rows than this (or more than a quarter of what is stored) switches the FTS
# triggers off and rebuilds the search index once at the end: far faster than row by row.
BULK_THRESHOLD = 20_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def ts(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def parse_ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """An account with the latest balance the provider reported (None before the first sync)."""

    account: Account
    balance: Money | None
    as_of: datetime | None
    connection: Connection


@dataclass(frozen=True, slots=True)
class TxFilter:
    """What the transactions view asks for. Every field narrows; None means no constraint."""

    account_ids: tuple[int, ...] | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: TransactionStatus | None = None
    direction: str | None = None  # "in" or "out"
    search: str | None = None
    include_withdrawn: bool = True
    oldest_first: bool = False


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a newest-first page ended: the next page starts strictly after (date, id)."""

    date: str
    id: int


@dataclass(frozen=True, slots=True)
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    tombstoned: int = 0


@dataclass(frozen=True, slots=True)
class MonthTotals:
    month: str  # "YYYY-MM"
    currency: str
    money_in: Money
    money_out: Money


TX_COLUMNS = (
    "id, account_id, dedupe_key, provider_id, status, date, value_date, amount_minor, currency, "
    "description, counterparty, raw, withdrawn_at"
)
UPSERT_SQL = """
INSERT INTO transactions (account_id, dedupe_key, key_version, provider_id, status, date, value_date,
    amount_minor, currency, description, counterparty, raw, first_seen_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account_id, dedupe_key) DO UPDATE SET
    provider_id = excluded.provider_id, status = excluded.status, date = excluded.date,
    value_date = excluded.value_date, amount_minor = excluded.amount_minor, currency = excluded.currency,
    description = excluded.description, counterparty = excluded.counterparty, raw = excluded.raw,
    updated_at = excluded.updated_at, withdrawn_at = NULL
WHERE (provider_id, status, date, value_date, amount_minor, currency, description, counterparty, raw,
       withdrawn_at)
   IS NOT (excluded.provider_id, excluded.status, excluded.date, excluded.value_date, excluded.amount_minor,
       excluded.currency, excluded.description, excluded.counterparty, excluded.raw, NULL)
"""
# The same upsert for a whole page in one statement: the rows arrive as one JSON array that
# SQLite unpacks itself (``writes.upsert_rows``).
UPSERT_JSON_SQL = UPSERT_SQL.replace(
    "VALUES (" + ", ".join("?" * 14) + ")",
    "SELECT " + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(14)) + " FROM json_each(?) WHERE true",
)
_TOKEN = re.compile(r"\w+", re.UNICODE)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def sort_key(day: str, transaction_id: int) -> int:
    """The search index's rowid for a transaction: days since 1970 in the high bits, id low."""
    return (date.fromisoformat(day).toordinal() - _EPOCH_ORDINAL) * 4294967296 + transaction_id


def fts_query(text: str) -> str | None:
    """Turn what the user typed into a safe FTS5 query: every word, as a prefix, all required."""
    words = _TOKEN.findall(text)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


def add_results(a: UpsertResult, b: UpsertResult) -> UpsertResult:
    return UpsertResult(a.new + b.new, a.updated + b.updated, a.unchanged + b.unchanged, a.tombstoned + b.tombstoned)


def as_dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def day_text(days: dict[date, str], day: date | None) -> str | None:
    """`day` as ISO text, each day written once for a caller that writes many rows (`days`)."""
    if day is None:
        return None
    return days.get(day) or days.setdefault(day, day.isoformat())


def tx_row(t: Transaction, now: str | None, days: dict[date, str] | None = None) -> tuple[Any, ...]:
    """The UPSERT_SQL parameters of `t`. `days`: ISO texts of days already written, for a caller
    writing many rows: a page's rows share a few days, and writing each once halves the cost of a row."""
    key_version = int(t.dedupe_key[2:].split(":", 1)[0]) if t.dedupe_key.startswith("fp") else 0
    days = {} if days is None else days
    written, valued = day_text(days, t.booking_date), day_text(days, t.value_date)
    return (
        t.account_id,
        t.dedupe_key,
        key_version,
        t.provider_id,
        str.__str__(t.status),  # the status is a StrEnum: its text, without the enum's own lookup
        written,
        valued,
        t.amount.minor_units,
        t.amount.currency,
        t.description,
        t.counterparty,
        t.raw,
        now,
        now,
    )


def where_clause(filt: TxFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if filt.account_ids is not None:
        where.append(f"t.account_id IN ({', '.join('?' * len(filt.account_ids))})" if filt.account_ids else "0")
        params += list(filt.account_ids)
    if filt.date_from is not None:
        where.append("t.date >= ?")
        params.append(filt.date_from.isoformat())
    if filt.date_to is not None:
        where.append("t.date <= ?")
        params.append(filt.date_to.isoformat())
    if filt.status is not None:
        where.append("t.status = ?")
        params.append(filt.status.value)
    if filt.direction == "in":
        where.append("t.amount_minor > 0")
    elif filt.direction == "out":
        where.append("t.amount_minor < 0")
    if not filt.include_withdrawn:
        where.append("t.withdrawn_at IS NULL")
    return where, params


def connection_from_row(r: sqlite.Row) -> Connection:
    return Connection(
        id=r["id"],
        provider=r["provider"],
        label=r["label"],
        status=ConnectionStatus(r["status"]),
        scopes=tuple(json.loads(r["scopes"] or "[]")),
        consent_id=r["consent_id"],
        consent_expires_at=parse_ts(r["consent_expires_at"]),
        one_time=bool(r["one_time"]),
        created_at=parse_ts(r["created_at"]),
        last_synced_at=parse_ts(r["last_synced_at"]),
        next_sync_allowed_at=parse_ts(r["next_sync_allowed_at"]),
    )


def account_from_row(r: sqlite.Row) -> Account:
    return Account(
        connection_id=r["connection_id"],
        provider_account_id=r["provider_account_id"],
        name=r["name"],
        currency=r["currency"],
        iban=r["iban"],
        kind=r["kind"],
        owner=r["owner"],
        hidden=bool(r["hidden"]),
        id=r["id"],
    )


def transaction_from_row(r: sqlite.Row) -> Transaction:
    return Transaction(
        account_id=r["account_id"],
        dedupe_key=r["dedupe_key"],
        status=TransactionStatus(r["status"]),
        booking_date=date.fromisoformat(r["date"]),
        amount=Money.from_minor(r["amount_minor"], r["currency"]),
        description=r["description"],
        counterparty=r["counterparty"],
        value_date=date.fromisoformat(r["value_date"]) if r["value_date"] else None,
        provider_id=r["provider_id"],
        raw=r["raw"],
        id=r["id"],
        withdrawn=r["withdrawn_at"] is not None,
    )


def insert_balance(conn: sqlite.Connection, snapshot: BalanceSnapshot) -> None:
    """Record a balance inside an open transaction (the statement importer shares this)."""
    conn.execute(
        """INSERT INTO balances (account_id, kind, amount_minor, currency, as_of) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (account_id, kind, as_of) DO UPDATE SET amount_minor = excluded.amount_minor,
               currency = excluded.currency""",
        (
            snapshot.account_id,
            snapshot.kind.value,
            snapshot.amount.minor_units,
            snapshot.amount.currency,
            ts(snapshot.as_of),
        ),
    )
