"""A choice made on a pending transaction moves to the booked row that replaces it during sync."""

from __future__ import annotations

import threading
from datetime import date

from desktop_app.core import categories as cat
from desktop_app.core.models import Connection, TransactionStatus
from desktop_app.core.store import Store
from desktop_app.core.sync import ProviderSession, SyncEngine
from tests.sync.test_engine import NOW, BankTx, FakeBank


def test_manual_category_on_a_pending_row_follows_its_booked_twin(tmp_path: object) -> None:
    from pathlib import Path

    store = Store.open(Path(str(tmp_path)) / "saldo.db")
    bank = FakeBank(
        txs=[
            BankTx("b1", date(2026, 11, 1), "-5.00", "Bakery"),
            BankTx("p1", date(2026, 11, 18), "-99.00", "Spotify", TransactionStatus.PENDING),
        ]
    )
    store.save_connection(Connection(id="c1", provider="fake", label="Fake Bank", created_at=NOW))
    session = ProviderSession(api=None, adapter=bank)  # type: ignore[arg-type]  # the fake needs no HTTP

    def open_session(connection: Connection, cancel: threading.Event) -> ProviderSession:
        return session

    engine = SyncEngine(store, open_session, clock=lambda: NOW)
    try:
        engine.sync("c1")
        pending = store.transaction_by_key(1, "id:p1")
        assert pending is not None and pending.id is not None
        subscriptions = cat.find_category(store, "Subscriptions").id
        cat.set_category(store, pending.id, subscriptions)
        bank.txs[1] = BankTx("b4", date(2026, 11, 19), "-99.00", "Spotify")  # booked under a new id
        assert engine.sync("c1").claimed == 1
        booked = store.transaction_by_key(1, "id:b4")
        assert booked is not None and booked.id is not None
        assert cat.category_of(store, booked.id) == (subscriptions, "manual")
        assert store.transaction_by_key(1, "id:p1") is None
    finally:
        store.close()
