"""Deterministic synthetic transactions for the store benchmarks (no sandbox needed)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from desktop_app.core.models import Transaction, TransactionStatus, raw_json
from desktop_app.core.money import Money

MERCHANTS = [
    ("Netto", "Groceries"),
    ("Rema 1000", "Groceries"),
    ("Lidl", "Groceries"),
    ("ICA Maxi", "Groceries"),
    ("DSB", "Train ticket"),
    ("Rejsekort", "Transport"),
    ("Spotify", "Subscription"),
    ("Netflix", "Subscription"),
    ("Shell", "Fuel"),
    ("IKEA", "Furniture"),
    ("Apotek 1", "Pharmacy"),
    ("Wolt", "Food delivery"),
    ("Café Noir", "Coffee"),
    ("Landlord ApS", "Rent"),
    ("ACME A/S", "Salary"),
    ("Zalando", "Clothes"),
]
START = date(2016, 1, 1)
DAYS = 3652  # ten years


def transactions(count: int, accounts: list[int], seed: int = 7) -> Iterator[Transaction]:
    """`count` booked transactions spread evenly over `accounts` and ten years, oldest first."""
    rng = random.Random(seed)
    for n in range(count):
        merchant, purpose = MERCHANTS[rng.randrange(len(MERCHANTS))]
        cents = rng.randrange(100, 250_000) * (1 if purpose == "Salary" else -1)
        amount = Money.from_minor(cents, "EUR")
        day = START + timedelta(days=n * DAYS // count)
        pid = f"tx-{n:08d}"
        yield Transaction(
            account_id=accounts[n % len(accounts)],
            dedupe_key=f"id:{pid}",
            provider_id=pid,
            status=TransactionStatus.BOOKED,
            booking_date=day,
            amount=amount,
            description=f"{purpose} {merchant} {n % 997}",
            counterparty=merchant,
            raw=raw_json(
                {
                    "id": pid,
                    "date": day.isoformat(),
                    "amount": {"value": amount.amount, "currency": "EUR"},
                    "text": f"{purpose} {merchant}",
                    "state": "Booked",
                }
            ),
        )
