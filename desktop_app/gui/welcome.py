"""The first screen: what Saldo is, and the Demo Bank as the way to try it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from desktop_app import APP_NAME


class WelcomePage(QFrame):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        title = QLabel(f"<h1>Welcome to {APP_NAME}</h1>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "All your bank accounts in one private place, on this computer, offline too.<br>"
            "Start with the built-in Demo Bank — no bank account or credentials needed."
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.try_demo = QPushButton("Try the Demo Bank")
        self.try_demo.setDefault(True)
        self.try_demo.setAutoDefault(True)
        self.try_demo.setMinimumHeight(36)
        self.connect_bank = QPushButton("Connect your bank")
        self.connect_bank.setAutoDefault(True)
        self.connect_bank.setMinimumHeight(36)
        buttons.addWidget(self.try_demo)
        buttons.addWidget(self.connect_bank)
        buttons.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addLayout(buttons)
        layout.addStretch(3)

    def set_ready(self, ready: bool) -> None:
        """Connecting waits for the keyring probe."""
        self.try_demo.setEnabled(ready)
        self.connect_bank.setEnabled(ready)
        self.try_demo.setToolTip("" if ready else "Checking the system keyring…")
