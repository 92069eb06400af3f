"""SimpleFIN Bridge end to end: setup token, claim, windows, limits, messages, secrets.

Everything runs through the real core (create_app, the connector, the sync engine, a real
SQLite file) against the simulator's SimpleFIN Bridge over loopback HTTP.
"""

from __future__ import annotations

import base64
import logging
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.errors import SetupTokenError
from desktop_app.core.models import ConnectionStatus
from desktop_app.core.providers.simplefin import WINDOW_DAYS, AccessUrl, parse_access_url
from saldo_sandbox.app import Sandbox
from tests.e2e.conftest import World


def setup_token(sandbox: Sandbox) -> str:
    answer = httpx2.post(sandbox.url + "/simplefin/create")
    assert answer.status_code == 200
    return answer.text


def access_of(world: World, connection_id: str) -> AccessUrl:
    tokens = world.vault.load_tokens(connection_id)
    assert tokens is not None
    return parse_access_url(tokens.access_token)


def test_claim_sync_equals_the_bridge_in_90_day_windows(world: World) -> None:
    done = world.connector.simplefin.connect(setup_token(world.sandbox))
    connection = done.connection
    result = world.engine.sync(connection.id)
    assert result.status == "ok", (result.error, result.problems)
    truth = world.truth("simplefin")
    assert sum(truth.values()) > 100
    assert world.cache(connection.id) == truth
    balances = {a.account.provider_account_id: a.balance for a in world.store.accounts_with_balances()}
    for account in world.sandbox.ground_truth("simplefin")["accounts"]:
        assert str(balances[account["id"]].normalized()) == account["booked_balance"]  # type: ignore[union-attr]
    windows = world.sandbox.state.simplefin.windows
    assert windows and all(0 < end - start <= WINDOW_DAYS * 86400 for start, end in windows)
    assert len(windows) == 1 + 5, "one listing at connect, then a year in five windows shared by all accounts"
    again = world.engine.sync(connection.id)
    assert again.new == 0 and again.requests == 1, "an incremental sync is one request for every account"


def test_a_claimed_token_cannot_be_claimed_twice(world: World) -> None:
    token = setup_token(world.sandbox)
    world.connector.simplefin.connect(token)
    with pytest.raises(SetupTokenError, match="already claimed"):
        world.connector.simplefin.connect(token)
    assert len(world.store.connections()) == 1


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "not base64 at all!",
        base64.b64encode(b"ftp://bridge.example/claim/x").decode(),
        base64.b64encode(b"http://bridge.example/claim/x").decode(),  # plain http off this machine
        base64.b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_bad_setup_token_is_one_clear_error_and_stores_nothing(world: World, bad: str) -> None:
    with pytest.raises(SetupTokenError, match="not a SimpleFIN setup token"):
        world.connector.simplefin.connect(bad)
    assert world.store.connections() == []


def test_the_bridges_messages_reach_the_person(world: World) -> None:
    connection = world.connector.simplefin.connect(setup_token(world.sandbox)).connection
    world.engine.sync(connection.id)
    book = world.sandbox.state.simplefin
    user = access_of(world, connection.id).user
    with world.sandbox.state.lock:
        day = world.sandbox.state.today()
        book.requests[(user, day)] = 30  # as if another app had used the access all day
    result = world.engine.sync(connection.id, unattended=False)
    assert any("SimpleFIN Bridge says: You have made more than 24 requests" in p for p in result.problems)
    assert result.status == "partial"


def test_daily_request_limit_stops_before_24_and_resumes_without_a_gap(world: World) -> None:
    connection = world.connector.simplefin.connect(setup_token(world.sandbox)).connection
    # 20 requests spent today (recorded as a sync records them) + 2 by the connect: room for 2 more
    run = world.store.start_sync_run(connection.id)
    world.store.finish_sync_run(replace(run, status="ok", details={"requests": 20}))
    first = world.engine.sync(connection.id)
    assert first.status == "rate_limited" and "24 requests a day" in (first.error or "")
    assert first.requests == 2
    assert sum(world.cache(connection.id).values()) > 0, "the oldest window was read and kept"
    # a day later the sync resumes from the last booked day: nothing in between is lost
    world.connector.simplefin.clock = lambda: datetime.now(UTC) + timedelta(days=1, minutes=1)
    second = world.engine.sync(connection.id)
    assert second.status == "ok", second.error
    assert world.cache(connection.id) == world.truth("simplefin")


def test_revoked_access_needs_reconnect_and_a_new_token_keeps_the_history(world: World) -> None:
    connection = world.connector.simplefin.connect(setup_token(world.sandbox)).connection
    assert world.engine.sync(connection.id).ok
    held = world.cache(connection.id)
    world.sandbox.revoke("simplefin")
    result = world.engine.sync(connection.id)
    assert result.status == "needs_reconsent"
    assert world.store.get_connection(connection.id).status is ConnectionStatus.NEEDS_RECONSENT
    assert world.cache(connection.id) == held
    again = world.connector.simplefin.connect(setup_token(world.sandbox)).connection
    assert again.id == connection.id and len(world.store.connections()) == 1
    assert world.engine.sync(again.id).ok
    assert world.cache(again.id) == world.truth("simplefin")


def test_twenty_percent_faults_give_an_exact_ledger(world: World) -> None:
    connection = world.connector.simplefin.connect(setup_token(world.sandbox)).connection
    world.sandbox.admin("faults", rate=0.2, kinds=["500", "503", "reset", "truncated"])
    result = world.engine.sync(connection.id)
    assert result.status == "ok", result.error
    world.sandbox.admin("faults")
    assert world.cache(connection.id) == world.truth("simplefin")


def test_the_access_url_is_only_in_the_keyring(world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    connection = world.connector.simplefin.connect(setup_token(world.sandbox)).connection
    access = access_of(world, connection.id)
    world.engine.sync(connection.id)
    world.sandbox.revoke("simplefin")
    world.engine.sync(connection.id)  # errors too
    secrets = [access.url, access.password, access.basic()[6:]]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert not any(s.encode() in blob for s in secrets), path
    assert not any(s in caplog.text for s in secrets)
    assert not any(s in repr(access) for s in secrets)


def test_cli_connect_and_providers(sandbox_url: str, tmp_path: Path) -> None:
    def saldo(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop_app", *args, "--data-dir", str(tmp_path)],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "PATH": "/usr/bin:/bin"},
        )

    listed = saldo("providers", "--format", "csv")
    assert listed.returncode == 0 and "simplefin,SimpleFIN Bridge,North America,none,setup token" in listed.stdout
    token = httpx2.post(sandbox_url + "/simplefin/create").text
    made = saldo("connect", "simplefin", "--setup-token-stdin", stdin=token + "\n")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("connected: ")
    again = saldo("connect", "simplefin", "--setup-token-stdin", stdin=token + "\n")
    said = [line for line in again.stderr.splitlines() if "keyring" not in line.lower()]
    assert again.returncode == 1 and len(said) == 1 and "already claimed" in said[0]
    wrong = saldo("connect", "demo", "--setup-token-stdin", stdin=token)
    assert wrong.returncode != 0 and "SimpleFIN Bridge only" in wrong.stderr
    outputs = made.stdout + made.stderr + again.stdout + again.stderr
    assert "@127.0.0.1" not in outputs and "/simplefin/bridge" not in outputs


@pytest.fixture
def sandbox_url() -> object:
    with Sandbox(seed=3, transactions=300) as sandbox:
        yield sandbox.url
