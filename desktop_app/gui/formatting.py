"""One formatting service for every view, from the person's QLocale.

Amounts stay exact: the digits come from the Decimal, only the separators, the minus sign and
the currency's place come from the locale. The symbol is used when it names one currency
(€, $, £, ¥); the ISO code otherwise (the Nordic "kr" would not say which krone).
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QLocale

from desktop_app.core.money import Money, NumberFormat, format_amount


def abs_money(money: Money) -> Money:
    return Money(abs(money.amount), money.currency)


SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


class Formatter:
    def __init__(self, locale: QLocale | None = None) -> None:
        self.locale = locale or QLocale()
        sample = self.locale.toCurrencyString(1.0, "¤")
        self.numbers = NumberFormat(
            decimal_sep=self.locale.decimalPoint(),
            group_sep=self.locale.groupSeparator(),
            minus=self.locale.negativeSign(),
            symbol_first=sample.startswith("¤"),
            symbol_space=sample.startswith("¤ "),
        )

    @classmethod
    def named(cls, name: str) -> Formatter:
        return cls(QLocale(name))

    def symbol(self, currency: str) -> str:
        return SYMBOLS.get(currency, currency)

    def amount(self, money: Money) -> str:
        """The amount alone, grouped: ``-1,234.50``."""
        return format_amount(money, self.numbers)

    def money(self, money: Money) -> str:
        """The amount with its currency where the locale puts it: ``€1,234.50``, ``1.234,50 €``, ``1 234,50 SEK``."""
        return self._place(self.amount(abs_money(money)), money.amount < 0, money.currency)

    def whole_money(self, units: int, currency: str) -> str:
        """Whole units for chart axes: ``€12,000``, ``12.000 €``."""
        return self._place(self.locale.toString(abs(units)), units < 0, currency)

    def _place(self, number: str, negative: bool, currency: str) -> str:
        symbol = self.symbol(currency)
        sign = self.numbers.minus if negative else ""
        if self.numbers.symbol_first and len(symbol) == 1:
            return f"{sign}{symbol}{' ' if self.numbers.symbol_space else ''}{number}"
        return f"{sign}{number}\u00a0{symbol}"

    def count(self, n: int) -> str:
        return self.locale.toString(n)

    def things(self, n: int, one: str, many: str | None = None) -> str:
        """``1 transaction``, ``2,980 transactions``."""
        return f"{self.count(n)} {one if n == 1 else (many or one + 's')}"

    def day(self, value: date) -> str:
        """A calendar day, short, in the locale: ``03 Feb 2026`` / ``03.02.2026``."""
        return self.locale.toString(QDate(value.year, value.month, value.day), QLocale.FormatType.ShortFormat)

    def long_day(self, value: date) -> str:
        return self.locale.toString(QDate(value.year, value.month, value.day), "d MMM yyyy")

    def month(self, year_month: str) -> str:
        """``2026-03`` → ``Mar 2026`` (``März 2026`` under de_DE)."""
        year, month = (int(p) for p in year_month.split("-"))
        return f"{self.locale.monthName(month, QLocale.FormatType.ShortFormat)} {year}"

    def moment(self, value: datetime) -> str:
        local = value.astimezone()
        return f"{self.long_day(local.date())} {local.strftime('%H:%M')}"
