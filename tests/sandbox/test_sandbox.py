"""The simulator's documented behaviour, checked over real HTTP as a client would see it."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest

from desktop_app.sandbox.app import Sandbox
from desktop_app.sandbox.data import generate
from desktop_app.sandbox.server import dumps_exact

LOOPBACK = "http://127.0.0.1:5123"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=3, transactions=400) as sb:
        yield sb


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=10, follow_redirects=False) as client:
        yield client


def basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def code_from(sandbox: Sandbox, url: str) -> dict[str, str]:
    """Approve consent and return the query the provider redirected back with."""
    sandbox.state.auto_approve = True
    with httpx2.Client(follow_redirects=False) as http:
        response = http.get(url)
        while "/consent" in response.headers.get("Location", ""):
            response = http.get(sandbox.url + response.headers["Location"])
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def test_aiia_regular_is_302_and_one_time_is_301(sandbox: Sandbox, http: httpx2.Client) -> None:
    q = {"client_id": "aiia-client", "redirect_uri": f"{LOOPBACK}/callback/aiia", "response_type": "code", "state": "s"}
    assert http.get(f"{sandbox.url}/aiia/v1/oauth/connect?{urlencode(q)}").status_code == 302
    one_time = http.get(f"{sandbox.url}/aiia/v1/oauth/connect?{urlencode({**q, 'scope': 'accounts'})}")
    assert one_time.status_code == 301


def test_aiia_wildcard_redirect_and_exact_matching(sandbox: Sandbox, http: httpx2.Client) -> None:
    q = {"client_id": "aiia-client", "response_type": "code", "state": "s"}
    ok = http.get(f"{sandbox.url}/aiia/v1/oauth/connect?{urlencode({**q, 'redirect_uri': f'{LOOPBACK}/aiia/any/x'})}")
    assert ok.status_code == 302
    bad = http.get(
        f"{sandbox.url}/aiia/v1/oauth/connect?{urlencode({**q, 'redirect_uri': 'https://evil.example/aiia/x'})}"
    )
    assert bad.status_code == 400


def test_aiia_token_takes_basic_and_json_and_codes_are_single_use(sandbox: Sandbox, http: httpx2.Client) -> None:
    redirect = f"{LOOPBACK}/callback/aiia"
    q = {"client_id": "aiia-client", "redirect_uri": redirect, "response_type": "code", "state": "s"}
    back = code_from(sandbox, f"{sandbox.url}/aiia/v1/oauth/connect?{urlencode(q)}")
    assert back["state"] == "s" and uuid.UUID(back["consentId"])
    assert set("+/=") & set(back["code"])  # Aiia's codes are not URL safe
    body = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect}
    url = f"{sandbox.url}/aiia/v1/oauth/token"
    form = http.post(url, content=urlencode(body).encode(), headers=basic("aiia-client", "aiia-secret"))
    assert form.status_code == 415  # a form body is refused: Aiia wants JSON
    wrong = http.post(url, json=body, headers=basic("aiia-client", "nope"))
    assert wrong.status_code == 401
    good = http.post(url, json=body, headers=basic("aiia-client", "aiia-secret"))
    assert good.status_code == 200 and good.json()["refresh_token"]
    again = http.post(url, json=body, headers=basic("aiia-client", "aiia-secret"))
    assert again.json()["error"] == "invalid_grant"


def test_codes_expire_after_a_minute(sandbox: Sandbox, http: httpx2.Client) -> None:
    redirect = f"{LOOPBACK}/callback/tatrabanka"
    q = {"client_id": "tatrabanka-client", "redirect_uri": redirect, "response_type": "code", "scope": "AISP"}
    back = code_from(sandbox, f"{sandbox.url}/tatrabanka/auth/oauth/v2/authorize?{urlencode(q)}")
    sandbox.admin("advance", seconds=61)
    response = http.post(
        f"{sandbox.url}/tatrabanka/auth/oauth/v2/token",
        content=urlencode(
            {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect}
        ).encode(),
        headers={
            **basic("tatrabanka-client", "tatrabanka-secret"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.json() == {"error": "invalid_grant", "error_description": "invalid_grant"}


def _aritma_token(sandbox: Sandbox, http: httpx2.Client, verifier: str, scope: str) -> httpx2.Response:
    import hashlib

    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"right-verifier-" + b"x" * 30).digest()).rstrip(b"=").decode()
    redirect = f"{LOOPBACK}/callback/aritma"
    q = {
        "client_id": "aritma-client",
        "redirect_uri": redirect,
        "response_type": "code",
        "scope": scope,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "prompt": "login",
        "acr_values": "mfa",
    }
    back = code_from(sandbox, f"{sandbox.url}/aritma/saldo/connect/authorize?{urlencode(q)}")
    body = {
        "grant_type": "authorization_code",
        "code": back["code"],
        "redirect_uri": redirect,
        "client_id": "aritma-client",
        "client_secret": "aritma-secret",
        "code_verifier": verifier,
    }
    return http.post(
        f"{sandbox.url}/aritma/saldo/connect/token",
        content=urlencode(body).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def test_aritma_pkce_offline_access_and_id_token(sandbox: Sandbox, http: httpx2.Client) -> None:
    good = _aritma_token(sandbox, http, "right-verifier-" + "x" * 30, "openid banking.ais.read offline_access")
    data = good.json()
    assert data["expires_in"] == 86400 and data["refresh_token"] and data["id_token"].count(".") == 2
    without = _aritma_token(sandbox, http, "right-verifier-" + "x" * 30, "openid banking.ais.read").json()
    assert "refresh_token" not in without
    bad = _aritma_token(sandbox, http, "wrong-verifier-" + "x" * 30, "openid banking.ais.read")
    assert bad.json()["error"] == "invalid_grant"


def test_connectpay_rules(sandbox: Sandbox, http: httpx2.Client) -> None:
    base = {
        "client_id": "connectpay-client",
        "redirect_url": f"{LOOPBACK}/callback/connectpay",
        "response_type": "code",
        "flowId": "GetPSD2AuthCode",
        "nonce": str(uuid.uuid4()),
        "state": "s",
    }
    url = f"{sandbox.url}/connectpay/auth/v1/oauth2/authorize"
    assert http.get(f"{url}?{urlencode({**base, 'scope': 'psd2-ais'})}").status_code == 301
    mixed = http.get(f"{url}?{urlencode({**base, 'scope': 'psd2-ais accounts'})}")
    assert mixed.status_code == 400 and "mixed" in mixed.text
    assert http.get(f"{url}?{urlencode({**base, 'scope': 'psd2-ais', 'nonce': '123'})}").status_code == 400
    query_in_redirect = {**base, "scope": "psd2-ais", "redirect_url": f"{LOOPBACK}/callback/connectpay?x=1"}
    assert http.get(f"{url}?{urlencode(query_in_redirect)}").status_code == 400
    back = code_from(sandbox, f"{url}?{urlencode({**base, 'scope': 'psd2-ais'})}")
    assert back["flowId"] == "GetPSD2AuthCode" and back["state"] == "s"
    token_url = f"{sandbox.url}/connectpay/auth/v1/oauth2/token"
    form = {"Content-Type": "application/x-www-form-urlencoded", **basic("connectpay-client", "connectpay-secret")}
    body = urlencode({"grant_type": "authorization_code", "code": back["code"]}).encode()
    assert http.post(token_url, content=body, headers=form).status_code == 400  # no X-Request-ID
    first = http.post(token_url, content=body, headers={**form, "X-Request-ID": str(uuid.uuid4())}).json()
    assert first["refresh_token_expires_in"] == "2592000"
    refresh = urlencode({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).encode()
    second = http.post(token_url, content=refresh, headers={**form, "X-Request-ID": str(uuid.uuid4())}).json()
    assert second["refresh_token"] != first["refresh_token"]  # rotated
    reused = http.post(token_url, content=refresh, headers={**form, "X-Request-ID": str(uuid.uuid4())})
    assert reused.json()["error"] == "invalid_grant"


def _tatra_token(sandbox: Sandbox, http: httpx2.Client) -> str:
    redirect = f"{LOOPBACK}/callback/tatrabanka"
    q = {"client_id": "tatrabanka-client", "redirect_uri": redirect, "response_type": "code", "scope": "AISP"}
    back = code_from(sandbox, f"{sandbox.url}/tatrabanka/auth/oauth/v2/authorize?{urlencode(q)}")
    response = http.post(
        f"{sandbox.url}/tatrabanka/auth/oauth/v2/token",
        content=urlencode(
            {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect}
        ).encode(),
        headers={
            **basic("tatrabanka-client", "tatrabanka-secret"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    ).json()
    assert response["expires_in"] == 90 * 86400
    return str(response["access_token"])


def test_tatra_page_size_bounds_and_revocation(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = _tatra_token(sandbox, http)
    headers = {"Authorization": f"Bearer {token}", "Request-ID": str(uuid.uuid4())}
    (account,) = http.get(f"{sandbox.url}/tatrabanka/api/v1/accounts", headers=headers).json()["accounts"][:1]
    url = f"{sandbox.url}/tatrabanka/api/v1/accounts/transactions"
    for size, status in ((10, 200), (100, 200), (50, 200), (5, 400), (15, 400), (110, 400), (0, 400)):
        body = {"iban": account["iban"], "status": "ALL", "page": 1, "pageSize": size}
        assert http.post(url, json=body, headers=headers).status_code == status, size
    backwards = {"iban": account["iban"], "page": 1, "pageSize": 10, "dateFrom": "2026-02-01", "dateTo": "2026-01-01"}
    assert http.post(url, json=backwards, headers=headers).status_code == 400
    assert (
        http.get(f"{sandbox.url}/tatrabanka/api/v1/accounts", headers={"Authorization": f"Bearer {token}"}).status_code
        == 400
    )
    sandbox.admin("revoke", provider="tatrabanka")
    for call in (
        lambda: http.get(f"{sandbox.url}/tatrabanka/api/v1/accounts", headers=headers),
        lambda: http.post(
            f"{sandbox.url}/tatrabanka/api/v1/accounts/information", json={"iban": account["iban"]}, headers=headers
        ),
        lambda: http.post(url, json={"iban": account["iban"], "page": 1, "pageSize": 10}, headers=headers),
    ):
        assert call().status_code == 401


def test_fault_injection_serves_every_kind(sandbox: Sandbox, http: httpx2.Client) -> None:
    token = _tatra_token(sandbox, http)
    headers = {"Authorization": f"Bearer {token}", "Request-ID": "r"}
    sandbox.admin("faults", rate=1.0, kinds=["503", "429", "truncated", "reset"])
    seen = set()
    for _ in range(40):
        try:
            r = http.get(f"{sandbox.url}/tatrabanka/api/v1/accounts", headers=headers)
        except httpx2.TransportError:
            seen.add("reset")
            continue
        if r.status_code == 429:
            assert r.headers["Retry-After"] == "0"
        seen.add(str(r.status_code) if r.status_code != 200 else "truncated")
    assert seen == {"503", "429", "truncated", "reset"}
    sandbox.admin("faults", rate=0.0)
    assert http.get(f"{sandbox.url}/tatrabanka/api/v1/accounts", headers=headers).status_code == 200


def test_consent_page_is_plain_html_without_scripts(sandbox: Sandbox, http: httpx2.Client) -> None:
    q = {
        "client_id": "demo-client",
        "redirect_uri": f"{LOOPBACK}/callback/demo",
        "response_type": "code",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
        "state": "s",
    }
    page = http.get(sandbox.url + http.get(f"{sandbox.url}/demo/oauth/authorize?{urlencode(q)}").headers["Location"])
    assert page.status_code == 200 and "Demo Bank" in page.text
    assert "<script" not in page.text and 'name="account"' in page.text and 'value="deny"' in page.text
    assert "http://" not in page.text.replace(LOOPBACK, "") and "https://" not in page.text


def test_demo_requires_pkce_and_denial_redirects_with_error(sandbox: Sandbox, http: httpx2.Client) -> None:
    q = {"client_id": "demo-client", "redirect_uri": f"{LOOPBACK}/callback/demo", "response_type": "code", "state": "s"}
    back = http.get(f"{sandbox.url}/demo/oauth/authorize?{urlencode(q)}")
    assert parse_qs(urlsplit(back.headers["Location"]).query)["error"] == ["invalid_request"]


def test_generator_is_deterministic_and_varied() -> None:
    from datetime import date

    a = generate("demo", 5, 3000, date(2026, 1, 1))
    b = generate("demo", 5, 3000, date(2026, 1, 1))
    c = generate("demo", 6, 3000, date(2026, 1, 1))
    assert [(t.id, t.minor, t.day) for t in a.txs[a.accounts[0].id]] == [
        (t.id, t.minor, t.day) for t in b.txs[b.accounts[0].id]
    ]
    assert a.txs != c.txs
    assert {acc.currency for acc in a.accounts} == {"EUR", "SEK"}
    texts = {t.description.split()[0] for txs in a.txs.values() for t in txs}
    assert {"Salary", "Rent", "Groceries", "Transport", "Spotify", "Transfer"} <= texts
    total = sum(len(v) for v in a.txs.values())
    assert 2500 < total < 3700
    assert any(t.books_on for txs in a.txs.values() for t in txs)


def test_json_numbers_are_exact(sandbox: Sandbox) -> None:
    from decimal import Decimal

    assert dumps_exact({"value": Decimal("4843.34"), "n": [Decimal("-0.10")]}) == b'{"value": 4843.34, "n": [-0.10]}'


def test_saldo_sandbox_command_prints_its_url_and_serves(tmp_path: object) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "sandbox", "--transactions", "300", "--seed", "9"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("sandbox: http://127.0.0.1:")
        url = line.split(" ", 1)[1]
        truth = httpx2.get(f"{url}/_admin/truth/demo", timeout=10).json()
        assert truth["accounts"] and truth["provider"] == "demo"
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err


def test_dump_prints_ground_truth_for_every_provider() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "sandbox", "--dump", "--transactions", "200"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) == {"demo", "aiia", "aritma", "connectpay", "tatrabanka"}
