"""Admin endpoints: faults, clock, added transactions, state and the ground truth."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import httpx2
import pytest

from saldo_sandbox import Sandbox
from tests.sandbox.conftest import NOW, aiia_tokens, bearer, demo_tokens, tatra_tokens


def _tatra(sandbox: Sandbox, http: httpx2.Client) -> tuple[str, dict[str, str]]:
    token = tatra_tokens(sandbox, http)["access_token"]
    return f"{sandbox.url}/tatrabanka/api/v1/accounts", bearer(token, **{"Request-ID": str(uuid.uuid4())})


def test_queued_faults_come_in_order_then_service_resumes(sandbox: Sandbox, http: httpx2.Client) -> None:
    url, headers = _tatra(sandbox, http)
    sandbox.admin("faults", queue=["503", "429", "500", "truncated", "reset"], retry_after=7)
    first = http.get(url, headers=headers)
    assert first.status_code == 503 and first.json()["error"] == "server_error"
    limited = http.get(url, headers=headers)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert http.get(url, headers=headers).status_code == 500
    cut = http.get(url, headers=headers)
    assert cut.status_code == 200 and cut.content.startswith(b"{")
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)
    with pytest.raises(httpx2.TransportError):
        http.get(url, headers=headers)
    healthy = http.get(url, headers=headers)
    assert healthy.status_code == 200 and healthy.json()["accounts"]


def test_random_faults_serve_every_kind_asked_for(sandbox: Sandbox, http: httpx2.Client) -> None:
    url, headers = _tatra(sandbox, http)
    sandbox.admin("faults", rate=1.0, kinds=["503", "429", "truncated", "reset"])
    seen = set()
    for _ in range(60):
        try:
            r = http.get(url, headers=headers)
        except httpx2.TransportError:
            seen.add("reset")
            continue
        seen.add(str(r.status_code) if r.status_code != 200 else "truncated")
    assert seen == {"503", "429", "truncated", "reset"}
    sandbox.admin("faults")  # {} clears
    assert http.get(url, headers=headers).status_code == 200


def test_slow_responses_and_latency(sandbox: Sandbox, http: httpx2.Client) -> None:
    url, headers = _tatra(sandbox, http)
    sandbox.admin("faults", queue=["slow"], slow_ms=300)
    started = time.perf_counter()
    assert http.get(url, headers=headers).status_code == 200
    assert time.perf_counter() - started >= 0.3
    with pytest.raises(httpx2.ReadTimeout):
        sandbox.admin("faults", queue=["slow"], slow_ms=600)
        http.get(url, headers=headers, timeout=0.2)


def test_faults_can_hit_the_token_endpoint_too(sandbox: Sandbox, http: httpx2.Client) -> None:
    sandbox.admin("faults", queue=["503"], where=["token"])
    response = http.post(sandbox.endpoint("demo", "token"), data={"client_id": "demo-client", "grant_type": "x"})
    assert response.status_code == 503


def test_bad_admin_requests_are_400_with_a_reason(sandbox: Sandbox, http: httpx2.Client) -> None:
    for what, body in (
        ("faults", {"kinds": ["meteor"]}),
        ("transactions", {"provider": "nobank", "amount": "1"}),
        ("transactions", {"provider": "demo", "amount": "1.234"}),
        ("transactions", {"provider": "demo"}),
        ("advance", {"seconds": "soon"}),
    ):
        response = http.post(f"{sandbox.url}/_admin/{what}", json=body)
        assert response.status_code == 400 and response.json()["error_description"], (what, body)
    assert http.get(f"{sandbox.url}/_admin/truth/nobank").status_code == 400
    assert http.post(f"{sandbox.url}/_admin/explode", json={}).status_code == 404


def test_added_transactions_show_up_and_pending_ones_book_with_aiia_ids(sandbox: Sandbox, http: httpx2.Client) -> None:
    tokens = aiia_tokens(sandbox, http)
    account = sandbox.ground_truth("aiia")["accounts"][0]
    added = sandbox.admin(
        "transactions", provider="aiia", account=account["iban"], amount="-12.30", pending=True, description="Kiosk"
    )["transaction"]
    assert added["amount"] == "-12.30" and added["currency"] == "DKK" and added["booked_id"] == added["id"] + "-B"
    url = f"{sandbox.url}/aiia/v1/accounts/{account['id']}/transactions"
    rows = http.get(url, params={"pageSize": 1000}, headers=bearer(tokens["access_token"])).json()["transactions"]
    (mine,) = [t for t in rows if t["id"] == added["id"]]
    assert mine["state"] == "Reserved" and mine["text"] == "Kiosk"
    sandbox.advance(days=1)
    booked = {t["id"]: t["status"] for t in sandbox.ground_truth("aiia")["accounts"][0]["transactions"]}
    assert booked[added["booked_id"]] == "booked" and added["id"] not in booked


def test_added_booked_transaction_moves_the_balance(sandbox: Sandbox) -> None:
    before = sandbox.ground_truth("tatrabanka")["accounts"][0]
    sandbox.admin("transactions", provider="tatrabanka", amount="100.05", date="2025-01-02")
    after = sandbox.ground_truth("tatrabanka")["accounts"][0]
    from decimal import Decimal

    assert Decimal(after["booked_balance"]) - Decimal(before["booked_balance"]) == Decimal("100.05")
    assert [t["date"] for t in after["transactions"]] == sorted(t["date"] for t in after["transactions"])


def test_state_reports_clock_settings_and_consents(sandbox: Sandbox, http: httpx2.Client) -> None:
    state = http.get(f"{sandbox.url}/_admin/state").json()
    assert state["today"] == "2026-03-14" and state["consents"] == [] and state["auto_approve"] is False
    demo_tokens(sandbox, http)
    sandbox.admin("advance", days=1, seconds=60)
    state = http.get(f"{sandbox.url}/_admin/state").json()
    assert state["now"] == "2026-03-15T12:01:00Z"
    (consent,) = state["consents"]
    assert consent["provider"] == "demo" and len(consent["accounts"]) == 3 and not consent["revoked"]


def test_ground_truth_format(sandbox: Sandbox, http: httpx2.Client) -> None:
    over_http = http.get(f"{sandbox.url}/_admin/truth/aiia").json()
    assert over_http == sandbox.ground_truth("aiia")
    assert set(over_http) == {"provider", "customer", "now", "today", "accounts"}
    account = over_http["accounts"][0]
    assert set(account) == {
        "id",
        "name",
        "iban",
        "currency",
        "owner",
        "customer",
        "booked_balance",
        "available_balance",
        "transactions",
    }
    assert set(account["transactions"][0]) == {
        "id",
        "status",
        "date",
        "books_on",
        "amount",
        "currency",
        "description",
        "counterparty",
    }
    c2 = http.get(f"{sandbox.url}/_admin/truth/connectpay?customer=c2").json()
    assert c2["customer"] == "c2" and [a["owner"] for a in c2["accounts"]] == ["Jensen Design UAB"]


def test_admin_over_urllib_as_an_external_script_would(sandbox: Sandbox) -> None:
    request = urllib.request.Request(
        f"{sandbox.url}/_admin/advance",
        data=b'{"seconds": 5}',
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["now"] == "2026-03-14T12:00:05Z"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{sandbox.url}/_admin/nothing", timeout=5)
    assert err.value.code == 404
    err.value.close()


def test_unknown_paths_are_404_json(sandbox: Sandbox, http: httpx2.Client) -> None:
    for path in ("/", "/nobank/x", "/aiia/v2/things", "/tatrabanka/api/v2/accounts"):
        response = http.get(sandbox.url + path)
        assert response.status_code in (401, 404), path
    assert http.get(f"{sandbox.url}/demo/elsewhere").status_code == 404


def test_the_clock_can_be_injected() -> None:
    with Sandbox(seed=1, transactions=50, clock=lambda: NOW + 86400 * 365) as sb:
        assert sb.ground_truth("demo")["today"] == "2027-03-14"


def test_latency_delays_data_calls_but_not_consent() -> None:
    with Sandbox(seed=1, transactions=50, latency_ms=250, clock=lambda: NOW) as sb, httpx2.Client(timeout=10) as http:
        assert http.get(f"{sb.url}/_admin/state").json()["faults"]["latency_ms"] == 250
        started = time.perf_counter()
        tokens = demo_tokens(sb, http)
        assert time.perf_counter() - started < 4 * 0.25  # four calls, none of them delayed
        started = time.perf_counter()
        assert http.get(f"{sb.url}/demo/api/accounts", headers=bearer(tokens["access_token"])).status_code == 200
        assert time.perf_counter() - started >= 0.25


def test_a_truncated_fault_cuts_exactly_one_answer_on_a_keep_alive_connection(sandbox: Sandbox) -> None:
    """Issue 16: the cut used to stay set on the connection's handler, so every later answer was cut too."""
    import http.client
    from urllib.parse import urlsplit

    with httpx2.Client(timeout=10) as client:
        token = demo_tokens(sandbox, client)["access_token"]
    sandbox.admin("faults", queue=["truncated", "503"])
    connection = http.client.HTTPConnection(urlsplit(sandbox.url).netloc, timeout=10)  # one socket for all
    try:

        def get() -> tuple[int, bytes]:
            connection.request("GET", "/demo/api/accounts", headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            return response.status, response.read()

        status, cut = get()
        assert status == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(cut)
        sock = connection.sock
        assert get()[0] == 503  # the next queued fault answers the next call, whole
        for _ in range(3):
            status, body = get()
            assert status == 200 and json.loads(body)["accounts"]  # and then every answer is whole again
        assert connection.sock is sock  # all on the same keep-alive connection
    finally:
        connection.close()
