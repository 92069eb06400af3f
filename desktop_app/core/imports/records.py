"""What every statement reader produces: a statement per account, with exact entries and balances.

A reader turns one file into ``Statement`` objects. Each entry is a ``RemoteTransaction`` (the
very record a provider sync produces) plus the bank's own reference when the file has one, so
the importer can give both the same dedupe treatment as a sync. Readers never touch the cache.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from desktop_app.core.errors import MoneyError, StatementError
from desktop_app.core.models import TransactionStatus, raw_json
from desktop_app.core.money import CURRENCY_EXPONENTS, Money, parse_decimal
from desktop_app.core.providers.base import RemoteTransaction

# Oldest and newest day a statement may carry; anything outside is a misread date, not history.
MIN_DAY = date(1970, 1, 1)
MAX_DAY = date(2100, 12, 31)


@dataclass(frozen=True, slots=True)
class StatementAccount:
    """The account a statement is about, as the file identifies it."""

    account_id: str  # ACCTID, IBAN, :25: value, or what the person typed for QIF/CSV
    currency: str | None
    institution: str | None = None  # BANKID / FID / BIC, when the file names one
    iban: str | None = None
    kind: str | None = None  # checking, savings, creditcard, …
    name: str | None = None

    @property
    def source_key(self) -> str:
        """How the next file of this account is recognised (institution and account id)."""
        return f"{self.institution or ''}|{self.account_id}"


@dataclass(frozen=True, slots=True)
class StatementBalance:
    amount: Decimal
    day: date | None


class Entry:
    """One movement in a statement: the sync record plus what the file says about its identity.

    ``tx`` is the very record a provider sync produces. Readers of large files build entries
    with ``Entry.of`` from the record's fields instead: the importer stores those directly, and
    the record (its Money, and for camt its raw JSON) is only made when someone asks for ``tx``,
    which keeps a 100k-entry file to about half the memory and time. `bank_ref` is the file's
    own id of the entry (FITID, AcctSvcrRef, MT940 //bank reference, a CSV id column).
    """

    __slots__ = (
        "_raw",
        "_tx",
        "bank_ref",
        "counterparty",
        "currency",
        "day",
        "description",
        "line",
        "minor",
        "provider_id",
        "status",
        "value_date",
    )

    def __init__(self, tx: RemoteTransaction, bank_ref: str | None = None, line: int | None = None) -> None:
        self._tx: RemoteTransaction | None = tx
        self._raw: str | tuple[Callable[..., str], tuple[object, ...]] = tx.raw
        self.status, self.day, self.description = tx.status, tx.booking_date, tx.description
        self.minor, self.currency = tx.amount.minor_units, tx.amount.currency
        self.counterparty, self.value_date, self.provider_id = tx.counterparty, tx.value_date, tx.provider_id
        self.bank_ref, self.line = bank_ref, line

    @classmethod
    def of(
        cls,
        fields: tuple[TransactionStatus, date, int, str, str, str | None, date | None, str | None],
        raw: str | tuple[Callable[..., str], tuple[object, ...]],
        bank_ref: str | None = None,
    ) -> Entry:
        """An entry from (status, day, minor units, currency, description, counterparty, value
        day, provider id); `raw` is the record's JSON, or a function and its arguments making it."""
        entry = cls.__new__(cls)
        entry.status, entry.day, entry.minor, entry.currency, entry.description = fields[:5]
        entry.counterparty, entry.value_date, entry.provider_id = fields[5:]
        entry._raw, entry._tx, entry.bank_ref, entry.line = raw, None, bank_ref, None
        return entry

    @property
    def raw(self) -> str:
        """The record as JSON text (``raw_json``), made now when the reader deferred it."""
        if isinstance(self._raw, str):
            return self._raw
        make, args = self._raw
        return make(*args)

    @property
    def tx(self) -> RemoteTransaction:
        if self._tx is None:
            self._tx = RemoteTransaction(
                self.status,
                self.day,
                Money.from_minor(self.minor, self.currency),
                self.description,
                self.raw,
                self.provider_id,
                self.counterparty,
                self.value_date,
            )
        return self._tx

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return (self.tx, self.bank_ref, self.line) == (other.tx, other.bank_ref, other.line)

    def __hash__(self) -> int:
        return hash((self.provider_id, self.day, self.minor, self.bank_ref))

    def __repr__(self) -> str:
        return f"Entry({self.tx!r}, bank_ref={self.bank_ref!r}, line={self.line!r})"


@dataclass(slots=True)
class Statement:
    """One account's part of a file. Balances are signed decimals in the account's currency."""

    account: StatementAccount
    entries: list[Entry] = field(default_factory=list)
    opening: StatementBalance | None = None
    closing: StatementBalance | None = None
    closing_available: StatementBalance | None = None
    warnings: list[str] = field(default_factory=list)


def check_day(day: date, where: int | None = None) -> date:
    """Refuse dates outside 1970–2100 (a misread format, not real history)."""
    if not MIN_DAY <= day <= MAX_DAY:
        raise StatementError(f"date {day.isoformat()} is out of range (1970–2100)", line=where)
    return day


def clean(text: str | None) -> str:
    """Collapse runs of whitespace; banks pad fields and wrap lines."""
    return " ".join(text.split()) if text else ""


def to_money(amount: Decimal | str, currency: str | None, line: int | None = None) -> Money:
    """Exact Money, or a StatementError naming the line (unknown currency, too many decimals)."""
    if not currency:
        raise StatementError("no currency is given for this amount", line=line)
    try:
        return Money(parse_decimal(amount), currency.strip().upper())
    except MoneyError as exc:
        raise StatementError(str(exc), line=line) from None


def parse_amount(text: str, line: int | None = None) -> Decimal:
    """A plain statement amount: optional sign, digits, one decimal mark (point or comma)."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if cleaned.endswith("."):
        cleaned += "0"
    try:
        return parse_decimal(cleaned)
    except MoneyError:
        raise StatementError(f"not an amount: {text.strip()[:40]!r}", line=line) from None


def make_day(year: int, month: int, day: int, line: int | None = None) -> date:
    try:
        return check_day(date(year, month, day), line)
    except ValueError:
        raise StatementError(f"not a valid date: {year:04d}-{month:02d}-{day:02d}", line=line) from None


def plain_minor(text: str, currency: str | None, negate: bool = False) -> int | None:
    """The minor units of a plain amount (an optional minus, digits, at most one point and no
    more decimals than the currency has), `negate`d when asked; None for anything else, which
    ``to_money(parse_amount(…))`` judges. Readers call this per entry: it is exact and cheap."""
    places = CURRENCY_EXPONENTS.get(currency or "")
    if places is None or len(text) > 16 or not text.isascii() or text.endswith("."):
        return None
    if text.startswith("-"):
        text, negate = text[1:], not negate
    whole, _, fraction = text.partition(".")
    if len(fraction) > places or not (whole + fraction).isdigit():
        return None
    minor = int(whole + fraction.ljust(places, "0"))
    return -minor if negate else minor


_JSON_ESCAPES = re.compile(r'[\x00-\x1f"\\]')  # what JSON must escape; raw_json leaves the rest as is


def needs_escaping(text: str) -> bool:
    """Whether JSON would escape anything in `text` (quotes, backslashes, control characters)."""
    return '"' in text or "\\" in text or (not text.isprintable() and _JSON_ESCAPES.search(text) is not None)


def flat_json(record: dict[str, str | None]) -> str:
    """``raw_json`` of a flat record of texts, written directly when nothing needs escaping
    (the encoder costs as much as the rest of reading an entry)."""
    keys = sorted(record)
    if needs_escaping("".join(keys) + "".join([v for v in record.values() if v])):
        return raw_json(record)
    return "{" + ",".join([f'"{k}":"{record[k]}"' if record[k] is not None else f'"{k}":null' for k in keys]) + "}"


_SLICE = 2000  # items freed at a time: about 2 ms


def let_go(items: list[Any]) -> None:
    """Empty `items` a slice at a time.

    Freeing 100k entries (or OFX nodes) at once holds the GIL for 50-100 ms in one step: on the
    GUI's worker, a freeze of the window. Between slices the window's thread gets its turn.
    """
    while items:
        del items[-_SLICE:]
