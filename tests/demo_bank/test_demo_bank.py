"""The product Demo Bank over real loopback HTTP: OAuth rules, no admin or fault endpoints, its state file."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx2
import pytest

from desktop_app.demo_bank import STATE_FILE, DemoBank, DemoBankError
from tests.sandbox.conftest import FORM, RECEIVER, approve, pkce, query_of

DAY = 86400.0
NOW = 1_773_489_600.0  # 2026-03-14 12:00 UTC


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=10, follow_redirects=False) as client:
        yield client


def _authorize(url: str, challenge: str | None, **extra: str) -> str:
    q = {"client_id": "demo-client", "redirect_uri": f"{RECEIVER}/callback/demo", "response_type": "code", **extra}
    if challenge:
        q.update(code_challenge=challenge, code_challenge_method="S256", state="st")
    return f"{url}/demo/oauth/authorize?{urlencode(q)}"


def _tokens(http: httpx2.Client, url: str) -> dict[str, str]:
    verifier, challenge = pkce()
    code = approve(http, _authorize(url, challenge))["code"]
    body = {
        "grant_type": "authorization_code",
        "client_id": "demo-client",
        "code": code,
        "redirect_uri": f"{RECEIVER}/callback/demo",
        "code_verifier": verifier,
    }
    response = http.post(f"{url}/demo/oauth/token", content=urlencode(body).encode(), headers=FORM)
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


def _everything(http: httpx2.Client, url: str, token: str) -> list[dict[str, object]]:
    auth = {"Authorization": f"Bearer {token}"}
    rows: list[dict[str, object]] = []
    for account in http.get(f"{url}/demo/api/accounts", headers=auth).json()["accounts"]:
        cursor: str | None = "0"
        while cursor is not None:
            page = http.get(
                f"{url}/demo/api/accounts/{account['id']}/transactions", params={"cursor": cursor}, headers=auth
            ).json()
            rows += page["transactions"]
            cursor = page["nextCursor"]
    return rows


def test_it_serves_no_admin_fault_or_other_provider_endpoints(data_dir: Path, http: httpx2.Client) -> None:
    with DemoBank(data_dir, transactions=200) as bank:
        for method, path in (
            ("GET", "/_admin/state"),
            ("GET", "/_admin/truth/demo"),
            ("POST", "/_admin/faults"),
            ("POST", "/_admin/revoke"),
            ("POST", "/_admin/advance"),
            ("POST", "/_admin/settings"),
            ("GET", "/aiia/v1/oauth/connect"),
            ("GET", "/tatrabanka/api/v1/accounts"),
            ("GET", "/demo/api/elsewhere"),
        ):
            response = http.request(method, bank.url + path, json={"queue": ["503"], "auto_approve": True})
            assert response.status_code == 404, (method, path)
            assert response.json()["error"] == "not_found"


def test_consent_needs_the_person_and_pkce(data_dir: Path, http: httpx2.Client) -> None:
    with DemoBank(data_dir, transactions=200) as bank:
        first = http.get(_authorize(bank.url, pkce()[1]))
        assert first.status_code == 302 and "/demo/consent?request_id=" in first.headers["Location"]  # never auto
        no_pkce = http.get(_authorize(bank.url, None))
        assert query_of(no_pkce.headers["Location"])["error"] == "invalid_request"
        foreign = http.get(_authorize(bank.url, pkce()[1], redirect_uri="https://evil.example/callback/demo"))
        assert foreign.status_code == 400 and "Location" not in foreign.headers
        denied = approve(http, _authorize(bank.url, pkce()[1]), decision="deny")
        assert denied["error"] == "access_denied" and denied["state"] == "st"


def test_codes_are_single_use_and_bound_to_the_verifier(data_dir: Path, http: httpx2.Client) -> None:
    with DemoBank(data_dir, transactions=200) as bank:
        verifier, challenge = pkce()
        code = approve(http, _authorize(bank.url, challenge))["code"]
        body = {
            "grant_type": "authorization_code",
            "client_id": "demo-client",
            "code": code,
            "redirect_uri": f"{RECEIVER}/callback/demo",
            "code_verifier": "x" * 43,
        }
        token = f"{bank.url}/demo/oauth/token"
        assert http.post(token, content=urlencode(body).encode(), headers=FORM).json()["error"] == "invalid_grant"
        body["code_verifier"] = verifier  # the code was used up by the failed attempt
        assert http.post(token, content=urlencode(body).encode(), headers=FORM).json()["error"] == "invalid_grant"
        assert http.post(token, data={"client_id": "other"}).status_code == 401


def test_refresh_tokens_rotate(data_dir: Path, http: httpx2.Client) -> None:
    with DemoBank(data_dir, transactions=200) as bank:
        tokens = _tokens(http, bank.url)
        body = {"client_id": "demo-client", "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        renewed = http.post(f"{bank.url}/demo/oauth/token", data=body)
        assert renewed.status_code == 200 and renewed.json()["refresh_token"] != tokens["refresh_token"]
        again = http.post(f"{bank.url}/demo/oauth/token", data=body)
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_the_same_ledger_after_a_restart_and_new_movements_as_days_pass(data_dir: Path, http: httpx2.Client) -> None:
    with DemoBank(data_dir, seed=5, transactions=2000, clock=lambda: NOW) as bank:
        tokens = _tokens(http, bank.url)
        first = _everything(http, bank.url, tokens["access_token"])
    assert 1700 < len(first) < 2400 and any(t["status"] == "pending" for t in first)
    # Another run, other seed asked for: the saved seed and anchor day decide, so nothing changes.
    with DemoBank(data_dir, seed=99, transactions=5000, clock=lambda: NOW + 60) as bank:
        assert _everything(http, bank.url, tokens["access_token"]) == first
    with DemoBank(data_dir, clock=lambda: NOW + 10 * DAY) as bank:
        later = _everything(http, bank.url, _tokens(http, bank.url)["access_token"])
    by_id = {t["id"]: t for t in later}
    assert len(later) > len(first)  # ten days of new movements
    for old in first:  # every movement keeps its id and amount; pending ones have booked
        assert by_id[old["id"]]["amount"] == old["amount"] and by_id[old["id"]]["status"] == "booked"
    assert any(t["status"] == "pending" for t in later)  # recent card payments still pend


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"version": 99}', b'{"version": 1, "seed": 1}', "é".encode("latin-1")],
    ids=["garbled", "a list", "too new", "incomplete", "not utf-8"],
)
def test_a_damaged_state_file_is_refused_in_one_line_and_left_as_it_was(data_dir: Path, content: bytes) -> None:
    path = data_dir / STATE_FILE
    path.write_bytes(content)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DemoBankError, match="damaged") as err:
        DemoBank(data_dir).start()
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_fifo_or_directory_in_its_place_is_refused_at_once(data_dir: Path) -> None:
    path = data_dir / STATE_FILE
    os.mkfifo(path)
    started = time.monotonic()
    with pytest.raises(DemoBankError, match="not the Demo Bank's state file"):
        DemoBank(data_dir).start()
    assert time.monotonic() - started < 5
    path.unlink()
    path.mkdir()
    with pytest.raises(DemoBankError, match="not the Demo Bank's state file"):
        DemoBank(data_dir).start()


def test_a_missing_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DemoBankError, match="cannot write"):
        DemoBank(tmp_path / "absent").start()
