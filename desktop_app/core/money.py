"""Exact money: every amount shape the providers send, parsed to Decimal, stored as minor units.

Providers disagree on how to write an amount. Aiia sends JSON numbers inside
``{"value": 4843.34, "currency": "DKK"}``, Berlin Group banks send strings inside
``{"amount": "-12.30", "currency": "EUR"}``, Aritma writes PascalCase fields with numbers
(``"Amount": 55, "AmountCurrency": "NOK"``). All of them end up here as a ``Money`` with a
``Decimal`` amount, and in SQLite as an integer count of the currency's minor unit.

A float never takes part: JSON is parsed with ``parse_float=Decimal`` (see ``loads``), and a
float handed to this module is rejected rather than trusted. An amount with more decimals
than its currency has is an error, never a silent rounding.
"""

from __future__ import annotations

import json
import locale
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from desktop_app.core.errors import MoneyError

# ISO 4217 minor-unit exponents. Everything listed in ``_TWO`` has two decimals.
_EXPONENT_0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_EXPONENT_3 = "BHD IQD JOD KWD LYD OMR TND"
_EXPONENT_4 = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
    "GHS GIP GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR "
    "LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB "
    "PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP "
    "SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL"
)
CURRENCY_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(_TWO.split(), 2),
    **dict.fromkeys(_EXPONENT_0.split(), 0),
    **dict.fromkeys(_EXPONENT_3.split(), 3),
    **dict.fromkeys(_EXPONENT_4.split(), 4),
}

# Amounts are stored as SQLite INTEGERs: signed 64-bit.
MAX_MINOR_UNITS = 2**63 - 1

# Wide enough that no arithmetic below ever rounds; any rounding would raise instead.
_EXACT = Context(prec=60, traps=[InvalidOperation])
_AMOUNT_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_AMOUNT_KEYS = ("value", "amount", "Value", "Amount")
_CURRENCY_KEYS = ("currency", "Currency", "AmountCurrency", "amountCurrency")


def exponent(currency: str) -> int:
    """The number of decimals of `currency` (ISO 4217), e.g. 0 for JPY, 2 for EUR, 3 for KWD."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except (KeyError, TypeError):
        raise MoneyError(f"unknown currency {currency!r}") from None


def parse_decimal(value: object) -> Decimal:
    """Return `value` as an exact Decimal: from a Decimal, an int or a decimal string.

    Floats are refused: by the time a value is a float its exact decimal is already lost.
    """
    if isinstance(value, bool):
        raise MoneyError(f"not an amount: {value!r}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"not a finite amount: {value}")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not _AMOUNT_TEXT.fullmatch(text):
            raise MoneyError(f"not an amount: {value[:40]!r}")
        return Decimal(text)
    if isinstance(value, float):
        raise MoneyError("amount arrived as a float; parse JSON with money.loads to keep it exact")
    raise MoneyError(f"not an amount: {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency. The amount never has more decimals than the currency."""

    amount: Decimal
    currency: str
    _minor: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        exp = exponent(self.currency)
        amount = parse_decimal(self.amount)
        minor = _EXACT.scaleb(amount, exp)
        if minor != minor.to_integral_value(context=_EXACT):
            raise MoneyError(f"{amount} has more decimals than {self.currency} allows ({exp})")
        if abs(minor) > MAX_MINOR_UNITS:
            raise MoneyError(f"amount {amount} {self.currency} is too large")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "_minor", int(minor))

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of the currency's minor unit (cents, øre, yen)."""
        return self._minor

    @classmethod
    def from_minor(cls, minor_units: int, currency: str) -> Money:
        """Money from an integer count of minor units (exact by construction, so no re-check)."""
        if isinstance(minor_units, bool) or not isinstance(minor_units, int):
            raise MoneyError(f"minor units must be an integer, not {type(minor_units).__name__}")
        if abs(minor_units) > MAX_MINOR_UNITS:
            raise MoneyError(f"amount of {minor_units} minor units of {currency} is too large")
        money = object.__new__(cls)
        object.__setattr__(money, "amount", Decimal(minor_units).scaleb(-exponent(currency)))
        object.__setattr__(money, "currency", currency)
        object.__setattr__(money, "_minor", minor_units)
        return money

    def normalized(self) -> Decimal:
        """The amount with exactly the currency's number of decimals (``12.3`` EUR → ``12.30``)."""
        return _EXACT.scaleb(Decimal(self.minor_units), -exponent(self.currency))

    def __str__(self) -> str:
        return f"{self.normalized()} {self.currency}"


def parse_money(value: object, currency: str | None = None) -> Money:
    """Parse any provider amount shape into Money.

    Accepts ``{"value"|"amount"|"Value"|"Amount": …, "currency"|"Currency"|"AmountCurrency": …}``
    mappings, or a bare number/string together with `currency`. A currency inside the mapping
    wins over the `currency` argument only when they agree; a disagreement is an error.
    """
    if isinstance(value, Mapping):
        amount = _first(value, _AMOUNT_KEYS, "amount")
        found = _first(value, _CURRENCY_KEYS, None)
        if found is not None and currency is not None and found != currency:
            raise MoneyError(f"amount in {found} where {currency} was expected")
        cur = found if found is not None else currency
    else:
        amount, cur = value, currency
    if cur is None:
        raise MoneyError("amount without a currency")
    if not isinstance(cur, str):
        raise MoneyError(f"currency is not a code: {cur!r}")
    return Money(amount, cur.strip().upper())  # Money parses (and refuses) the amount itself


