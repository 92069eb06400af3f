"""ECB rates over real loopback HTTP into the cache, and net worth built on them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx2
import pytest

from desktop_app.core import accounts, networth, rates
from desktop_app.core.errors import RatesError
from desktop_app.core.models import BalanceKind, BalanceSnapshot
from desktop_app.core.money import Money
from desktop_app.core.store import Store
from tests import factories
from tests.categories.ecb_server import EcbFiles, ecb_server

DAYS = [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 2), date(2026, 3, 31)]


@pytest.fixture
def ecb() -> Iterator[tuple[EcbFiles, rates.EcbClient]]:
    files = EcbFiles({d: {"USD": "1.0850", "DKK": "7.4600", "JPY": "160.5"} for d in DAYS})
    files.rates[date(2026, 3, 31)]["USD"] = "1.1000"
    with ecb_server(files) as url, httpx2.Client(timeout=5) as http:
        yield files, rates.EcbClient(http, url)


def test_full_history_first_then_90_days_and_offline_keeps_the_cache(cache: Store, ecb: tuple) -> None:
    files, client = ecb
    assert rates.update_rates(cache, client, today=date(2026, 4, 1)) == 12
    assert files.requests[-1].endswith("eurofxref-hist.zip")
    assert rates.update_rates(cache, client, today=date(2026, 4, 1)) == 12
    assert files.requests[-1].endswith("eurofxref-hist-90d.xml")
    table = rates.rate_table(cache, ["USD", "JPY"])
    assert table.per_eur("USD", date(2026, 3, 31)) == Decimal("1.1000")
    assert table.per_eur("USD", date(2026, 3, 1)) == Decimal("1.0850")  # a Sunday: Friday's rate
    assert table.per_eur("USD", date(2026, 4, 9)) is None  # more than a week old: no rate
    files.status = 503
    with pytest.raises(RatesError, match="answered 503"):
        rates.update_rates(cache, client, today=date(2026, 4, 1))
    assert rates.latest_rate_day(cache) == date(2026, 3, 31)


def test_unreachable_and_damaged_files_are_clear_errors(cache: Store, ecb: tuple) -> None:
    files, client = ecb
    files.body = b"<html>maintenance</html"
    with pytest.raises(RatesError, match="not valid XML"):
        client.fetch("90d")
    with pytest.raises(RatesError, match="damaged"):
        client.fetch("full")
    with pytest.raises(RatesError, match="Unknown ECB file"):
        client.fetch("weekly")
    with httpx2.Client(timeout=2) as http:
        offline = rates.EcbClient(http, "http://127.0.0.1:9/")
        with pytest.raises(RatesError, match="Could not reach the ECB"):
            offline.fetch()
    with pytest.raises(RatesError, match="not a number"):
        rates.parse_csv("Date,USD,\n2026-01-02,abc,\n")


def test_net_worth_converts_at_each_days_rate_and_keeps_rateless_accounts_apart(cache: Store, ecb: tuple) -> None:
    _, client = ecb
    rates.update_rates(cache, client, today=date(2026, 4, 1))
    usd = factories.account(cache, ref="usd", currency="USD", name="Dollars")
    isk = factories.account(cache, ref="isk", currency="ISK", name="Krona")  # the fixture's ECB has no ISK
    card = factories.account(cache, ref="card", currency="EUR", name="Card")
    assert usd.id and isk.id and card.id
    accounts.set_account_type(cache, card.id, "credit")
    cache.upsert_transactions(
        [
            factories.tx(1, 1, amount="1000.00", day=date(2026, 2, 10)),
            factories.tx(usd.id, 2, amount="217.00", currency="USD", day=date(2026, 2, 11)),
            factories.tx(isk.id, 3, amount="5000", currency="ISK", day=date(2026, 2, 12)),
            factories.tx(card.id, 4, amount="-300.00", day=date(2026, 3, 20)),
        ]
    )
    cache.add_balance(
        BalanceSnapshot(1, BalanceKind.BOOKED, Money(Decimal("1500.00"), "EUR"), datetime(2026, 3, 31, tzinfo=UTC))
    )
    feb, mar = networth.net_worth_series(cache, "EUR", date(2026, 2, 1), date(2026, 3, 31))
    assert feb.day == date(2026, 2, 28)
    # 1500 anchored on 31 March, nothing moved since February; 217 USD / 1.0850 = 200.00 EUR
    assert feb.assets == Money(Decimal("1700.00"), "EUR") and feb.liabilities == Money(Decimal("0.00"), "EUR")
    assert feb.apart == ((isk.id, Money(Decimal("5000"), "ISK")),)
    # in March the dollar rate moved: 217 / 1.1 = 197.2727… -> 197.27; the card owes 300
    assert mar.assets == Money(Decimal("1697.27"), "EUR")
    assert mar.liabilities == Money(Decimal("-300.00"), "EUR")
    assert mar.total == Money(Decimal("1397.27"), "EUR")
    # in dollars, the euro accounts convert and the dollar account does not move
    (in_usd,) = networth.net_worth_series(cache, "usd", date(2026, 3, 31), date(2026, 3, 31))
    assert in_usd.total == Money(Decimal("1537.00"), "USD")  # (1500 - 300) * 1.1 + 217


def test_without_any_rates_only_base_currency_accounts_are_summed(cache: Store) -> None:
    usd = factories.account(cache, ref="usd", currency="USD", name="Dollars")
    assert usd.id
    cache.upsert_transactions([factories.tx(usd.id, 1, amount="10.00", currency="USD"), factories.tx(1, 2, "5.00")])
    (point,) = networth.net_worth_series(cache, "EUR", date(2026, 3, 1), date(2026, 3, 31))
    assert point.total == Money(Decimal("5.00"), "EUR")
    assert point.apart == ((usd.id, Money(Decimal("10.00"), "USD")),)


@pytest.mark.parametrize("reported", ["500.00", "-500.00"])
def test_a_liability_is_owed_whichever_sign_its_provider_reports(cache: Store, reported: str) -> None:
    card = factories.account(cache, ref="card", currency="EUR", name="Card")
    assert card.id
    accounts.set_account_type(cache, card.id, "credit")
    # a purchase in March, then the bank says 500 is owed at the end of April
    cache.upsert_transactions(
        [factories.tx(1, 1, "2000.00", day=date(2026, 3, 1)), factories.tx(card.id, 2, "-120.00", day=date(2026, 4, 2))]
    )
    cache.add_balance(
        BalanceSnapshot(card.id, BalanceKind.BOOKED, Money(Decimal(reported), "EUR"), datetime(2026, 4, 30, tzinfo=UTC))
    )
    march, april = networth.net_worth_series(cache, "EUR", date(2026, 3, 1), date(2026, 4, 30))
    assert april.liabilities == Money(Decimal("-500.00"), "EUR")
    assert march.liabilities == Money(Decimal("-380.00"), "EUR")  # 120 less owed before the purchase
    assert april.total == Money(Decimal("1500.00"), "EUR") and april.assets == Money(Decimal("2000.00"), "EUR")


def test_an_asset_keeps_the_sign_its_bank_reports(cache: Store) -> None:
    cache.add_balance(
        BalanceSnapshot(1, BalanceKind.BOOKED, Money(Decimal("-40.00"), "EUR"), datetime(2026, 3, 31, tzinfo=UTC))
    )
    (point,) = networth.net_worth_series(cache, "EUR", date(2026, 3, 1), date(2026, 3, 31))
    assert point.assets == Money(Decimal("-40.00"), "EUR") and point.liabilities == Money(Decimal("0.00"), "EUR")
    loan = accounts.set_account_type(cache, 2, "loan")
    assert accounts.held_balance(loan, Money(Decimal("1000.00"), "EUR")) == Money(Decimal("-1000.00"), "EUR")
    assert accounts.held_balance(loan, Money(Decimal("-1000.00"), "EUR")) == Money(Decimal("-1000.00"), "EUR")
    checking = accounts.get_account(cache, 1)
    assert accounts.held_balance(checking, Money(Decimal("1000.00"), "EUR")) == Money(Decimal("1000.00"), "EUR")
