"""A real browser (Debian's Chromium, headless) walks the consent redirects to the receiver."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.app import create_app
from desktop_app.core.vault import Vault
from saldo_sandbox.app import Sandbox
from tests.cachekeys import memory_keys
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
        app = create_app(tmp_path, vault=Vault(None, session_only=True), http=http, keys=memory_keys())
        store, connector = app.store, app.connector
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
        assert app.engine.sync(connection.id).ok
        assert store.count_transactions() > 100
        app.close()


def test_chromium_clicks_approve_on_the_consent_page(tmp_path: Path) -> None:
    """The person's part, done by a real browser: open the consent page, click Approve."""
    chromium = require_binary("chromium")
    driver_path = require_binary("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    with Sandbox(seed=5, transactions=300) as sandbox, httpx2.Client(timeout=10) as http:
        app = create_app(tmp_path, vault=Vault(None, session_only=True), http=http, keys=memory_keys())
        store, connector = app.store, app.connector
        connector.save_credentials("tatrabanka", "tatrabanka-client", "tatrabanka-secret")
        pending = connector.begin("tatrabanka", sandbox=sandbox.url)
        browser = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            browser.get(pending.url)
            assert "Tatra banka" in browser.title
            boxes = browser.find_elements(By.NAME, "account")
            assert len(boxes) == 2
            boxes[1].click()  # share only the first account
            browser.find_element(By.ID, "approve").click()
            callback = pending.wait(30)
            assert "connected" in browser.page_source
        finally:
            browser.quit()
            pending.close()
        connection = connector.finish(pending, callback)
        assert app.engine.sync(connection.id).ok
        assert len(store.accounts(connection.id)) == 1
        app.close()
