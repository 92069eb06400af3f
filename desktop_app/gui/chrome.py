"""The window's frame around the panes: the offline banner with Retry, and the status area."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QStatusBar


class OfflineBanner(QFrame):
    """A quiet line, not a dialog: the cached data stays usable; Retry syncs again."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("offline-banner")
        self.setStyleSheet("#offline-banner { background: #fff1c9; } #offline-banner QLabel { color: #4d3d00; }")
        self.text = QLabel("")
        self.retry_button = QPushButton("Retry")
        self.retry_button.setAccessibleName("Retry syncing")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry_button)
        self.setVisible(False)


class StatusArea:
    """The status line, a progress bar and Cancel, in the window's status bar."""

    def __init__(self, bar: QStatusBar) -> None:
        self.text = QLabel("")
        self.text.setAccessibleName("Status")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the running task")
        self.cancel_button.setVisible(False)
        bar.addWidget(self.text, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)

    def busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            self.progress.setRange(0, 0)

    def advance(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
