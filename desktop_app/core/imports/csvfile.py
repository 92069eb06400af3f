"""Bank CSV exports read through a mapping: which column is what, and how numbers and dates look.

Every bank lays its export out differently, so a ``CsvMapping`` names the columns (by header
text) and the conventions: delimiter, encoding, decimal and thousands marks, date format, and
the sign convention (one signed column, separate debit/credit columns, or an unsigned amount
with a debit/credit marker column). Rows before the header (a preamble) are skipped, and so
are rows whose date does not parse (section markers, totals), each counted in a warning.
Mappings serialise to JSON so they can be saved per account; ``PRESETS`` covers a few banks.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from desktop_app.core.errors import StatementError
from desktop_app.core.imports.numbers import parse_number
from desktop_app.core.imports.records import (
    Entry,
    Statement,
    StatementAccount,
    StatementBalance,
    check_day,
    clean,
    to_money,
)
from desktop_app.core.models import TransactionStatus, raw_json
from desktop_app.core.providers.base import RemoteTransaction

# csv's default field limit (128 KB) is the guard against a runaway quoted field.
csv.field_size_limit(1 << 20)


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """How to read one bank's CSV export. Column names match header cells, case-insensitively."""

    date: str
    amount: str | None = None  # one signed column …
    debit: str | None = None  # … or separate columns for money out and money in
    credit: str | None = None
    direction: str | None = None  # … or an unsigned amount plus a marker column ("Af"/"Bij")
    debit_markers: tuple[str, ...] = ("af", "d", "debit", "dbit", "s", "soll")
    description: tuple[str, ...] = ()
    counterparty: str | None = None
    reference: str | None = None  # a per-row bank id: the best dedupe key when present
    value_date: str | None = None
    balance: str | None = None
    currency_column: str | None = None
    currency: str | None = None
    delimiter: str | None = None  # None: sniff among , ; tab |
    encoding: str = "auto"
    decimal: str = "."
    thousands: str | None = None
    date_format: str = "%Y-%m-%d"
    negate: bool = False  # card exports that show purchases as positive
    pending_marker: str | None = None  # a section row that starts pending rows ("Pending Transactions")
    booked_marker: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CsvMapping:
        try:
            data = json.loads(text)
            known = {f.name for f in fields(cls)}
            unknown = set(data) - known
            if unknown:
                raise StatementError(f"unknown CSV mapping fields: {', '.join(sorted(unknown))}")
            for key in ("description", "debit_markers"):
                if key in data:
                    data[key] = tuple(data[key])
            return cls(**data)
        except (ValueError, TypeError) as exc:
            raise StatementError(f"not a CSV mapping: {exc}") from None

    def columns(self) -> list[str]:
        named = [self.date, self.amount, self.debit, self.credit, self.direction, self.counterparty]
        named += [self.reference, self.value_date, self.balance, self.currency_column, *self.description]
        return [c for c in named if c]


PRESETS: dict[str, CsvMapping] = {
    # DKB Girokonto (Germany), older export: cp1252, preamble, decimal comma.
    "dkb": CsvMapping(
        date="Buchungstag",
        value_date="Wertstellung",
        amount="Betrag (EUR)",
        counterparty="Auftraggeber / Begünstigter",
        description=("Verwendungszweck", "Buchungstext"),
        currency="EUR",
        delimiter=";",
        encoding="cp1252",
        decimal=",",
        thousands=".",
        date_format="%d.%m.%Y",
    ),
    # ING (Netherlands): unsigned amount with an Af/Bij column, dates as YYYYMMDD.
    "ing-nl": CsvMapping(
        date="Datum",
        amount="Bedrag (EUR)",
        direction="Af Bij",
        counterparty="Naam / Omschrijving",
        description=("Mededelingen", "Naam / Omschrijving"),
        currency="EUR",
        decimal=",",
        date_format="%Y%m%d",
    ),
    # Charles Schwab checking (USA): separate withdrawal/deposit columns, pending section.
    "schwab": CsvMapping(
        date="Date",
        debit="Withdrawal (-)",
        credit="Deposit (+)",
        description=("Description",),
        balance="RunningBalance",
        currency="USD",
        date_format="%m/%d/%Y",
        pending_marker="Pending Transactions",
        booked_marker="Posted Transactions",
    ),
    # DCU (USA): signed amount with the minus before the dollar sign, an id per row.
    "dcu": CsvMapping(
        date="DATE",
        amount="AMOUNT",
        description=("DESCRIPTION", "MEMO"),
        reference="ID",
        balance="CURRENT BALANCE",
        currency="USD",
        date_format="%m/%d/%Y",
    ),
}


@dataclass(slots=True)
class _Layout:
    header_row: int
    index: dict[str, int] = field(default_factory=dict)


