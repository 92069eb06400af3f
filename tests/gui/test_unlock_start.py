"""Starting on a cache whose key is not in a keyring: the passphrase is asked for, a wrong one is
said, and a first start without a keyring lets the person choose a passphrase or no encryption."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.paths import database_path
from desktop_app.core.redact import Redactor
from desktop_app.core.store.database import SQLITE_HEADER
from desktop_app.core.vault import Vault
from desktop_app.gui import opening, unlock
from desktop_app.gui.app import _Startup
from desktop_app.gui.opening import KeyNeeded, build_app
from desktop_app.gui.tasks import TaskRunner

SECRET = "correct horse battery"


@pytest.fixture(autouse=True)
def no_passphrase_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SALDO_PASSPHRASE", raising=False)


def header(folder: Path) -> bytes:
    return database_path(folder).read_bytes()[: len(SQLITE_HEADER)]


def no_keyring() -> Vault:
    return Vault(None, session_only=True)


def test_first_start_without_a_keyring_asks_before_writing(tmp_path: Path) -> None:
    with pytest.raises(KeyNeeded) as need:
        build_app(str(tmp_path), Redactor(), vault=no_keyring())
    assert need.value.mode == "protect" and need.value.path == database_path(tmp_path)
    assert not database_path(tmp_path).exists()


@pytest.mark.parametrize(("choice", "encrypted"), [({"plain": True}, False), ({"passphrase": SECRET}, True)])
def test_the_choice_decides_how_the_new_cache_is_kept(tmp_path: Path, choice: dict, encrypted: bool) -> None:  # type: ignore[type-arg]
    app, tree = build_app(str(tmp_path), Redactor(), vault=no_keyring(), **choice)
    app.close()
    assert tree.empty
    assert (header(tmp_path) != SQLITE_HEADER) is encrypted


def test_a_passphrase_cache_is_asked_for_and_a_wrong_passphrase_said(tmp_path: Path) -> None:
    app, _ = build_app(str(tmp_path), Redactor(), vault=no_keyring(), passphrase=SECRET)
    app.close()
    before = database_path(tmp_path).read_bytes()
    with pytest.raises(KeyNeeded) as need:
        build_app(str(tmp_path), Redactor(), vault=no_keyring())
    assert need.value.mode == "unlock" and need.value.reason == ""  # nothing typed yet: nothing wrong yet
    with pytest.raises(KeyNeeded) as wrong:
        build_app(str(tmp_path), Redactor(), vault=no_keyring(), passphrase="not the passphrase")
    assert wrong.value.mode == "unlock" and "does not open" in wrong.value.reason
    with pytest.raises(KeyNeeded) as short:
        build_app(str(tmp_path), Redactor(), vault=no_keyring(), passphrase="short")
    assert "too short" in short.value.reason
    assert database_path(tmp_path).read_bytes() == before  # the refused attempts changed nothing
    app, _ = build_app(str(tmp_path), Redactor(), vault=no_keyring(), passphrase=SECRET)
    app.close()


def test_the_window_opens_after_the_passphrase_is_given(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = build_app(str(tmp_path), Redactor(), vault=no_keyring(), passphrase=SECRET)
    app.close()
    monkeypatch.setattr(opening, "open_vault", lambda _redactor: no_keyring())
    asked: list[tuple[unlock.UnlockMode, str]] = []
    answers = iter(["a wrong guess", SECRET])

    def answer(_parent: object, _path: Path, mode: unlock.UnlockMode, error: str = "") -> unlock.KeyChoice:
        asked.append((mode, error))
        return unlock.KeyChoice(next(answers))

    monkeypatch.setattr(unlock, "ask_key", answer)
    startup = _Startup(qapp, str(tmp_path), TaskRunner())
    try:
        qtbot.waitUntil(lambda: startup.window is not None, timeout=20_000)
        assert [mode for mode, _ in asked] == [unlock.UnlockMode.UNLOCK, unlock.UnlockMode.UNLOCK]
        assert asked[0][1] == "" and "does not open" in asked[1][1]
        assert startup.window is not None and startup.window.isVisible()
    finally:
        if startup.window is not None:
            startup.window.close()
        startup.shutdown()


def test_quit_in_the_passphrase_dialog_ends_saldo(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "open_vault", lambda _redactor: no_keyring())
    monkeypatch.setattr(unlock, "ask_key", lambda *_args: None)
    exits: list[int] = []
    monkeypatch.setattr(qapp, "exit", exits.append)
    startup = _Startup(qapp, str(tmp_path), TaskRunner())
    try:
        qtbot.waitUntil(lambda: exits == [1], timeout=20_000)
        assert startup.window is None and not database_path(tmp_path).exists()
    finally:
        startup.shutdown()
