"""The base of every error Saldo explains to a person.

A SaldoError's message is written for the user: one plain sentence, never a secret, never a
traceback. The CLI prints it as one line; the GUI shows it with the next step to take.
"""


class SaldoError(Exception):
    """An error with a message fit to show to the user."""
