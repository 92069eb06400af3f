"""Several `saldo sync` processes refreshing one connection at once (a real Secret Service).

The sandbox rotates refresh tokens: the one a refresh spends is `invalid_grant` afterwards.
Without a lock across processes, the second process spends the token the first one already
rotated and the connection is wrongly marked "needs re-consent".
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.app import create_app
from desktop_app.core.models import ConnectionStatus
from desktop_app.core.vault import Vault
from saldo_sandbox.app import Sandbox
from tests.sync.test_faults_and_crashes import _connect

ROUNDS = {2: 10, 4: 10}  # processes at once: repetitions (20 in all)


@pytest.mark.secret_service
@pytest.mark.slow
def test_processes_refreshing_together_all_succeed_and_the_connection_stays_usable(
    tmp_path: Path, secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends import SecretService

    for name, value in secret_service.items():
        monkeypatch.setenv(name, value)
    data = tmp_path / "data"
    env = {**os.environ, **secret_service, "QT_QPA_PLATFORM": "offscreen"}
    with Sandbox(seed=3, transactions=40) as sandbox, httpx2.Client(timeout=10) as http:
        with create_app(data, vault=Vault.open(SecretService.Keyring()), http=http) as app:
            connection_id = _connect(app.connector, sandbox)
        command = [sys.executable, "-m", "desktop_app", "--data-dir", str(data), "sync", connection_id]
        for processes, rounds in ROUNDS.items():
            for _ in range(rounds):
                vault = Vault.open(SecretService.Keyring())
                tokens = vault.load_tokens(connection_id)
                assert tokens is not None
                vault.save_tokens(connection_id, replace(tokens, expires_at=time.time() - 1))  # due now
                children = [
                    subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for _ in range(processes)
                ]
                for child in children:
                    out, err = child.communicate(timeout=120)
                    assert child.returncode == 0, err
                    assert f"{connection_id}: ok" in out
                after = Vault.open(SecretService.Keyring()).load_tokens(connection_id)
                assert after is not None and after.refresh_token != tokens.refresh_token  # rotated once, kept
        with create_app(data, vault=Vault.open(SecretService.Keyring()), http=http) as app:
            assert app.store.get_connection(connection_id).status is ConnectionStatus.ACTIVE
            assert app.engine.sync(connection_id).ok


def test_a_successful_sync_clears_a_stale_needs_reconsent_mark(tmp_path: Path) -> None:
    with Sandbox(seed=3, transactions=40) as sandbox, httpx2.Client(timeout=10) as http:
        with create_app(tmp_path, vault=Vault(None, session_only=True), http=http) as app:
            connection_id = _connect(app.connector, sandbox)
            app.store.set_connection_status(connection_id, ConnectionStatus.NEEDS_RECONSENT)
            assert app.engine.sync(connection_id).ok
            assert app.store.get_connection(connection_id).status is ConnectionStatus.ACTIVE
