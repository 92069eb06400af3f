"""QIF (Quicken Interchange Format) bank, cash and credit-card sections.

QIF names no currency, no encoding, no ids and no date order. The currency comes from the
account the file is imported into. The date order is decided once for the whole file: an
``!Option:MDY``/``DMY`` line settles it, else any component above 12 does; when every date
reads both ways the caller must say (``AmbiguousDates`` lists an example).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from desktop_app.core.errors import StatementError
from desktop_app.core.imports.numbers import parse_number
from desktop_app.core.imports.records import Entry, Statement, StatementAccount, clean, make_day, to_money
from desktop_app.core.models import TransactionStatus, raw_json
from desktop_app.core.providers.base import RemoteTransaction

DATE_ORDERS = ("mdy", "dmy", "ymd")
_BANK_TYPES = {"bank", "ccard", "cash", "oth a", "oth l"}
_DATE = re.compile(r"^(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*['/.\-]\s*(\d{1,4})$")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_WORD_DATE = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{2,4})$")


class AmbiguousDates(StatementError):
    """Every date in the file reads as both day/month and month/day: the person must choose."""


@dataclass(slots=True)
class _Record:
    fields: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(slots=True)
class _Section:
    kind: str
    account: str | None
    records: list[_Record] = field(default_factory=list)


def _sections(text: str) -> tuple[list[_Section], str | None, list[str]]:
    sections: list[_Section] = []
    warnings: list[str] = []
    option: str | None = None
    account: str | None = None
    in_account_block = False
    current: _Section | None = None
    record = _Record()
    started = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("!"):
            started = True
            head = line[1:].strip().lower()
            if head.startswith("option:"):
                chosen = head.split(":", 1)[1].strip()
                option = chosen if chosen in DATE_ORDERS else option  # AutoSwitch is no date order
            elif head == "account":
                in_account_block, current = True, None
            elif head.startswith("type:"):
                kind = head.split(":", 1)[1].strip()
                in_account_block = False
                if kind in _BANK_TYPES:
                    current = _Section(kind, account)
                    sections.append(current)
                else:
                    if kind.startswith("invst"):
                        warnings.append("an investment section was skipped")
                    current = None
            elif head.startswith("clear:"):
                continue
            else:
                current = None
            record = _Record(line=number + 1)
            continue
        if not started:
            continue  # comments or junk before the first header are not QIF
        code, value = line[0], line[1:].strip()
        if code == "^":
            if current is not None and record.fields:
                current.records.append(record)
            record = _Record(line=number + 1)
            continue
        if in_account_block:
            if code == "N":
                account = value
            continue
        if code in "SE$" or code in record.fields:
            continue  # splits: the record's own T total is what the account saw
        record.fields[code] = value
    if current is not None and record.fields:
        current.records.append(record)
    return sections, option, warnings


def _components(text: str) -> tuple[int, int, int, bool] | None:
    """(first, second, third, apostrophe-year) of a numeric date, or None."""
    match = _DATE.match(text.replace(" ", "") if "'" in text else text)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3)), "'" in text


def decide_order(dates: list[str], option: str | None) -> str | None:
    """The date order the file's dates fit, or None when they fit several."""
    if option in DATE_ORDERS:
        return option
    parts = [c for c in (_components(d) for d in dates) if c is not None]
    if any(a > 31 for a, _b, _c, _q in parts):
        return "ymd"
    first_big = any(a > 12 for a, _b, _c, _q in parts)
    second_big = any(b > 12 for _a, b, _c, _q in parts)
    if first_big and second_big:
        raise StatementError("the dates mix day/month and month/day orders")
    if first_big:
        return "dmy"
    if second_big or all(a == b for a, b, _c, _q in parts):
        return "mdy"
    return None


def _year(value: int, apostrophe: bool) -> int:
    if value >= 100:
        return value
    return 2000 + value if apostrophe or value < 70 else 1900 + value


def parse_date(text: str, order: str, line: int) -> date:
    word = _WORD_DATE.match(text.strip())
    if word and word.group(2).lower() in _MONTHS:
        return make_day(_year(int(word.group(3)), False), _MONTHS[word.group(2).lower()], int(word.group(1)), line)
    parts = _components(text.strip())
    if parts is None:
        raise StatementError(f"not a date: {text.strip()[:30]!r}", line=line)
    a, b, c, apostrophe = parts
    if order == "ymd":
        return make_day(a, b, c, line)
    month, day = (a, b) if order == "mdy" else (b, a)
    return make_day(_year(c, apostrophe), month, day, line)


def read(text: str, currency: str | None, date_order: str | None = None) -> list[Statement]:
    """Bank-like sections as statements in `currency`; `date_order` is "mdy", "dmy" or "ymd"."""
    sections, option, warnings = _sections(text)
    sections = [s for s in sections if s.records]
    if not sections:
        raise StatementError("no bank, cash or card transactions found in the QIF file")
    dates = [r.fields.get("D", "") for s in sections for r in s.records]
    order = date_order or decide_order(dates, option)
    if order is None:
        raise AmbiguousDates(
            f"every date (such as {dates[0]!r}) reads both as day/month and month/day; "
            "choose the order (--date-order dmy or mdy)"
        )
    if not currency:
        raise StatementError("QIF files name no currency: import into an existing account or give --currency")
    statements = []
    for section in sections:
        account = StatementAccount(
            account_id=section.account or "", currency=currency, name=section.account, kind=section.kind
        )
        entries = [_entry(r, order, currency) for r in section.records]
        statements.append(Statement(account, entries, warnings=list(warnings)))
    return statements


def _entry(record: _Record, order: str, currency: str) -> Entry:
    fields = record.fields
    if "D" not in fields:
        raise StatementError("a transaction has no date (D line)", line=record.line)
    amount_text = fields.get("T") or fields.get("U")
    if not amount_text:
        raise StatementError("a transaction has no amount (T line)", line=record.line)
    amount: Decimal = parse_number(amount_text, line=record.line)
    payee, memo = clean(fields.get("P")), clean(fields.get("M"))
    day = parse_date(fields["D"], order, record.line)
    record_json = {"format": "qif", **{k: v for k, v in sorted(fields.items())}}
    money = to_money(amount, currency, record.line)
    return Entry(
        RemoteTransaction(
            status=TransactionStatus.BOOKED,
            booking_date=day,
            amount=money,
            description=" / ".join(p for p in (payee, memo) if p) or clean(fields.get("L")),
            raw=raw_json(record_json),
            counterparty=payee or None,
        ),
        line=record.line,
    )