def _first(mapping: Mapping[str, Any], keys: tuple[str, ...], what: str | None) -> Any:
    for key in keys:
        if key in mapping and mapping[key] is not None:
            return mapping[key]
    if what is not None:
        raise MoneyError(f"no {what} field among {sorted(mapping)[:8]}")
    return None


def _reject_constant(name: str) -> Decimal:
    raise MoneyError(f"JSON contains {name}, which is not an amount")


def loads(data: str | bytes) -> Any:
    """Parse JSON with every non-integer number as an exact Decimal (never a float)."""
    return json.loads(data, parse_float=Decimal, parse_constant=_reject_constant)


class DecimalEncoder(json.JSONEncoder):
    """Encode Decimals as JSON strings, so an amount is written exactly as it is."""

    def default(self, o: object) -> object:
        if isinstance(o, Decimal):
            return str(o)
        return super().default(o)


# ---------------------------------------------------------------------------------------
# Display


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """How a locale writes amounts: separators, minus sign and where the currency goes."""

    decimal_sep: str = "."
    group_sep: str = ","
    minus: str = "-"
    symbol_first: bool = False
    symbol_space: bool = True

    @classmethod
    def named(cls, name: str) -> NumberFormat:
        """A format for a locale name such as ``de_DE`` or ``en-GB`` (language fallback)."""
        key = name.replace("-", "_").split(".")[0]
        return _FORMATS.get(key) or _FORMATS.get(key.split("_")[0]) or _FORMATS["C"]

    @classmethod
    def from_system(cls) -> NumberFormat:
        """The format of the user's locale (LC_NUMERIC / LC_MONETARY from the environment)."""
        try:
            name = locale.getlocale(locale.LC_NUMERIC)[0] or locale.getlocale()[0]
        except ValueError:
            name = None
        return cls.named(name or "C")


_NBSP = "\u00a0"
_NNBSP = "\u202f"
_FORMATS: dict[str, NumberFormat] = {
    "C": NumberFormat(),
    "en": NumberFormat(symbol_first=True, symbol_space=False),
    "de": NumberFormat(decimal_sep=",", group_sep="."),
    "da": NumberFormat(decimal_sep=",", group_sep="."),
    "nb": NumberFormat(decimal_sep=",", group_sep=_NBSP, minus="\u2212"),
    "no": NumberFormat(decimal_sep=",", group_sep=_NBSP, minus="\u2212"),
    "sv": NumberFormat(decimal_sep=",", group_sep=_NBSP, minus="\u2212"),
    "fi": NumberFormat(decimal_sep=",", group_sep=_NBSP, minus="\u2212"),
    "fr": NumberFormat(decimal_sep=",", group_sep=_NNBSP),
    "sk": NumberFormat(decimal_sep=",", group_sep=_NBSP),
    "cs": NumberFormat(decimal_sep=",", group_sep=_NBSP),
    "lt": NumberFormat(decimal_sep=",", group_sep=_NBSP, minus="\u2212"),
    "nl": NumberFormat(decimal_sep=",", group_sep=".", symbol_first=True),
    "de_CH": NumberFormat(decimal_sep=".", group_sep="\u2019"),
}

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "DKK": "kr.", "NOK": "kr", "SEK": "kr"}


def format_amount(money: Money, fmt: NumberFormat) -> str:
    """The amount alone, grouped, with exactly the currency's decimals: ``-1 234,50``."""
    text = str(money.normalized())
    negative = text.startswith("-")
    digits = text.lstrip("-")
    whole, _, frac = digits.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    body = fmt.group_sep.join(groups) + (fmt.decimal_sep + frac if frac else "")
    return (fmt.minus if negative else "") + body


def format_money(money: Money, fmt: NumberFormat) -> str:
    """The amount with its currency symbol (or code) placed as the locale does: ``1.234,50 €``."""
    symbol = CURRENCY_SYMBOLS.get(money.currency, money.currency)
    number = format_amount(money, fmt)
    if fmt.symbol_first and not symbol[0].isalpha():  # "€12", but "12 kr" and "12 CHF" everywhere
        sign, rest = (number[: len(fmt.minus)], number[len(fmt.minus) :]) if money.amount < 0 else ("", number)
        return f"{sign}{symbol}{' ' if fmt.symbol_space else ''}{rest}"
    return f"{number}{_NBSP}{symbol}"


def parse_formatted(text: str, currency: str, fmt: NumberFormat) -> Money:
    """Read back an amount the user typed or copied in the locale's format (symbol optional)."""
    cleaned = text.strip()
    for symbol in (CURRENCY_SYMBOLS.get(currency, ""), currency):
        if symbol:
            cleaned = cleaned.replace(symbol, "")
    for minus in {fmt.minus, "\u2212", "-"}:
        if minus in cleaned:
            cleaned = "-" + cleaned.replace(minus, "", 1)
            break
    for space in {fmt.group_sep, " ", _NBSP, _NNBSP}:
        cleaned = cleaned.replace(space, "")
    if fmt.decimal_sep != ".":
        if "." in cleaned:
            raise MoneyError(f"not an amount in this format: {text[:40]!r}")
        cleaned = cleaned.replace(fmt.decimal_sep, ".")
    return Money(parse_decimal(cleaned), currency)
