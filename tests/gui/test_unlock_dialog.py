"""The start-up passphrase dialog: what it accepts, what it refuses, and how it looks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.store.keys import MIN_PASSPHRASE
from desktop_app.gui.unlock import UnlockDialog, UnlockMode
from tests.gui.conftest import screenshot

CACHE = Path("/home/ana/.local/share/saldo/saldo.db")


def test_unlock_accepts_the_typed_passphrase_with_enter(qtbot: QtBot) -> None:
    dialog = UnlockDialog(None, CACHE, UnlockMode.UNLOCK, "The passphrase does not open the cache.")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.focusWidget() is dialog.passphrase  # typing goes straight into the passphrase
    assert not dialog.ok.isEnabled()  # nothing typed yet
    assert "does not open" in dialog.problem.text()  # the previous attempt's reason stays visible
    qtbot.keyClicks(dialog.passphrase, "correct horse")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.result() == UnlockDialog.DialogCode.Accepted
    assert dialog.choice is not None and dialog.choice.passphrase == "correct horse"
    assert not dialog.choice.plain


def test_protect_refuses_short_and_mismatched_passphrases(qtbot: QtBot) -> None:
    dialog = UnlockDialog(None, CACHE, UnlockMode.PROTECT)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.passphrase, "x" * (MIN_PASSPHRASE - 1))
    assert not dialog.ok.isEnabled()
    assert str(MIN_PASSPHRASE) in dialog.problem.text()
    qtbot.keyClicks(dialog.passphrase, "x")
    qtbot.keyClicks(dialog.confirm, "y" * MIN_PASSPHRASE)
    assert not dialog.ok.isEnabled()
    assert "differ" in dialog.problem.text()
    dialog.ok.click()  # a disabled button does nothing; the dialog stays open
    assert dialog.choice is None
    dialog.confirm.setText("x" * MIN_PASSPHRASE)
    assert dialog.ok.isEnabled() and dialog.problem.text() == ""
    dialog.ok.click()
    assert dialog.choice is not None and dialog.choice.passphrase == "x" * MIN_PASSPHRASE


def test_protect_offers_running_unencrypted(qtbot: QtBot) -> None:
    dialog = UnlockDialog(None, CACHE, UnlockMode.PROTECT)
    qtbot.addWidget(dialog)
    assert dialog.plain is not None and "without encryption" in dialog.plain.text()
    dialog.plain.click()
    assert dialog.choice is not None and dialog.choice.plain


def test_quit_leaves_no_choice(qtbot: QtBot) -> None:
    dialog = UnlockDialog(None, CACHE, UnlockMode.UNLOCK)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.passphrase, "typed but abandoned")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == UnlockDialog.DialogCode.Rejected
    assert dialog.choice is None


def test_unlock_dialog_screens(qtbot: QtBot, theme: str) -> None:
    for mode in UnlockMode:
        dialog = UnlockDialog(
            None, CACHE, mode, "The passphrase does not open the cache." if mode.value == "unlock" else ""
        )
        qtbot.addWidget(dialog)
        dialog.show()
        # every control the person reaches has a name a screen reader can say
        assert all(w.accessibleName() for w in (dialog.passphrase, dialog.confirm))
        screenshot(dialog, f"unlock-{mode.value}-{theme}")
