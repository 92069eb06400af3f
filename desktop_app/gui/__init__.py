"""PySide6 views over the core. No business logic and no I/O on the UI thread."""
