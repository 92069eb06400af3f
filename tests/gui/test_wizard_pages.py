"""Wizard pages and settings: credentials, the keyring probed off the UI thread, screenshots."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from desktop_app.core.vault import Vault
from desktop_app.gui.settings import SettingsDialog
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.window import MainWindow
from desktop_app.gui.wizard import CONSENT, CREDENTIALS, PICK
from saldo_sandbox.app import Sandbox
from tests.gui.conftest import FakeBrowser, screenshot


def test_provider_list_starts_with_the_demo_bank(qtbot: QtBot, window: MainWindow) -> None:
    wizard = window.open_wizard()
    assert wizard.pages.currentIndex() == PICK
    first = wizard.provider_list.item(0)
    assert first.data(Qt.ItemDataRole.UserRole) == "demo" and "no credentials needed" in first.text()
    screenshot(wizard, "wizard-pick")
    wizard.reject()


def test_credentials_are_asked_once_then_consent_follows(
    qtbot: QtBot, window: MainWindow, browser: FakeBrowser, sandbox: Sandbox
) -> None:
    window.ctx.connector.sandbox = sandbox.url  # every provider answered by the simulator
    wizard = window.open_wizard("tatrabanka")
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CREDENTIALS, timeout=10_000)
    assert "Tatra banka credentials" in wizard.credentials_title.text()
    assert "this session only" in wizard.where_secrets.text()
    qtbot.mouseClick(wizard.save_button, Qt.MouseButton.LeftButton)
    assert "client id is required" in wizard.credentials_error.text()
    assert wizard.pages.currentIndex() == CREDENTIALS
    qtbot.keyClicks(wizard.client_id, "saldo-test-client")
    qtbot.keyClicks(wizard.client_secret, "s3cret-value")
    assert wizard.credentials_error.text() == ""
    screenshot(wizard, "wizard-credentials")
    qtbot.mouseClick(wizard.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT, timeout=10_000)
    assert wizard.client_secret.text() == ""  # not kept in the widget
    assert browser.urls and wizard.url_field.text() == browser.urls[-1]
    creds = window.ctx.vault.load_credentials("tatrabanka")
    assert creds is not None and creds.client_id == "saldo-test-client"
    qtbot.mouseClick(wizard.cancel_consent, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == PICK, timeout=10_000)
    # a second time the credentials are known: straight to the consent page
    wizard.choose("tatrabanka")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT, timeout=10_000)
    wizard.reject()


def test_the_keyring_is_probed_on_a_worker_and_the_window_opens_with_the_app_built(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.gui import app as gui_app
    from desktop_app.gui import opening, unlock

    release = threading.Event()
    probed_on: list[threading.Thread] = []

    def slow_keyring(redactor: object) -> Vault:
        probed_on.append(threading.current_thread())
        release.wait(20)  # a keyring waiting for its unlock prompt
        return Vault(None, session_only=True)

    monkeypatch.setattr(opening, "open_vault", slow_keyring)
    asked: list[unlock.UnlockMode] = []

    def run_unencrypted(_parent: object, _path: object, mode: unlock.UnlockMode, _error: str = "") -> unlock.KeyChoice:
        asked.append(mode)  # a first start with no keyring: the person chooses how the cache is kept
        return unlock.KeyChoice(None)

    monkeypatch.setattr(unlock, "ask_key", run_unencrypted)
    qt = QApplication.instance()
    tasks = TaskRunner()
    startup = gui_app._Startup(qt, str(tmp_path), tasks)  # type: ignore[arg-type]
    try:
        qtbot.waitUntil(lambda: bool(probed_on))
        qtbot.wait(50)  # the event loop keeps running while the keyring is probed
        assert startup.window is None and probed_on[0] is not threading.main_thread()
        release.set()
        qtbot.waitUntil(lambda: startup.window is not None, timeout=10_000)
        window = startup.window
        assert window is not None and window.ctx.vault.session_only
        assert asked == [unlock.UnlockMode.PROTECT]
        assert "session only" in window.status_text.text()
        qtbot.addWidget(window)
    finally:
        release.set()
        startup.shutdown()


def test_settings_tell_where_data_and_secrets_live(qtbot: QtBot, window: MainWindow, monkeypatch: object) -> None:
    shown: list[SettingsDialog] = []

    def exec_(dialog: SettingsDialog) -> int:
        shown.append(dialog)
        dialog.show()
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(SettingsDialog, "exec", exec_)  # type: ignore[attr-defined]
    window.show_settings()
    dialog = shown[0]
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(type(dialog.secrets))]
    assert str(window.ctx.data_dir) in texts
    assert "session only" in dialog.secrets.text() and "color" in dialog.secrets.styleSheet()
    assert any(t.startswith("Follows your system") for t in texts)
    screenshot(dialog, "settings")


def test_simplefin_setup_token_page_claims_and_syncs(qtbot: QtBot, window: MainWindow, sandbox: Sandbox) -> None:
    import httpx2

    from desktop_app.gui.wizard import DONE, SIMPLEFIN

    wizard = window.open_wizard("simplefin")
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == SIMPLEFIN, timeout=10_000)
    page = wizard.simplefin_page
    qtbot.mouseClick(page.claim_button, Qt.MouseButton.LeftButton)
    assert "Paste the setup token" in page.error.text()
    page.token.setText("not a token")
    qtbot.mouseClick(page.claim_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not a SimpleFIN setup token" in page.error.text(), timeout=10_000)
    qtbot.keyClicks(page.token, httpx2.post(sandbox.url + "/simplefin/create").text)
    qtbot.mouseClick(page.claim_button, Qt.MouseButton.LeftButton)
    assert page.token.text() == "", "the token leaves the field as soon as it is read"
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == DONE, timeout=30_000)
    (connection,) = window.ctx.store.connections()
    assert connection.provider == "simplefin"
    assert window.ctx.store.accounts(connection.id)
    screenshot(wizard, "wizard-simplefin-done")
    wizard.reject()


def test_enablebanking_page_keeps_the_key_lists_banks_and_consents_by_paste(
    qtbot: QtBot, window: MainWindow, browser: FakeBrowser, sandbox: Sandbox, tmp_path: Path
) -> None:
    import socket
    from urllib.parse import urljoin

    import httpx2
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from desktop_app.gui.wizard import DONE, ENABLEBANKING

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sandbox.state.enablebanking.apps["app-1"] = (public, (f"https://localhost:{port}/callback/enablebanking",))
    sandbox.auto_approve = True
    pem_file = tmp_path / "app-1.pem"
    pem_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    wizard = window.open_wizard("enablebanking")
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == ENABLEBANKING, timeout=10_000)
    page = wizard.enablebanking_page
    page.base = sandbox.url + "/enablebanking"
    qtbot.mouseClick(page.continue_button, Qt.MouseButton.LeftButton)
    assert "choose your bank" in page.error.text()
    qtbot.keyClicks(page.app_id, "app-1")
    page.key_file.setText(str(pem_file))
    qtbot.mouseClick(page.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.bank.count() == 2, timeout=10_000)
    assert page.key_file.text() == "" and page.app_id.text() == ""
    qtbot.mouseClick(page.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == CONSENT, timeout=10_000)
    url = wizard.url_field.text()
    with httpx2.Client(follow_redirects=False) as http:
        response = http.get(url)
        while not response.headers["Location"].startswith("https://"):
            response = http.get(urljoin(str(response.url), response.headers["Location"]))
    qtbot.keyClicks(wizard.paste_field, response.headers["Location"])
    qtbot.mouseClick(wizard.paste_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == DONE, timeout=30_000)
    (connection,) = window.ctx.store.connections()
    assert connection.provider == "enablebanking" and window.ctx.store.accounts(connection.id)
    screenshot(wizard, "wizard-enablebanking-done")
    wizard.reject()
