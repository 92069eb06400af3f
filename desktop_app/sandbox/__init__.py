"""Embedded simulator of every provider Saldo talks to, and the Demo Bank.

Written from the provider documents on its own, sharing no code with desktop_app.core, so a
misreading of the docs cannot hide on both sides of a test.
"""
