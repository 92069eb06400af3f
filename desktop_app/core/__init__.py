"""Saldo's Qt-free core: money, domain types, the cache, OAuth, connectors and sync.

Nothing in this package imports PySide6 (a test enforces it), so the CLI, the GUI and the
tests all share one implementation.
"""
