"""Exact money: parsing every provider shape, minor units, display and round trips."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.errors import MoneyError
from desktop_app.core.models import raw_json
from desktop_app.core.money import (
    CURRENCY_EXPONENTS,
    MAX_MINOR_UNITS,
    DecimalEncoder,
    Money,
    NumberFormat,
    format_amount,
    format_money,
    loads,
    parse_decimal,
    parse_formatted,
    parse_money,
)


def test_aiia_json_number_is_parsed_without_float() -> None:
    payload = loads(b'{"booked": {"currency": "DKK", "value": 4843.34}, "n": 3}')
    assert type(payload["booked"]["value"]) is Decimal
    assert parse_money(payload["booked"]) == Money(Decimal("4843.34"), "DKK")
    assert parse_money(payload["booked"]).minor_units == 484334


def test_float_that_cannot_be_exact_is_visible_as_the_problem() -> None:
    # 0.1 + 0.2 through float would be 0.30000000000000004; through Decimal it is exact.
    payload = loads('{"a": 0.1, "b": 0.2}')
    assert payload["a"] + payload["b"] == Decimal("0.3")
    with pytest.raises(MoneyError, match="float"):
        parse_decimal(0.1)


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ({"amount": "-12.30", "currency": "EUR"}, Money(Decimal("-12.30"), "EUR")),
        ({"value": 55, "currency": "NOK"}, Money(Decimal(55), "NOK")),
        ({"Amount": Decimal("55.5"), "AmountCurrency": "NOK"}, Money(Decimal("55.50"), "NOK")),
        ({"Value": "1056", "Currency": "SEK"}, Money(Decimal(1056), "SEK")),
        ({"amount": "5768.2", "currency": "eur"}, Money(Decimal("5768.2"), "EUR")),
    ],
)
def test_every_provider_shape(shape: dict[str, object], expected: Money) -> None:
    assert parse_money(shape) == expected


def test_bare_string_with_currency_argument() -> None:
    assert parse_money(" -1.50 ", "EUR").minor_units == -150


@pytest.mark.parametrize(
    ("currency", "amount", "minor"), [("JPY", "1200", 1200), ("EUR", "12.34", 1234), ("KWD", "1.234", 1234)]
)
def test_minor_units_follow_iso_4217(currency: str, amount: str, minor: int) -> None:
    assert Money(Decimal(amount), currency).minor_units == minor
    assert Money.from_minor(minor, currency) == Money(Decimal(amount), currency)


@pytest.mark.parametrize(("currency", "amount"), [("JPY", "1.5"), ("EUR", "12.345"), ("KWD", "0.0001")])
def test_too_many_decimals_is_an_error_not_a_rounding(currency: str, amount: str) -> None:
    with pytest.raises(MoneyError, match="more decimals"):
        Money(Decimal(amount), currency)


def test_trailing_zeros_are_not_extra_precision() -> None:
    assert Money(Decimal("12.300"), "EUR").minor_units == 1230


@pytest.mark.parametrize(
    "bad",
    [
        "12,30",
        "1e5",
        "",
        "NaN",
        " - 3",
        True,
        None,
        [1],
        Decimal("Infinity"),
    ],
)
def test_malformed_amounts_are_errors(bad: object) -> None:
    with pytest.raises(MoneyError):
        parse_money(bad, "EUR")


def test_unknown_or_missing_currency() -> None:
    with pytest.raises(MoneyError, match="unknown currency"):
        parse_money({"amount": "1", "currency": "EURO"})
    with pytest.raises(MoneyError, match="without a currency"):
        parse_money("1")
    with pytest.raises(MoneyError, match="expected"):
        parse_money({"amount": "1", "currency": "SEK"}, "EUR")


def test_huge_amount_beyond_int64_is_refused() -> None:
    with pytest.raises(MoneyError, match="too large"):
        Money(Decimal(MAX_MINOR_UNITS) + 1, "JPY")
    assert Money(Decimal(MAX_MINOR_UNITS), "JPY").minor_units == MAX_MINOR_UNITS


def test_json_nan_is_refused() -> None:
    with pytest.raises(MoneyError):
        loads('{"value": NaN}')


def test_display_in_several_locales() -> None:
    m = Money(Decimal("-1234567.5"), "EUR")
    assert format_amount(m, NumberFormat.named("de_DE")) == "-1.234.567,50"
    assert format_amount(m, NumberFormat.named("en_US")) == "-1,234,567.50"
    assert format_money(m, NumberFormat.named("en_GB")) == "-€1,234,567.50"
    assert format_money(Money(Decimal("12340.55"), "EUR"), NumberFormat.named("sk_SK")) == "12\u00a0340,55\u00a0€"
    assert format_amount(Money(Decimal(5), "JPY"), NumberFormat.named("C")) == "5"
    assert format_amount(Money(Decimal("0.5"), "KWD"), NumberFormat.named("C")) == "0.500"


def test_unknown_locale_falls_back_to_language_then_plain() -> None:
    assert NumberFormat.named("de_AT") == NumberFormat.named("de_DE")
    assert NumberFormat.named("xx_YY") == NumberFormat()


currencies = st.sampled_from(sorted(CURRENCY_EXPONENTS))
formats = st.sampled_from(["C", "en_US", "de_DE", "da_DK", "sv_SE", "nb_NO", "fr_FR", "sk_SK", "nl_NL", "de_CH"])
minor_units = st.integers(min_value=-(10**15), max_value=10**15)


@given(minor=minor_units, currency=currencies, locale_name=formats)
def test_format_then_parse_round_trips(minor: int, currency: str, locale_name: str) -> None:
    money = Money.from_minor(minor, currency)
    fmt = NumberFormat.named(locale_name)
    assert parse_formatted(format_amount(money, fmt), currency, fmt) == money
    assert parse_formatted(format_money(money, fmt), currency, fmt) == money


@given(minor=minor_units, currency=currencies)
def test_minor_units_are_exact_for_every_exponent(minor: int, currency: str) -> None:
    money = Money.from_minor(minor, currency)
    assert money.minor_units == minor
    assert isinstance(money.amount, Decimal)
    # the string form parses back to the same money, as a provider string would
    assert parse_money(str(money.normalized()), currency) == money


@given(minor=minor_units, currency=currencies)
def test_json_numbers_parse_exactly(minor: int, currency: str) -> None:
    money = Money.from_minor(minor, currency)
    document = f'{{"value": {money.normalized()}, "currency": "{currency}"}}'
    parsed = loads(document)
    assert not any(isinstance(v, float) for v in parsed.values())
    assert parse_money(parsed) == money


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text(),  # quotes, backslashes, control characters, non-ASCII
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=8))
def test_raw_json_writes_what_the_json_encoder_writes(record: dict[str, object]) -> None:
    """raw_json keeps one C encoder for every record; it must write exactly what a fresh one would."""
    expected = json.dumps(record, cls=DecimalEncoder, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert raw_json(record) == expected
    assert raw_json(record) == expected  # and again: nothing carried over from the call before
