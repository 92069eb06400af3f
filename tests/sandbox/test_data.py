"""The data APIs: shapes, paging, amounts on the wire, pending movements, expiry and revocation."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import httpx2
import pytest

from saldo_sandbox import Sandbox
from tests.sandbox.conftest import (
    aiia_token,
    aiia_tokens,
    aritma_tokens,
    bearer,
    connectpay_tokens,
    demo_tokens,
    tatra_tokens,
)


def _truth_keys(truth: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(a["id"], t["id"], t["status"], t["amount"]) for a in truth["accounts"] for t in a["transactions"]]


def _demo_all(sandbox: Sandbox, http: httpx2.Client, token: object, limit: int = 37) -> list[tuple[str, str, str, str]]:
    out = []
    for account in http.get(f"{sandbox.url}/demo/api/accounts", headers=bearer(token)).json()["accounts"]:
        cursor = None
        while True:
            params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            page = http.get(
                f"{sandbox.url}/demo/api/accounts/{account['id']}/transactions", params=params, headers=bearer(token)
            ).json()
            out += [(account["id"], t["id"], t["status"], t["amount"]) for t in page["transactions"]]
            cursor = page["nextCursor"]
            if cursor is None:
                break
    return out


def test_demo_pages_add_up_to_the_ground_truth(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = demo_tokens(sandbox, http)["access_token"]
    assert _demo_all(sandbox, http, token) == _truth_keys(sandbox.ground_truth("demo"))
    accounts = http.get(f"{sandbox.url}/demo/api/accounts", headers=bearer(token)).json()["accounts"]
    truth = {a["id"]: a for a in sandbox.ground_truth("demo")["accounts"]}
    for a in accounts:
        assert a["balances"]["booked"] == truth[a["id"]]["booked_balance"]
        assert Decimal(a["balances"]["available"]) <= Decimal(a["balances"]["booked"])  # pending spending
        assert {a["currency"] for a in accounts} == {"EUR", "SEK"}


def test_pending_books_later_keeping_its_id_at_the_demo_bank(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = demo_tokens(sandbox, http)["access_token"]
    before = _demo_all(sandbox, http, token)
    pending = {tid for _, tid, status, _ in before if status == "pending"}
    assert pending
    sandbox.advance(days=4)
    token = demo_tokens(sandbox, http)["access_token"]
    after = {tid: status for _, tid, status, _ in _demo_all(sandbox, http, token)}
    assert all(after[tid] == "booked" for tid in pending)


def _aiia_transactions(
    sandbox: Sandbox, http: httpx2.Client, token: object, page_size: int = 25
) -> list[dict[str, Any]]:
    out = []
    accounts = http.get(f"{sandbox.url}/aiia/v1/accounts", headers=bearer(token)).json()["accounts"]
    for account in accounts:
        paging = None
        while True:
            params: dict[str, Any] = {"pageSize": page_size}
            if paging:
                params["pagingToken"] = paging
            response = http.get(
                f"{sandbox.url}/aiia/v1/accounts/{account['id']}/transactions", params=params, headers=bearer(token)
            )
            body = json.loads(response.content, parse_float=Decimal)
            out += body["transactions"]
            paging = body["pagingToken"]
            if not paging:
                break
    return out


def test_aiia_reserved_transaction_books_under_a_new_id(sandbox: Sandbox, http: httpx2.Client) -> None:
    tokens = aiia_tokens(sandbox, http)
    before = _aiia_transactions(sandbox, http, tokens["access_token"])
    reserved = [t for t in before if t["state"] == "Reserved"]
    assert reserved and {t["state"] for t in before} == {"Booked", "Reserved"}
    sandbox.advance(days=4)
    token = aiia_token(http, sandbox, {"grant_type": "refresh_token", "refresh_token": str(tokens["refresh_token"])})
    token = token.json()["access_token"]
    after = {t["id"]: t for t in _aiia_transactions(sandbox, http, token)}
    assert len(after) == len(before)
    for old in reserved:
        assert old["id"] not in after  # the reserved id is gone ...
        twin = after[old["id"] + "-B"]  # ... and the booked movement has a new one
        assert twin["state"] == "Booked" and twin["transactionAmount"] == old["transactionAmount"]


def test_aiia_amounts_are_exact_json_numbers_and_paging_tokens_are_opaque(
    sandbox: Sandbox, http: httpx2.Client
) -> None:
    token = aiia_tokens(sandbox, http)["access_token"]
    accounts = http.get(f"{sandbox.url}/aiia/v1/accounts", headers=bearer(token))
    parsed = json.loads(accounts.content, parse_float=Decimal)["accounts"]
    truth = {a["id"]: a for a in sandbox.ground_truth("aiia")["accounts"]}
    for a in parsed:
        assert a["booked"]["currency"] == "DKK" and isinstance(a["booked"]["value"], Decimal)
        assert a["booked"]["value"] == Decimal(truth[a["id"]]["booked_balance"])
        one = http.get(f"{sandbox.url}/aiia/v1/accounts/{a['id']}", headers=bearer(token)).json()
        assert one["id"] == a["id"] and one["number"]["iban"] == truth[a["id"]]["iban"]
    first = parsed[0]["id"]
    page = http.get(
        f"{sandbox.url}/aiia/v1/accounts/{first}/transactions", params={"pageSize": 5}, headers=bearer(token)
    )
    body = json.loads(page.content, parse_float=Decimal)
    assert not body["pagingToken"].isdigit()
    assert all(isinstance(t["transactionAmount"]["value"], Decimal) for t in body["transactions"])
    assert b'"value": "' not in page.content  # numbers, never strings
    for bad in ({"pageSize": 0}, {"pageSize": 1001}, {"pagingToken": "not-ours"}):
        response = http.get(f"{sandbox.url}/aiia/v1/accounts/{first}/transactions", params=bad, headers=bearer(token))
        assert response.status_code == 400 and "errorMessage" in response.json()
    assert _truth_keys(sandbox.ground_truth("aiia")) == [  # same digits, same scale
        (
            t["accountId"],
            t["id"],
            "booked" if t["state"] == "Booked" else "pending",
            str(t["transactionAmount"]["value"]),
        )
        for t in _aiia_transactions(sandbox, http, token, page_size=1000)
    ]


def test_aiia_one_time_data_is_gone_after_a_day(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = aiia_tokens(sandbox, http, scope="accounts")["access_token"]
    url = f"{sandbox.url}/aiia/v1/accounts"
    sandbox.advance(seconds=3000)
    assert http.get(url, headers=bearer(token)).status_code == 200
    regular = aiia_tokens(sandbox, http)
    sandbox.advance(seconds=24 * 3600 - 3000 + 1)
    gone = http.get(url, headers=bearer(token))
    assert gone.status_code == 401 and set(gone.json()) == {"errorType", "errorMessage"}
    renewed = http.post(
        sandbox.endpoint("aiia", "token"),
        json={"grant_type": "refresh_token", "refresh_token": regular["refresh_token"]},
        headers={"Authorization": "Basic YWlpYS1jbGllbnQ6YWlpYS1zZWNyZXQ="},
    )
    assert http.get(url, headers=bearer(renewed.json()["access_token"])).status_code == 200  # regular one lives on


def test_revocation_gives_401_on_every_call_and_refresh_fails(sandbox: Sandbox, http: httpx2.Client) -> None:
    tokens = tatra_tokens(sandbox, http)
    headers = bearer(tokens["access_token"], **{"Request-ID": str(uuid.uuid4())})
    base = f"{sandbox.url}/tatrabanka/api/v1/accounts"
    iban = http.get(base, headers=headers).json()["accounts"][0]["iban"]
    assert sandbox.admin("revoke", provider="tatrabanka") == {"ok": True, "count": 1}
    calls = [
        http.get(base, headers=headers),
        http.post(f"{base}/information", json={"iban": iban}, headers=headers),
        http.post(f"{base}/transactions", json={"iban": iban, "page": 1, "pageSize": 10}, headers=headers),
    ]
    assert [c.status_code for c in calls] == [401, 401, 401]
    assert calls[0].json()["error"] == "invalid_token"
    from tests.sandbox.conftest import tatra_token

    refreshed = tatra_token(
        http, sandbox, {"grant_type": "refresh_token", "refresh_token": str(tokens["refresh_token"])}
    )
    assert refreshed.json()["error"] == "invalid_grant"
    again = tatra_tokens(sandbox, http)  # re-consent works
    assert http.get(base, headers=bearer(again["access_token"], **{"Request-ID": "x"})).status_code == 200


def test_expiring_one_consent_leaves_the_others(sandbox: Sandbox, http: httpx2.Client) -> None:
    first = demo_tokens(sandbox, http)
    second = demo_tokens(sandbox, http)
    consents = http.get(f"{sandbox.url}/_admin/state").json()["consents"]
    assert len(consents) == 2
    assert sandbox.admin("expire", consent_id=consents[0]["consent_id"])["count"] == 1
    url = f"{sandbox.url}/demo/api/accounts"
    assert http.get(url, headers=bearer(first["access_token"])).status_code == 401
    assert http.get(url, headers=bearer(second["access_token"])).status_code == 200
    assert http.get(f"{sandbox.url}/_admin/state").json()["consents"][0]["expired"] is True


@pytest.mark.parametrize(
    ("size", "status"), [(10, 200), (20, 200), (100, 200), (0, 400), (5, 400), (15, 400), (110, 400), ("10", 400)]
)
def test_tatra_page_size_must_be_ten_to_a_hundred_in_tens(
    sandbox: Sandbox, http: httpx2.Client, size: object, status: int
) -> None:
    headers = bearer(tatra_tokens(sandbox, http)["access_token"], **{"Request-ID": str(uuid.uuid4())})
    iban = http.get(f"{sandbox.url}/tatrabanka/api/v1/accounts", headers=headers).json()["accounts"][0]["iban"]
    response = http.post(
        f"{sandbox.url}/tatrabanka/api/v1/accounts/transactions",
        json={"iban": iban, "status": "ALL", "page": 1, "pageSize": size},
        headers=headers,
    )
    assert response.status_code == status
    if status == 400:
        assert set(response.json()) == {"error", "error_description"}
    else:
        truth = sandbox.ground_truth("tatrabanka")["accounts"]
        held = next(len(a["transactions"]) for a in truth if a["iban"] == iban)
        assert len(response.json()["transactions"]) == min(int(str(size)), held)


def test_tatra_paging_status_filters_dates_and_request_id(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = tatra_tokens(sandbox, http)["access_token"]
    headers = bearer(token, **{"Request-ID": str(uuid.uuid4())})
    url = f"{sandbox.url}/tatrabanka/api/v1/accounts"
    assert http.get(url, headers=bearer(token)).status_code == 400  # no Request-ID
    truth = sandbox.ground_truth("tatrabanka")
    account = truth["accounts"][0]
    info = http.post(f"{url}/information", json={"iban": account["iban"]}, headers=headers).json()
    assert {b["type"]: b["amount"]["value"] for b in info["balances"]} == {
        "InterimBooked": account["booked_balance"],
        "InterimAvailable": account["available_balance"],
    }
    seen: dict[str, list[str]] = {}
    for status in ("ALL", "BOOK", "INFO"):
        page, ids = 1, []
        while True:
            body = http.post(
                f"{url}/transactions",
                json={"iban": account["iban"], "status": status, "page": page, "pageSize": 30},
                headers=headers,
            ).json()
            ids += [t["transactionId"] for t in body["transactions"]]
            if page >= body["pageCount"]:
                break
            page += 1
        seen[status] = ids
    assert seen["ALL"] == [t["id"] for t in account["transactions"]]
    assert seen["BOOK"] == [t["id"] for t in account["transactions"] if t["status"] == "booked"]
    assert seen["INFO"] == [t["id"] for t in account["transactions"] if t["status"] == "pending"] != []
    middle = account["transactions"][len(account["transactions"]) // 2]["date"]
    window = http.post(
        f"{url}/transactions",
        json={"iban": account["iban"], "page": 1, "pageSize": 100, "dateFrom": middle, "dateTo": middle},
        headers=headers,
    ).json()["transactions"]
    assert window and {t["bookingDate"] for t in window} == {middle}
    backwards = {"iban": account["iban"], "page": 1, "pageSize": 10, "dateFrom": "2026-02-01", "dateTo": "2026-01-01"}
    assert http.post(f"{url}/transactions", json=backwards, headers=headers).status_code == 400
    unknown = http.post(f"{url}/transactions", json={"iban": "SK00", "page": 1, "pageSize": 10}, headers=headers)
    assert unknown.status_code == 404


def _berlin_walk(http: httpx2.Client, sandbox: Sandbox, first: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    url: str | None = first
    while url:
        report = http.get(url, headers=headers).json()["transactions"]
        out += [{**t, "status": "booked"} for t in report["booked"]] + [
            {**t, "status": "pending"} for t in report["pending"]
        ]
        nxt = report["_links"].get("next")
        url = sandbox.url + nxt["href"] if nxt else None
    return out


def test_connectpay_berlin_group_shapes_and_paging(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = connectpay_tokens(sandbox, http)["access_token"]
    headers = bearer(token, **{"X-Request-ID": str(uuid.uuid4())})
    assert http.get(f"{sandbox.url}/connectpay/v1/accounts", headers=bearer(token)).status_code == 400
    accounts = http.get(f"{sandbox.url}/connectpay/v1/accounts?withBalance=true", headers=headers).json()["accounts"]
    truth = sandbox.ground_truth("connectpay")["accounts"][0]
    (account,) = accounts
    assert account["resourceId"] == truth["id"] and account["balances"][0]["balanceType"] == "closingBooked"
    assert account["balances"][0]["balanceAmount"] == {"currency": "EUR", "amount": truth["booked_balance"]}
    rows = _berlin_walk(
        http, sandbox, f"{sandbox.url}/connectpay/v1/accounts/{truth['id']}/transactions?bookingStatus=both", headers
    )
    assert len(rows) == len(truth["transactions"]) > 100  # more than one page
    assert all(isinstance(r["transactionAmount"]["amount"], str) for r in rows)
    assert [r.get("transactionId") for r in rows if r["status"] == "booked"] == [
        t["id"] for t in truth["transactions"] if t["status"] == "booked"
    ]
    pending = [r for r in rows if r["status"] == "pending"]
    assert pending and all("transactionId" not in r for r in pending)
    only_booked = _berlin_walk(
        http, sandbox, f"{sandbox.url}/connectpay/v1/accounts/{truth['id']}/transactions?bookingStatus=booked", headers
    )
    assert len(only_booked) == len(rows) - len(pending)
    wrong = http.get(f"{sandbox.url}/connectpay/v1/accounts/nope/balances", headers=headers)
    assert wrong.status_code == 404 and wrong.json()["tppMessages"][0]["code"] == "RESOURCE_UNKNOWN"


def test_connectpay_without_psd2_ais_sees_no_accounts(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = connectpay_tokens(sandbox, http, scope="psd2-ais psd2-pis", scopes=["psd2-pis"])["access_token"]
    response = http.get(f"{sandbox.url}/connectpay/v1/accounts", headers=bearer(token, **{"X-Request-ID": "r"}))
    assert response.status_code == 403 and response.json()["tppMessages"][0]["code"] == "CONSENT_INVALID"


def test_aritma_banking_api_and_v3_pascal_case(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = aritma_tokens(sandbox, http)["access_token"]
    headers = bearer(token)
    truth = sandbox.ground_truth("aritma")["accounts"]
    accounts = http.get(f"{sandbox.url}/aritma/api/accounts", headers=headers).json()["accounts"]
    assert [a["resourceId"] for a in accounts] == [a["id"] for a in truth]
    first = truth[0]
    rows = _berlin_walk(http, sandbox, f"{sandbox.url}/aritma/api/accounts/{first['id']}/transactions", headers)
    assert [(r["transactionId"], r["transactionAmount"]["amount"]) for r in rows] == [
        (t["id"], t["amount"]) for t in first["transactions"]
    ]
    assert all("unstructuredRemittanceInformation" in r for r in rows)
    (company,) = http.get(f"{sandbox.url}/aritma/api/v3/companies", headers=headers).json()
    v3 = http.get(f"{sandbox.url}/aritma/api/v3/accounts/{company['CompanyId']}", headers=headers)
    parsed = json.loads(v3.content, parse_float=Decimal)
    assert parsed["Accounts"][0]["Currency"] == "NOK"
    assert parsed["Accounts"][0]["BookedBalance"] == Decimal(first["booked_balance"])
    number = parsed["Accounts"][0]["AccountNumber"]
    statements_url = f"{sandbox.url}/aritma/api/v3/statements/{company['CompanyId']}"
    lonely = http.get(statements_url, params={"accountNo": number, "fromDate": "2025-01-01"}, headers=headers)
    assert lonely.status_code == 400 and lonely.json()["status"] == 400
    taken: list[Decimal] = []
    skip = 0
    while True:
        page = http.get(statements_url, params={"accountNo": number, "take": 50, "skip": skip}, headers=headers)
        body = json.loads(page.content, parse_float=Decimal)
        taken += [s["Amount"] for s in body["Statements"]]
        skip += 50
        if skip >= body["Total"]:
            break
    assert taken == [Decimal(t["amount"]) for t in first["transactions"] if t["status"] == "booked"]


def test_aritma_data_needs_a_banking_scope(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = aritma_tokens(sandbox, http, scope="openid profile")["access_token"]
    assert http.get(f"{sandbox.url}/aritma/api/accounts", headers=bearer(token)).status_code == 403
