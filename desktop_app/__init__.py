"""Saldo: private, offline-first personal finance over European open banking."""

__version__ = "0.1.0"
APP_NAME = "Saldo"