def _sniff(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    counts = {d: sample.count(d) for d in (";", ",", "\t", "|")}
    return max(counts, key=lambda d: counts[d])


def _find_header(rows: list[list[str]], mapping: CsvMapping) -> _Layout:
    wanted = {c.casefold() for c in mapping.columns()}
    for number, row in enumerate(rows[:100]):
        cells = [c.strip().casefold() for c in row]
        if mapping.date.casefold() in cells and wanted <= set(cells):
            return _Layout(number, {c: i for i, c in enumerate(cells) if c})
    missing = sorted(wanted)
    raise StatementError(f"no header row with the mapped columns ({', '.join(missing)}) in the first 100 rows")


def rows_of(text: str, mapping: CsvMapping) -> list[list[str]]:
    delimiter = mapping.delimiter or _sniff(text)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise StatementError(f"the CSV is malformed ({exc})") from None


def read(text: str, mapping: CsvMapping, currency: str | None = None, account_id: str = "") -> list[Statement]:
    """Transactions from a CSV export; `currency` applies when the mapping names none."""
    rows = rows_of(text, mapping)
    layout = _find_header(rows, mapping)
    cur = mapping.currency or currency
    entries: list[Entry] = []
    skipped = 0
    pending = False
    header = rows[layout.header_row]
    for number, row in enumerate(rows[layout.header_row + 1 :], start=layout.header_row + 2):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        first = next((c for c in cells if c), "")
        if mapping.pending_marker and first.casefold() == mapping.pending_marker.casefold():
            pending = True
            continue
        if mapping.booked_marker and first.casefold() == mapping.booked_marker.casefold():
            pending = False
            continue
        day = _date(_cell(cells, layout, mapping.date), mapping.date_format)
        if day is None:
            skipped += 1  # a section title, a total or a footer line
            continue
        entries.append(_entry(cells, header, layout, mapping, day, cur, number, pending))
    if not entries:
        raise StatementError("no transaction rows found with this mapping (check the date format and columns)")
    statement = Statement(StatementAccount(account_id=account_id, currency=cur), entries)
    statement.closing = _closing(rows, layout, mapping, entries)
    if skipped:
        statement.warnings.append(f"{skipped} rows without a date were skipped (titles, totals)")
    return [statement]


def _closing(rows: list[list[str]], layout: _Layout, m: CsvMapping, entries: list[Entry]) -> StatementBalance | None:
    """The running balance after the newest booked row (exports list newest first or last)."""
    if not m.balance:
        return None
    booked = [e for e in entries if e.tx.status is TransactionStatus.BOOKED and e.line is not None]
    if not booked:
        return None
    newest_first = booked[0].tx.booking_date > booked[-1].tx.booking_date
    for entry in booked if newest_first else reversed(booked):
        assert entry.line is not None
        text = _cell([c.strip() for c in rows[entry.line - 1]], layout, m.balance)
        if text.strip("$€£ "):
            return StatementBalance(parse_number(text, m.decimal, m.thousands, entry.line), entry.tx.booking_date)
    return None


def _cell(cells: list[str], layout: _Layout, column: str | None) -> str:
    if not column:
        return ""
    index = layout.index.get(column.casefold())
    return cells[index] if index is not None and index < len(cells) else ""


def _date(text: str, fmt: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), fmt).date()
    except ValueError:
        return None


def _amount(cells: list[str], layout: _Layout, m: CsvMapping, line: int) -> Decimal:
    def number(column: str | None) -> Decimal | None:
        text = _cell(cells, layout, column)
        return parse_number(text, m.decimal, m.thousands, line) if text.strip("$€£ ") else None

    if m.amount:
        value = number(m.amount)
        if value is None:
            raise StatementError("the row has no amount", line=line)
        if m.direction and _cell(cells, layout, m.direction).casefold() in m.debit_markers:
            value = -abs(value)
    else:
        out, into = number(m.debit), number(m.credit)
        if out is None and into is None:
            raise StatementError("the row has neither a debit nor a credit amount", line=line)
        value = (into or Decimal(0)) - abs(out or Decimal(0))
    return -value if m.negate else value


def _entry(
    cells: list[str],
    header: list[str],
    layout: _Layout,
    m: CsvMapping,
    day: date,
    currency: str | None,
    line: int,
    pending: bool,
) -> Entry:
    value = _amount(cells, layout, m, line)
    cur = _cell(cells, layout, m.currency_column) or currency
    try:
        money = to_money(value, cur)
        check_day(day)
    except StatementError as exc:
        raise StatementError(exc.reason, line=line) from None
    texts = [clean(_cell(cells, layout, c)) for c in m.description]
    counterparty = clean(_cell(cells, layout, m.counterparty)) or None
    description = " / ".join(dict.fromkeys(t for t in texts if t)) or counterparty or ""
    value_day = _date(_cell(cells, layout, m.value_date), m.date_format) if m.value_date else None
    reference = _cell(cells, layout, m.reference) or None
    record: dict[str, Any] = {"format": "csv", **{h.strip(): c for h, c in zip(header, cells, strict=False) if h}}
    return Entry(
        RemoteTransaction(
            status=TransactionStatus.PENDING if pending else TransactionStatus.BOOKED,
            booking_date=day,
            amount=money,
            description=description,
            raw=raw_json(record),
            provider_id=reference,
            counterparty=counterparty,
            value_date=value_day,
        ),
        bank_ref=reference,
        line=line,
    )
