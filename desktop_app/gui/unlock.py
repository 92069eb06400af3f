"""Asking for the cache passphrase at start-up, when the keyring cannot hold the cache key.

Two situations reach the person: an encrypted cache whose key is not at hand (no keyring, or a
cache that was protected with a passphrase), and a first start without a keyring, where Saldo
asks whether to protect the new cache with a passphrase or to run unencrypted. The dialog only
collects the answer; opening the cache stays on a worker (gui/app.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.core.store.keys import MIN_PASSPHRASE
from desktop_app.gui import editor_parts as parts


class UnlockMode(Enum):
    UNLOCK = "unlock"  # an encrypted cache: give its passphrase
    PROTECT = "protect"  # a new cache without a keyring: choose a passphrase, or go unencrypted


@dataclass(frozen=True)
class KeyChoice:
    """What the person chose: a passphrase, or (PROTECT only) no encryption."""

    passphrase: str | None = None

    @property
    def plain(self) -> bool:
        return self.passphrase is None


class UnlockDialog(QDialog):
    """Passphrase entry; `choice` holds the answer after `exec()` returned Accepted."""

    def __init__(self, parent: QWidget | None, path: Path, mode: UnlockMode, error: str = "") -> None:
        super().__init__(parent)
        self.mode = mode
        self.choice: KeyChoice | None = None
        self.setWindowTitle(f"Unlock {APP_NAME}" if mode is UnlockMode.UNLOCK else f"Protect your {APP_NAME} data")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(460)

        intro = QLabel(self._intro(path))
        intro.setWordWrap(True)
        self.passphrase = self._field("Passphrase")
        self.confirm = self._field("Passphrase again")
        self.problem = parts.error_label(error)

        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        if mode is UnlockMode.PROTECT:
            form.addRow("&Again:", self.confirm)
        else:
            self.confirm.hide()

        self.buttons = QDialogButtonBox()
        self.ok = QPushButton("&Unlock" if mode is UnlockMode.UNLOCK else "&Encrypt")
        self.ok.setDefault(True)
        self.buttons.addButton(self.ok, QDialogButtonBox.ButtonRole.AcceptRole)
        self.plain: QPushButton | None = None
        if mode is UnlockMode.PROTECT:
            self.plain = QPushButton("Continue &without encryption")
            self.plain.setToolTip("Anyone who can read your files can then read your transactions.")
            self.buttons.addButton(self.plain, QDialogButtonBox.ButtonRole.ActionRole)
            self.plain.clicked.connect(self._go_plain)
        quit_button = self.buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setAccessibleName(f"Quit {APP_NAME}")
        self.ok.clicked.connect(self._accept_passphrase)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.passphrase.textChanged.connect(self._update)
        self.confirm.textChanged.connect(self._update)
        self._update()
        self.passphrase.setFocus()

    def _intro(self, path: Path) -> str:
        if self.mode is UnlockMode.UNLOCK:
            return (
                f"Your data in {path} is encrypted, and its key is not in a keyring on this computer. "
                "Give the passphrase it was protected with."
            )
        return (
            "No system keyring is available to keep the key of your data. Choose a passphrase to encrypt "
            f"your data in {path}. You will be asked for it at each start, and nobody can recover it if it is lost "
            "(a backup can), or continue without encryption."
        )

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setAccessibleName(name)
        return field

    def _why_not(self) -> str:
        """Why the passphrase cannot be accepted yet ("" when it can)."""
        text = self.passphrase.text()
        if self.mode is UnlockMode.UNLOCK:
            return "" if text else " "
        if len(text) < MIN_PASSPHRASE:
            return f"Use at least {MIN_PASSPHRASE} characters."
        if self.confirm.text() != text:
            return "The two passphrases differ."
        return ""

    def _update(self) -> None:
        reason = self._why_not()
        self.ok.setEnabled(not reason)
        if self.passphrase.text() or self.confirm.text():
            self.problem.setText(reason.strip())

    def _accept_passphrase(self) -> None:
        if self._why_not():
            return
        self.choice = KeyChoice(self.passphrase.text())
        self.accept()

    def _go_plain(self) -> None:
        self.choice = KeyChoice(None)
        self.accept()


def ask_key(parent: QWidget | None, path: Path, mode: UnlockMode, error: str = "") -> KeyChoice | None:
    """Blocks on the dialog (what tests replace); None when the person chose to quit."""
    dialog = UnlockDialog(parent, path, mode, error)
    dialog.exec()
    return dialog.choice
