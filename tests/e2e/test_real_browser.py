"""A real browser (Debian's Chromium, headless) walks the consent redirects to the receiver."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.connect import Connector
from desktop_app.core.store import Store
from desktop_app.core.sync import SyncEngine
from desktop_app.core.vault import Vault
from desktop_app.sandbox.app import Sandbox
from tests.conftest import require_binary

pytestmark = pytest.mark.browser

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_chromium_completes_the_demo_bank_consent(tmp_path: Path) -> None:
    chromium = require_binary("chromium")
    with Sandbox(seed=2, transactions=300, auto_approve=True) as sandbox, httpx2.Client(timeout=10) as http:
        store = Store.open(tmp_path / "saldo.db")
        connector = Connector(store, Vault(None, session_only=True), http)
        pending = connector.begin("demo", sandbox=sandbox.url)
        browser = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", pending.url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            callback = pending.wait(60)
        finally:
            browser.kill()
            browser.wait(timeout=30)
            pending.close()
        connection = connector.finish(pending, callback)
        assert SyncEngine(store, connector.open_session).sync(connection.id).ok
        assert store.count_transactions() > 100
        store.close()
