"""Settings: where the data lives, where the secrets are kept, and the theme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.gui.context import AppContext


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        form = QFormLayout()
        data = QLabel(str(ctx.data_dir))
        data.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Your data", data)
        self.secrets = QLabel(ctx.vault.describe())
        self.secrets.setWordWrap(True)
        if ctx.vault.session_only:
            self.secrets.setStyleSheet("color: #9a3b2f;")  # a warning: secrets vanish when Saldo closes
        form.addRow("Secrets", self.secrets)
        scheme = QGuiApplication.styleHints().colorScheme()
        theme = {Qt.ColorScheme.Dark: " (dark now)", Qt.ColorScheme.Light: " (light now)"}.get(scheme, "")
        form.addRow("Theme", QLabel(f"Follows your system, light or dark{theme}"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
