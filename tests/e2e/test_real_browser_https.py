"""A real Chromium completes an Enable Banking consent: over https to Saldo's loopback receiver
(trusting this installation's certificate by its key), and by paste-back after refusing it."""

from __future__ import annotations

import base64
import hashlib
import socket
import subprocess
from pathlib import Path

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from desktop_app.core.app import create_app
from desktop_app.core.enablebanking_link import BankConsent
from desktop_app.core.vault import Vault
from saldo_sandbox.app import Sandbox
from tests.conftest import require_binary
from tests.e2e.test_real_browser import FLAGS

pytestmark = pytest.mark.browser
APP_ID = "3b0c1d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _register(sandbox: Sandbox) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    sandbox.state.enablebanking.apps[APP_ID] = (public, (f"https://localhost:{_port()}/callback/enablebanking",))
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _spki(certificate: Path) -> str:
    """What Chromium's --ignore-certificate-errors-spki-list wants: base64(SHA-256(SPKI))."""
    cert = x509.load_pem_x509_certificate(certificate.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def test_chromium_lands_on_the_https_receiver(tmp_path: Path) -> None:
    chromium = require_binary("chromium")
    with Sandbox(seed=2, transactions=300, auto_approve=True) as sandbox, httpx2.Client(timeout=10) as http:
        app = create_app(tmp_path, vault=Vault(None, session_only=True), http=http)
        link = app.connector.enablebanking
        link.save_app(APP_ID, _register(sandbox))
        pending: BankConsent = link.begin("FI", "Mock ASPSP", base=sandbox.url + "/enablebanking")
        assert pending.receiver is not None
        trust = f"--ignore-certificate-errors-spki-list={_spki(pending.receiver.certificate)}"
        browser = subprocess.Popen(
            [chromium, *FLAGS, trust, f"--user-data-dir={tmp_path / 'profile'}", pending.url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            callback = pending.wait(60)
        finally:
            browser.kill()
            browser.wait(timeout=30)
            pending.close()
        connection = link.finish(pending, callback)
        assert app.engine.sync(connection.id).ok
        assert app.store.count_transactions() > 100
        app.close()


def test_chromium_refuses_the_certificate_and_the_address_is_pasted(tmp_path: Path) -> None:
    chromium = require_binary("chromium")
    driver_path = require_binary("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    with Sandbox(seed=3, transactions=300, auto_approve=True) as sandbox, httpx2.Client(timeout=10) as http:
        app = create_app(tmp_path, vault=Vault(None, session_only=True), http=http)
        link = app.connector.enablebanking
        link.save_app(APP_ID, _register(sandbox))
        pending = link.begin("FI", "Mock ASPSP", base=sandbox.url + "/enablebanking")
        browser = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            browser.get(pending.url)
            landed = browser.current_url  # the certificate error page keeps the address
            assert landed.startswith("https://localhost:") and "code=" in landed
            assert pending.receiver is not None and not pending.receiver._done.is_set()
            callback = pending.paste(landed)
        finally:
            browser.quit()
            pending.close()
        connection = link.finish(pending, callback)
        assert app.engine.sync(connection.id).ok
        app.close()
