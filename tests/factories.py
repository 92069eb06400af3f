"""Small builders for domain objects, so tests say only what matters to them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from desktop_app.core.models import Account, Connection, Transaction, TransactionStatus, raw_json
from desktop_app.core.money import Money
from desktop_app.core.store import Store


def connection(store: Store, cid: str = "c1", provider: str = "demo") -> Connection:
    return store.save_connection(
        Connection(id=cid, provider=provider, label="Demo Bank", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    )


def account(
    store: Store, cid: str = "c1", ref: str = "acc-1", currency: str = "EUR", name: str = "Everyday"
) -> Account:
    return store.save_accounts([Account(connection_id=cid, provider_account_id=ref, name=name, currency=currency)])[0]


def tx(
    account_id: int,
    n: int,
    amount: str = "-12.30",
    day: date = date(2026, 3, 1),
    currency: str = "EUR",
    description: str = "Card payment",
    counterparty: str | None = "Netto",
    status: TransactionStatus = TransactionStatus.BOOKED,
) -> Transaction:
    return Transaction(
        account_id=account_id,
        dedupe_key=Transaction.key_for_id(f"t{n}"),
        provider_id=f"t{n}",
        status=status,
        booking_date=day,
        amount=Money(Decimal(amount), currency),
        description=description,
        counterparty=counterparty,
        raw=raw_json({"id": f"t{n}", "amount": Decimal(amount)}),
    )
