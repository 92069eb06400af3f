"""The product Demo Bank across app restarts, through the real core Connector and SyncEngine over HTTP.

Its state lives in the data folder, so a new Demo Bank on the same folder (on another port)
honours the tokens Saldo holds in its vault: the connection syncs again with no Reconnect.
"""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.connect import Connector
from desktop_app.core.models import Connection, ConnectionStatus
from desktop_app.core.store import Store
from desktop_app.core.sync import SyncEngine
from desktop_app.core.vault import Vault
from desktop_app.demo_bank import STATE_FILE, DemoBank
from tests.e2e.browser import consent


@dataclass
class App:
    """What survives an app restart: the cache file, the keyring (here a session vault) and the data folder."""

    data_dir: Path
    store: Store
    vault: Vault
    http: httpx2.Client

    def start(self, **options: object) -> tuple[DemoBank, Connector, SyncEngine]:
        """One run of the app: a new Demo Bank on the same folder, a new connector pointed at its URL."""
        bank = DemoBank(self.data_dir, seed=11, transactions=600, **options)  # type: ignore[arg-type]
        connector = Connector(self.store, self.vault, self.http, demo_bank_url=bank.start())
        return bank, connector, SyncEngine(self.store, connector.open_session)

    def connect(self, connector: Connector) -> Connection:
        pending = connector.begin("demo")
        try:
            browser = threading.Thread(target=consent, args=(pending.url,))
            browser.start()
            callback = pending.wait(15)
            browser.join()
            return connector.finish(pending, callback)
        finally:
            pending.close()


@pytest.fixture
def app(data_dir: Path) -> Iterator[App]:
    store = Store.open(data_dir / "saldo.db")
    with httpx2.Client(timeout=10) as http:
        try:
            yield App(data_dir, store, Vault(None, session_only=True), http)
        finally:
            store.close()


def _rows(app: App, connection_id: str) -> list[tuple[str, str, str]]:
    accounts = {a.id for a in app.store.accounts(connection_id)}
    return sorted(
        (t.provider_id or "", t.status.value, str(t.amount.normalized()))
        for t in app.store.iter_transactions()
        if t.account_id in accounts
    )


def test_a_restarted_demo_bank_syncs_the_existing_connection_without_reconnect(app: App) -> None:
    bank, connector, engine = app.start()
    connection = app.connect(connector)
    first = engine.sync(connection.id)
    assert first.ok and first.new > 300
    before = _rows(app, connection.id)
    old_url = bank.url
    bank.stop()

    bank, connector, engine = app.start()  # the next run of the app
    try:
        assert bank.url != old_url  # another port: the connector follows the Demo Bank
        again = engine.sync(connection.id)
        assert again.ok and again.new == 0, again.error  # the same ledger, the same ids
        assert _rows(app, connection.id) == before
        assert app.store.get_connection(connection.id).status == ConnectionStatus.ACTIVE
    finally:
        bank.stop()


def test_after_a_restart_an_expired_access_token_is_refreshed_with_the_saved_refresh_token(app: App) -> None:
    bank, connector, engine = app.start()
    connection = app.connect(connector)
    assert engine.sync(connection.id).ok
    bank.stop()
    tokens = app.vault.load_tokens(connection.id)
    assert tokens is not None and tokens.refresh_token
    # Two hours later the access token has lapsed, on Saldo's clock and on the Demo Bank's.
    app.vault.save_tokens(connection.id, replace(tokens, expires_at=time.time() - 3600))
    bank, connector, engine = app.start(clock=lambda: time.time() + 2 * 3600)
    try:
        refused = app.http.get(
            f"{bank.url}/demo/api/accounts", headers={"Authorization": f"Bearer {tokens.access_token}"}
        )
        assert refused.status_code == 401
        result = engine.sync(connection.id)
        assert result.ok, result.error
        renewed = app.vault.load_tokens(connection.id)
        assert renewed is not None and renewed.refresh_token not in (None, tokens.refresh_token)  # rotated
    finally:
        bank.stop()
    bank, connector, engine = app.start(clock=lambda: time.time() + 2 * 3600)
    try:  # the rotation itself was saved: the new pair works in the run after that too
        assert engine.sync(connection.id).ok
    finally:
        bank.stop()


def test_the_state_file_is_private_and_holds_no_token(app: App) -> None:
    bank, connector, engine = app.start()
    try:
        connection = app.connect(connector)
        assert engine.sync(connection.id).ok
    finally:
        bank.stop()
    path = app.data_dir / STATE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    tokens = app.vault.load_tokens(connection.id)
    assert tokens is not None and tokens.refresh_token
    assert tokens.access_token not in text and tokens.refresh_token not in text
    assert [p.name for p in app.data_dir.iterdir() if p.name.endswith(".tmp")] == []  # no temporary left over


def test_disconnecting_revokes_for_good_even_across_a_restart(app: App) -> None:
    bank, connector, _engine = app.start()
    try:
        connection = app.connect(connector)
        tokens = app.vault.load_tokens(connection.id)
        assert tokens is not None
        assert connector.disconnect(connection.id, keep_data=False)  # the Demo Bank confirmed the revocation
    finally:
        bank.stop()
    bank, _connector, _engine = app.start()
    try:
        data = app.http.get(f"{bank.url}/demo/api/accounts", headers={"Authorization": f"Bearer {tokens.access_token}"})
        assert data.status_code == 401
        refresh = app.http.post(
            f"{bank.url}/demo/oauth/token",
            data={"client_id": "demo-client", "grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
        )
        assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
    finally:
        bank.stop()
