"""The simulated providers' ledgers: each provider's own accounts, over the Demo Bank's generator.

The household, the column-wise storage and the paging views are the product Demo Bank's
(:mod:`desktop_app.demo_bank.ledger`); this module only says which accounts each simulated
provider holds, so every provider's data looks local (DKK at Aiia, NOK at Aritma, ...).
"""

from __future__ import annotations

from datetime import date

from desktop_app.demo_bank.ledger import (
    CURRENCY_DECIMALS,
    CUSTOMERS,
    DEMO_ACCOUNTS,
    Account,
    History,
    Ledger,
    Tx,
    View,
)
from desktop_app.demo_bank.ledger import generate as generate_ledger

__all__ = ["CURRENCY_DECIMALS", "CUSTOMERS", "Account", "History", "Ledger", "Tx", "View", "generate"]

# (name, currency, customer) per provider
PROVIDER_ACCOUNTS = {
    "demo": DEMO_ACCOUNTS,
    "aiia": (("Lønkonto", "DKK", "c1"), ("Opsparing", "DKK", "c1")),
    "aritma": (("Brukskonto", "NOK", "c1"), ("Sparekonto", "NOK", "c1")),
    "connectpay": (("Current account", "EUR", "c1"), ("Business account", "EUR", "c2")),
    "tatrabanka": (("Bežný účet", "EUR", "c1"), ("Sporiaci účet", "EUR", "c1")),
    "enablebanking": (("Käyttötili", "EUR", "c1"), ("Säästötili", "EUR", "c1")),
    "simplefin": (
        ("Everyday Checking", "USD", "c1"),
        ("Rewards Visa", "USD", "c1"),
        ("High-Yield Savings", "USD", "c1"),
    ),
}
# SimpleFIN Bridge keeps a shorter history than a bank.
HISTORY_YEARS = {"simplefin": 1}
# SimpleFIN's accounts have no IBAN; the generator's ids still need a prefix.
IBAN_PREFIX = {
    "demo": "NL",
    "aiia": "DK",
    "aritma": "NO",
    "connectpay": "LT",
    "tatrabanka": "SK",
    "simplefin": "US",
    "enablebanking": "FI",
}


def generate(provider: str, seed: int, transactions: int, today: date, years: int = 3) -> Ledger:
    """A provider's ledger of about `transactions` movements ending at `today`, the same for the same seed."""
    return generate_ledger(
        provider,
        seed,
        transactions,
        today,
        HISTORY_YEARS.get(provider, years),
        accounts=PROVIDER_ACCOUNTS[provider],
        iban_prefix=IBAN_PREFIX[provider],
    )
