"""Provider data adapters against recorded responses, replayed through httpx2.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.api import ApiClient, RetryPolicy
from desktop_app.core.errors import MalformedResponse
from desktop_app.core.models import BalanceKind, TransactionStatus
from desktop_app.core.money import Money
from desktop_app.core.providers.aiia import AiiaAdapter
from desktop_app.core.providers.berlin import BerlinGroupAdapter

DATA = Path(__file__).resolve().parents[1] / "data"


def api_for(handler: Callable[[httpx2.Request], httpx2.Response], base: str = "https://bank.test") -> ApiClient:
    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    return ApiClient(http, base, "Test Bank", retry=RetryPolicy(attempts=2, base_delay=0))


def test_aiia_account_from_a_real_sandbox_response() -> None:
    body = (DATA / "aiia_accounts.json").read_bytes()
    api = api_for(lambda request: httpx2.Response(200, content=body))
    (account,) = AiiaAdapter().accounts(api)
    assert (account.provider_account_id, account.name, account.currency, account.iban) == (
        "MzViNjhkZjE",
        "Checking Account",
        "DKK",
        "DK9200001204386946",
    )
    balances = {b.kind: b.amount for b in AiiaAdapter().balances(api, account)}
    assert balances == {
        BalanceKind.BOOKED: Money(Decimal("4843.34"), "DKK"),
        BalanceKind.AVAILABLE: Money(Decimal("4843.34"), "DKK"),
    }


def test_aiia_pages_with_paging_token_and_reports_bad_records() -> None:
    pages = {
        None: {
            "pagingToken": "p2",
            "transactions": [
                {
                    "id": "t1",
                    "date": "2026-03-01",
                    "text": "Netto",
                    "state": "Booked",
                    "transactionAmount": {"value": -12.5, "currency": "DKK"},
                    "detail": {"destination": {"name": "Netto"}, "valueDate": "2026-03-02"},
                },
                {
                    "id": "t2",
                    "date": "2026-03-02",
                    "text": "Too precise",
                    "state": "Booked",
                    "transactionAmount": {"value": -1.001, "currency": "DKK"},
                },
            ],
        },
        "p2": {
            "pagingToken": None,
            "transactions": [
                {
                    "id": "t3",
                    "date": "2026-03-03",
                    "text": "Card",
                    "state": "Reserved",
                    "transactionAmount": {"value": -99, "currency": "DKK"},
                },
                {
                    "id": "t4",
                    "date": "2026-04-01",
                    "text": "Future",
                    "state": "Scheduled",
                    "transactionAmount": {"value": -5, "currency": "DKK"},
                },
                {
                    "id": "t5",
                    "text": "No date",
                    "state": "Booked",
                    "transactionAmount": {"value": 1, "currency": "DKK"},
                },
            ],
        },
    }

    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.raw_path.split(b"?")[0] == b"/v1/accounts/a%2F1/transactions"
        return httpx2.Response(200, content=json.dumps(pages[request.url.params.get("pagingToken")]).encode())

    from desktop_app.core.providers.base import RemoteAccount

    out = list(AiiaAdapter().transactions(api_for(handler), RemoteAccount("a/1", "A", "DKK"), None))
    assert len(out) == 2
    got = [(t.provider_id, t.status, t.amount.minor_units, t.counterparty) for p in out for t in p.transactions]
    assert got == [("t1", TransactionStatus.BOOKED, -1250, "Netto"), ("t3", TransactionStatus.PENDING, -9900, None)]
    assert out[0].transactions[0].value_date == date(2026, 3, 2)
    problems = [(p.reason, p.record_ref) for page in out for p in page.problems]
    assert problems == [("-1.001 has more decimals than DKK allows (2)", "t2"), ("missing date", "t5")]
    assert json.loads(out[0].transactions[0].raw)["transactionAmount"]["value"] == "-12.5"


def test_berlin_group_follows_next_links_and_maps_both_lists() -> None:
    first = {
        "account": {"iban": "LT00"},
        "transactions": {
            "booked": [
                {
                    "transactionId": "b1",
                    "bookingDate": "2026-01-05",
                    "valueDate": "2026-01-05",
                    "transactionAmount": {"currency": "EUR", "amount": "-12.30"},
                    "creditorName": "Shop GmbH",
                    "remittanceInformationUnstructured": "Card payment",
                },
            ],
            "pending": [
                {
                    "transactionAmount": {"currency": "EUR", "amount": "-5.00"},
                    "valueDate": "2026-01-06",
                    "remittanceInformationUnstructured": "Kiosk",
                },
            ],
            "_links": {"next": {"href": "/cp/v1/accounts/x/transactions?page=2"}},
        },
    }
    second = {
        "transactions": {
            "booked": [
                {
                    "transactionId": "b2",
                    "bookingDate": "2026-01-07",
                    "transactionAmount": {"currency": "EUR", "amount": "2500"},
                    "debtorName": "ACME",
                    "remittanceInformationUnstructured": "Salary",
                },
                {
                    "transactionId": "b3",
                    "bookingDate": "yesterday",
                    "transactionAmount": {"currency": "EUR", "amount": "1"},
                },
            ],
            "pending": [],
            "_links": {},
        }
    }
    seen: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(str(request.url))
        body = second if request.url.params.get("page") == "2" else first
        return httpx2.Response(200, content=json.dumps(body).encode())

    from desktop_app.core.providers.base import RemoteAccount

    adapter = BerlinGroupAdapter("ConnectPay")
    pages = list(
        adapter.transactions(api_for(handler, "https://h.test/cp"), RemoteAccount("x", "A", "EUR"), date(2026, 1, 1))
    )
    assert seen == [
        "https://h.test/cp/v1/accounts/x/transactions?bookingStatus=both&dateFrom=2026-01-01",
        "https://h.test/cp/v1/accounts/x/transactions?page=2",
    ]
    rows = [
        (t.provider_id, t.status, t.booking_date, t.amount.minor_units, t.description, t.counterparty)
        for p in pages
        for t in p.transactions
    ]
    assert rows == [
        ("b1", TransactionStatus.BOOKED, date(2026, 1, 5), -1230, "Card payment", "Shop GmbH"),
        (None, TransactionStatus.PENDING, date(2026, 1, 6), -500, "Kiosk", None),
        ("b2", TransactionStatus.BOOKED, date(2026, 1, 7), 250000, "Salary", "ACME"),
    ]
    assert [p.reason for p in pages[1].problems] == ["bad booking date: 'yesterday'"]


def test_unrecognised_shape_is_a_malformed_response() -> None:
    api = api_for(lambda request: httpx2.Response(200, content=b'{"data": []}'))
    with pytest.raises(MalformedResponse, match="shape Saldo does not recognise"):
        BerlinGroupAdapter("ConnectPay").accounts(api)
    with pytest.raises(MalformedResponse):
        AiiaAdapter().accounts(api)
