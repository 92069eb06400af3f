"""Wizard pages and settings: credentials, the keyring probed off the UI thread, screenshots."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop_app.core.vault import Vault
from desktop_app.gui.context import AppContext
from desktop_app.gui.settings import SettingsDialog
from desktop_app.gui.window import MainWindow
from desktop_app.gui.wizard import CONSENT, CREDENTIALS, PICK
from desktop_app.sandbox.app import Sandbox
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
    window.ctx.sandbox_for_all = sandbox.url
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


def test_nothing_touches_secrets_until_the_keyring_is_probed(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    ctx.vault_ready = False
    win = MainWindow(ctx, browser)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: ctx.tasks.running == 0)
    assert not win.try_demo.isEnabled() and not win.commands.connect.isEnabled()
    assert "Checking the system keyring" in win.try_demo.toolTip()
    settings = SettingsDialog(ctx, win)
    assert settings.secrets.text() == "Checking the system keyring…"
    settings.close()
    probed = Vault(None, session_only=True)
    win.vault_opened(probed)
    assert ctx.vault is probed and ctx.connector.vault is probed
    assert win.try_demo.isEnabled() and win.commands.connect.isEnabled()
    assert "session only" in win.status_text.text()


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
