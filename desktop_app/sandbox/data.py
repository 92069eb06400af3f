"""Deterministic synthetic banking data for a European household.

Each provider holds its own accounts (EUR, DKK, NOK, SEK). Every account gets a salary, rent,
groceries, transport, subscriptions and card payments, plus transfers between the person's
own accounts, over several years. The newest few days are pending and book later on the
sandbox clock. The same seed always gives the same ledger.

Transactions are kept as compact tuples so a million of them fit comfortably in memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

CURRENCY_DECIMALS = {"EUR": 2, "DKK": 2, "NOK": 2, "SEK": 2}

# (description, counterparty, typical amount in major units, sign, kind)
SPENDING = [
    ("Groceries", ["Netto", "Rema 1000", "Lidl", "ICA Maxi", "Coop", "Albert Heijn"], 45, -1),
    ("Transport", ["DSB", "Rejsekort", "Ruter", "SL", "Shell", "Circle K"], 20, -1),
    ("Card payment", ["IKEA", "Zalando", "Apotek 1", "Café Noir", "Wolt", "Elgiganten"], 60, -1),
]
SUBSCRIPTIONS = [("Spotify", 99), ("Netflix", 129), ("Mobile plan", 199), ("Gym membership", 249)]


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    currency: str
    iban: str
    owner: str = "Alex Jensen"


@dataclass(slots=True)
class Tx:
    """One movement. `books_on` is set while pending: it books on that day (sandbox clock)."""

    id: str
    account_id: str
    day: date
    minor: int
    currency: str
    description: str
    counterparty: str
    books_on: date | None = None

    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-CURRENCY_DECIMALS[self.currency])

    def pending_at(self, today: date) -> bool:
        return self.books_on is not None and today < self.books_on


@dataclass
class Ledger:
    accounts: list[Account]
    txs: dict[str, list[Tx]] = field(default_factory=dict)  # per account, oldest first
    opening: dict[str, int] = field(default_factory=dict)  # opening balance, minor units

    def balance(self, account_id: str, today: date, include_pending: bool = False) -> int:
        total = self.opening.get(account_id, 0)
        for t in self.txs.get(account_id, []):
            if t.day <= today and (include_pending or not t.pending_at(today)):
                total += t.minor
        return total


_PROVIDER_ACCOUNTS = {
    "demo": [("Everyday account", "EUR"), ("Savings", "EUR"), ("Travel card", "SEK")],
    "aiia": [("Lønkonto", "DKK"), ("Opsparing", "DKK")],
    "aritma": [("Brukskonto", "NOK"), ("Sparekonto", "NOK")],
    "connectpay": [("Current account", "EUR")],
    "tatrabanka": [("Bežný účet", "EUR"), ("Sporiaci účet", "EUR")],
}
_IBAN_PREFIX = {"demo": "NL", "aiia": "DK", "aritma": "NO", "connectpay": "LT", "tatrabanka": "SK"}


def generate(provider: str, seed: int, transactions: int, today: date, years: int = 3) -> Ledger:
    """A ledger of about `transactions` movements ending at `today`, the same for the same seed."""
    rng = random.Random(f"{provider}:{seed}")
    specs = _PROVIDER_ACCOUNTS[provider]
    accounts = [
        Account(
            id=f"{provider[:2]}{seed % 97:02d}{i}{rng.randrange(10**8):08d}",
            name=name,
            currency=currency,
            iban=f"{_IBAN_PREFIX[provider]}{rng.randrange(10, 99)}{rng.randrange(10**14, 10**15)}",
        )
        for i, (name, currency) in enumerate(specs)
    ]
    ledger = Ledger(accounts, {a.id: [] for a in accounts})
    start = today - timedelta(days=365 * years)
    days = (today - start).days + 1
    main, other = accounts[0], accounts[1] if len(accounts) > 1 else None
    per_day = max(transactions / days, 0.01)
    counter = 0

    def add(account: Account, day: date, major: Decimal, description: str, party: str) -> None:
        nonlocal counter
        counter += 1
        minor = int(major.scaleb(CURRENCY_DECIMALS[account.currency]))
        books_on = day + timedelta(days=rng.choice((1, 2, 3))) if (today - day).days < 3 else None
        ledger.txs[account.id].append(
            Tx(
                f"{provider[:2]}tx{seed}-{counter:08d}",
                account.id,
                day,
                minor,
                account.currency,
                description,
                party,
                books_on,
            )
        )

    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.day == 25:
            add(main, day, Decimal(rng.randrange(2800, 3400)), "Salary", "ACME A/S")
        if day.day == 1:
            add(main, day, Decimal(-rng.randrange(900, 1300)), "Rent", "Landlord ApS")
            if other is not None:
                moved = Decimal(rng.randrange(20, 60)) * 10
                add(main, day, -moved, "Transfer to savings", other.name)
                add(other, day, moved, "Transfer from everyday", main.name)
        for name, price in SUBSCRIPTIONS:
            if day.day == 3 + SUBSCRIPTIONS.index((name, price)) * 2:
                add(main, day, Decimal(-price) / 10, name, name)
        n = int(per_day) + (1 if rng.random() < per_day - int(per_day) else 0)
        for _ in range(n):
            kind, parties, typical, sign = SPENDING[rng.randrange(len(SPENDING))]
            cents = max(100, int(rng.lognormvariate(0, 0.6) * typical * 100))
            account = main if rng.random() < 0.85 or len(accounts) == 1 else accounts[-1]
            party = parties[rng.randrange(len(parties))]
            add(account, day, Decimal(sign * cents) / 100, f"{kind} {party}", party)
    for account in accounts:
        ledger.opening[account.id] = int(Decimal(rng.randrange(500, 5000) * 10).scaleb(2))
    return ledger
