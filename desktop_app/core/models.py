"""Saldo's domain types: what a connection, an account, a balance and a transaction are.

These are plain frozen dataclasses shared by the connectors, the sync engine, the cache and
the views. Amounts are always ``Money``; timestamps are timezone-aware UTC ``datetime``s;
calendar days are ``date``s.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from desktop_app.core.money import DecimalEncoder, Money, loads


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_RECONSENT = "needs_reconsent"
    EXPIRED = "expired"
    DISCONNECTED = "disconnected"


class SyncStatus(StrEnum):
    """The outcome of one sync of one connection."""

    OK = "ok"
    PARTIAL = "partial"  # some records could not be read and were skipped
    NEEDS_RECONSENT = "needs_reconsent"
    RATE_LIMITED = "rate_limited"
    OFFLINE = "offline"  # the provider could not be reached at all
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def ok(self) -> bool:
        return self in (SyncStatus.OK, SyncStatus.PARTIAL)


class TransactionStatus(StrEnum):
    BOOKED = "booked"
    PENDING = "pending"


class BalanceKind(StrEnum):
    BOOKED = "booked"
    AVAILABLE = "available"


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where one connection's provider answers (production, or a simulator in development)."""

    authorize: str
    token: str
    api: str
    revoke: str | None = None


@dataclass(frozen=True, slots=True)
class Connection:
    """One consent a person gave one provider. Tokens live in the vault, never here."""

    id: str
    provider: str
    label: str
    status: ConnectionStatus = ConnectionStatus.ACTIVE
    scopes: tuple[str, ...] = ()
    consent_id: str | None = None
    consent_expires_at: datetime | None = None
    one_time: bool = False
    created_at: datetime | None = None
    last_synced_at: datetime | None = None
    next_sync_allowed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """An account as the provider presents it. `id` is Saldo's, assigned by the cache."""

    connection_id: str
    provider_account_id: str
    name: str
    currency: str
    iban: str | None = None
    kind: str | None = None
    owner: str | None = None
    hidden: bool = False
    id: int | None = None


@dataclass(frozen=True, slots=True)
class BalanceSnapshot:
    """A balance the provider reported at a moment; kept separately from transactions."""

    account_id: int
    kind: BalanceKind
    amount: Money
    as_of: datetime


# Bump when the fingerprint recipe changes. Stored per row, so rows fingerprinted by an older
# recipe are matched by their stored key and never imported a second time.
FINGERPRINT_VERSION = 1


def fingerprint(account_ref: str, booking_date: date, amount: Money, description: str, occurrence: int = 0) -> str:
    """A stable key for a transaction the provider gives no id for.

    `occurrence` tells apart identical transactions on the same day (two coffees of the same
    price): the n-th identical one in a provider's listing gets n.
    """
    parts = [
        account_ref,
        booking_date.isoformat(),
        str(amount.minor_units),
        amount.currency,
        " ".join(description.split()).casefold(),
        str(occurrence),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"fp{FINGERPRINT_VERSION}:{digest}"


@dataclass(frozen=True, slots=True)
class Transaction:
    """One movement on an account, booked or pending.

    `dedupe_key` identifies it within its account: ``id:<provider id>`` when the provider
    gives an id, otherwise a versioned fingerprint (``fp1:…``). `raw` is the provider's own
    record as JSON text (see ``raw_json``), kept so nothing the bank said is ever lost.
    `booking_date` is the day the transaction is listed under: the booking date, or for a
    pending one the date the bank gives it.
    """

    account_id: int
    dedupe_key: str
    status: TransactionStatus
    booking_date: date
    amount: Money
    description: str = ""
    counterparty: str | None = None
    value_date: date | None = None
    provider_id: str | None = None
    raw: str | None = None
    id: int | None = None
    withdrawn: bool = False

    @staticmethod
    def key_for_id(provider_id: str) -> str:
        return f"id:{provider_id}"

    def raw_record(self) -> Any:
        """The provider's record parsed back, numbers as exact Decimals."""
        return loads(self.raw) if self.raw is not None else None


_RAW_ENCODER = DecimalEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)
# json.dumps makes its C encoder afresh for every call, a third of encoding a small record; a
# sync encodes every record it reads. Without tracking circular references (parsed JSON has
# none) the encoder keeps nothing between calls, so one serves every record.
_ENCODE = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, _RAW_ENCODER.default, encode_basestring, None, ":", ",", True, False, True)
)


def raw_json(record: Any) -> str:
    """A provider record as canonical JSON text, amounts exact (Decimals become strings)."""
    if _ENCODE is None:
        return _RAW_ENCODER.encode(record)
    return "".join(_ENCODE(record, 0))


@dataclass(frozen=True, slots=True)
class SyncRun:
    """The audit record of one sync of one connection."""

    connection_id: str
    started_at: datetime
    id: int | None = None
    finished_at: datetime | None = None
    status: str = "running"
    pages: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
