"""What every provider's data adapter gives the sync engine, in Saldo's exact types.

An adapter reads one provider's accounts, balances and transactions with that provider's own
pagination and maps each record to a ``RemoteTransaction``. A record it cannot read becomes
a ``Problem`` in the page and the rest of the page goes on: one bad record never costs the
others.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from desktop_app.core.api import ApiClient
from desktop_app.core.errors import MalformedResponse, MoneyError
from desktop_app.core.models import BalanceKind, TransactionStatus
from desktop_app.core.money import Money, parse_money


@dataclass(frozen=True, slots=True)
class RemoteAccount:
    provider_account_id: str
    name: str
    currency: str
    iban: str | None = None
    kind: str | None = None
    owner: str | None = None
    # Whatever the adapter needs to call this account's endpoints again (an IBAN, an href).
    handle: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteBalance:
    kind: BalanceKind
    amount: Money
    as_of: datetime | None = None


@dataclass(frozen=True, slots=True)
class RemoteTransaction:
    """A transaction as read from the provider, before it is tied to a cached account."""

    status: TransactionStatus
    booking_date: date
    amount: Money
    description: str
    raw: str
    provider_id: str | None = None
    counterparty: str | None = None
    value_date: date | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A record the adapter skipped, and why (shown in the sync report; never contains secrets)."""

    reason: str
    record_ref: str = ""


@dataclass(slots=True)
class TxPage:
    transactions: list[RemoteTransaction]
    problems: list[Problem] = field(default_factory=list)


class DataAdapter(Protocol):
    """One provider's data API. Adapters hold no state between calls but the ApiClient."""

    def accounts(self, api: ApiClient) -> list[RemoteAccount]: ...

    def balances(self, api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]: ...

    def transactions(self, api: ApiClient, account: RemoteAccount, since: date | None) -> Iterator[TxPage]: ...


# -- helpers shared by the adapters ---------------------------------------------------------


class RecordError(ValueError):
    """A single provider record is unusable; the adapter turns it into a Problem."""


def need(record: Mapping[str, Any], key: str) -> Any:
    value = record.get(key)
    if value is None or value == "":
        raise RecordError(f"missing {key}")
    return value


def text(record: Mapping[str, Any], *keys: str) -> str | None:
    """The first of `keys` that holds a non-empty string (nested with dots: ``detail.message``)."""
    for key in keys:
        value: Any = record
        for part in key.split(".") if "." in key else (key,):
            # a parsed record is a dict: checked first, as the ABC check costs ten times more
            value = value.get(part) if type(value) is dict or isinstance(value, Mapping) else None
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def day(value: Any, what: str = "date") -> date:
    """A calendar day from ``2026-03-07``, ``2026-03-07T04:42:18.27+01:00`` or ``…Z``."""
    if not isinstance(value, str) or len(value) < 10:
        raise RecordError(f"bad {what}: {str(value)[:40]!r}")
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise RecordError(f"bad {what}: {value[:40]!r}") from None


def optional_day(value: Any) -> date | None:
    return day(value) if isinstance(value, str) and value else None


def money(value: Any, currency: str | None = None) -> Money:
    try:
        return parse_money(value, currency)
    except MoneyError as exc:
        raise RecordError(str(exc)) from None


def moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed


def as_list(body: Any, key: str, what: str, provider: str) -> list[Any]:
    """`body[key]` as a list, or a MalformedResponse naming what was expected."""
    value = body.get(key) if isinstance(body, Mapping) else None
    if not isinstance(value, list):
        raise MalformedResponse(f"{provider} sent {what} in a shape Saldo does not recognise.", provider)
    return value


def record_ref(record: Any) -> str:
    if isinstance(record, Mapping):
        for key in ("id", "transactionId", "TransactionId", "entryReference", "EntryReference"):
            if isinstance(record.get(key), str | int):
                return str(record[key])[:60]
    return ""
