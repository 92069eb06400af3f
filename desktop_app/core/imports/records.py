"""What every statement reader produces: a statement per account, with exact entries and balances.

A reader turns one file into ``Statement`` objects. Each entry is a ``RemoteTransaction`` (the
very record a provider sync produces) plus the bank's own reference when the file has one, so
the importer can give both the same dedupe treatment as a sync. Readers never touch the cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from desktop_app.core.errors import MoneyError, StatementError
from desktop_app.core.models import raw_json
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


@dataclass(frozen=True, slots=True)
class Entry:
    """One movement in a statement: the sync record plus what the file says about its identity."""

    tx: RemoteTransaction
    bank_ref: str | None = None  # FITID, AcctSvcrRef, MT940 //bank reference, a CSV id column
    line: int | None = None


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


def plain_money(text: str, currency: str | None, negate: bool = False) -> Money | None:
    """Money straight from integer minor units for a plain amount (an optional minus, digits, at
    most one point and no more decimals than the currency has), `negate`d when asked; None for
    anything else, which ``to_money(parse_amount(…))`` judges. Readers call this per entry."""
    places = CURRENCY_EXPONENTS.get(currency or "")
    if places is None or len(text) > 16 or not text.isascii() or text.endswith("."):
        return None
    if text.startswith("-"):
        text, negate = text[1:], not negate
    whole, _, fraction = text.partition(".")
    if len(fraction) > places or not (whole + fraction).isdigit():
        return None
    minor = int(whole + fraction.ljust(places, "0"))
    return Money.from_minor(-minor if negate else minor, currency or "")


_JSON_ESCAPES = re.compile(r'[\x00-\x1f"\\]')  # what JSON must escape; raw_json leaves the rest as is


def flat_json(record: dict[str, str | None]) -> str:
    """``raw_json`` of a flat record of texts, written directly when nothing needs escaping
    (the encoder costs as much as the rest of reading an entry)."""
    keys = sorted(record)
    values = [record[k] for k in keys]
    if _JSON_ESCAPES.search("".join(keys) + "".join([v for v in values if v])):
        return raw_json(record)
    pairs = [f'"{k}":"{v}"' if v is not None else f'"{k}":null' for k, v in zip(keys, values, strict=True)]
    return "{" + ",".join(pairs) + "}"
