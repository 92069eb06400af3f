"""Exchange rates: the European Central Bank's daily euro reference rates, cached for offline use.

The ECB publishes, each TARGET business day around 16:00 CET, how many units of about thirty
currencies one euro buys. The same figures come as XML for today (``eurofxref-daily.xml``), the
last 90 days (``eurofxref-hist-90d.xml``) and as a zipped CSV with the whole history since 1999
(``eurofxref-hist.zip``; missing values are written ``N/A``). Rates are decimal text, kept as
text in SQLite so they stay exact.

A rate is used for a day when it was published on that day or at most ``MAX_AGE_DAYS`` before
it (weekends and holidays have none). Older than that, or never published for that currency,
there is no rate: callers show the amount apart and never invent one.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

import httpx2

from desktop_app.core.errors import RatesError
from desktop_app.core.store import Store

log = logging.getLogger(__name__)

ECB_BASE_URL = "https://www.ecb.europa.eu/stats/eurofxref/"
FILES = {"daily": "eurofxref-daily.xml", "90d": "eurofxref-hist-90d.xml", "full": "eurofxref-hist.zip"}
MAX_AGE_DAYS = 7
_CUBE = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}Cube"

Rate = tuple[date, str, Decimal]  # (day, currency, units of it per euro)


def _decimal(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise RatesError(f"The ECB file has a rate that is not a number ({where}).") from None
    if not value.is_finite() or value <= 0:
        raise RatesError(f"The ECB file has a rate that is not positive ({where}).")
    return value


def parse_xml(data: bytes) -> list[Rate]:
    """Rates from an ECB eurofxref XML file (daily or history)."""
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - expat >= 2.4.1 refuses entity expansion bombs
    except ElementTree.ParseError as exc:
        raise RatesError(f"The ECB rates file is not valid XML ({exc}).") from None
    rates: list[Rate] = []
    for day_cube in root.iter(_CUBE):
        when = day_cube.get("time")
        if when is None:
            continue
        try:
            day = date.fromisoformat(when)
        except ValueError:
            raise RatesError(f"The ECB file has a day that is not a date: {when[:20]!r}.") from None
        for cube in day_cube.findall(_CUBE):
            currency, rate = cube.get("currency"), cube.get("rate")
            if currency and rate:
                rates.append((day, currency.upper(), _decimal(rate, f"{currency} on {when}")))
    if not rates:
        raise RatesError("The ECB rates file holds no rates.")
    return rates


def parse_csv(text: str) -> list[Rate]:
    """Rates from the ECB history CSV: a Date column, then one column per currency (N/A when none)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or header[0].strip() != "Date":
        raise RatesError("The ECB history file does not start with a Date column.")
    currencies = [h.strip().upper() for h in header[1:]]
    rates: list[Rate] = []
    for row in reader:
        if not row or not row[0].strip():
            continue
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            raise RatesError(f"The ECB history has a day that is not a date: {row[0][:20]!r}.") from None
        for currency, cell in zip(currencies, row[1:], strict=False):
            if currency and cell.strip() and cell.strip() != "N/A":
                rates.append((day, currency, _decimal(cell, f"{currency} on {day}")))
    if not rates:
        raise RatesError("The ECB history file holds no rates.")
    return rates


class EcbClient:
    """Fetches the ECB's reference rates over an injected ``httpx2.Client``."""

    def __init__(self, http: httpx2.Client, base_url: str = ECB_BASE_URL) -> None:
        self._http = http
        self._base = base_url.rstrip("/") + "/"

    def fetch(self, which: str = "90d") -> list[Rate]:
        """``daily``, ``90d`` or ``full`` (the whole history since 1999)."""
        if which not in FILES:
            raise RatesError(f"Unknown ECB file {which!r}; choose daily, 90d or full.")
        url = self._base + FILES[which]
        try:
            response = self._http.get(url)
        except httpx2.HTTPError as exc:
            raise RatesError(
                f"Could not reach the ECB for exchange rates ({type(exc).__name__}); the cached rates are used."
            ) from None
        if response.status_code != 200:
            raise RatesError(f"The ECB answered {response.status_code} for {FILES[which]}; the cached rates are used.")
        if which != "full":
            return parse_xml(response.content)
        try:
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                name = next((n for n in archive.namelist() if n.lower().endswith(".csv")), None)
                if name is None:
                    raise RatesError("The ECB history archive holds no CSV file.")
                return parse_csv(archive.read(name).decode("utf-8-sig"))
        except zipfile.BadZipFile:
            raise RatesError("The ECB history archive is damaged.") from None


def store_rates(store: Store, rates: Iterable[Rate]) -> int:
    """Keep rates in the cache (a republished day replaces the old figure). Returns how many."""
    rows = [(d.isoformat(), c, str(r)) for d, c, r in rates]
    with store._write() as conn:
        conn.executemany(
            "INSERT INTO exchange_rates (day, currency, per_eur) VALUES (?, ?, ?) "
            "ON CONFLICT (currency, day) DO UPDATE SET per_eur = excluded.per_eur",
            rows,
        )
    return len(rows)


def latest_rate_day(store: Store) -> date | None:
    row = store._read("SELECT max(day) FROM exchange_rates")[0]
    return date.fromisoformat(row[0]) if row[0] else None


def update_rates(store: Store, client: EcbClient, today: date | None = None) -> int:
    """Fetch what the cache lacks: the whole history the first time (or after 90 days away), else 90 days."""
    latest = latest_rate_day(store)
    today = today or date.today()
    which = "full" if latest is None or (today - latest).days > 80 else "90d"
    fetched = client.fetch(which)
    log.info("stored %d ECB rates (%s)", len(fetched), which)
    return store_rates(store, fetched)


@dataclass
class RateTable:
    """The cached rates of some currencies, looked up by day without touching the database."""

    days: dict[str, list[int]]  # currency -> sorted ordinals
    values: dict[str, list[Decimal]]

    def per_eur(self, currency: str, day: date) -> Decimal | None:
        """Units of `currency` per euro on `day` (the last publication within MAX_AGE_DAYS), or None."""
        if currency == "EUR":
            return Decimal(1)
        days = self.days.get(currency)
        if not days:
            return None
        at = bisect_right(days, day.toordinal()) - 1
        if at < 0 or day.toordinal() - days[at] > MAX_AGE_DAYS:
            return None
        return self.values[currency][at]

    def convert(self, amount: Decimal, currency: str, base: str, day: date) -> Decimal | None:
        """`amount` of `currency` in `base` on `day`, unrounded; None when either rate is missing."""
        if currency == base:
            return amount
        source, target = self.per_eur(currency, day), self.per_eur(base, day)
        if source is None or target is None:
            return None
        return amount / source * target


def rate_table(
    store: Store, currencies: Iterable[str], start: date | None = None, end: date | None = None
) -> RateTable:
    wanted = sorted({c for c in currencies if c != "EUR"})
    table = RateTable({}, {})
    if not wanted:
        return table
    low = date.fromordinal(start.toordinal() - MAX_AGE_DAYS).isoformat() if start else ""
    high = end.isoformat() if end else "9999"
    rows = store._read(
        f"SELECT currency, day, per_eur FROM exchange_rates WHERE currency IN ({', '.join('?' * len(wanted))}) "
        "AND day BETWEEN ? AND ? ORDER BY currency, day",
        [*wanted, low, high],
    )
    for currency, day, value in rows:
        table.days.setdefault(currency, []).append(date.fromisoformat(day).toordinal())
        table.values.setdefault(currency, []).append(Decimal(value))
    return table
