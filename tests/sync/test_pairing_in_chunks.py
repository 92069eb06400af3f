"""A sync pairs the transfers of a long history chunk by chunk (so the window never waits on it)
and ends with every pair a single pairing pass would have made."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desktop_app.core import sync as sync_module
from desktop_app.core import transfers
from desktop_app.core.api import ApiClient
from desktop_app.core.collector import collection_paused
from desktop_app.core.models import BalanceKind, Connection, TransactionStatus, raw_json
from desktop_app.core.money import Money
from desktop_app.core.providers.base import RemoteAccount, RemoteBalance, RemoteTransaction, TxPage
from desktop_app.core.store import Store
from desktop_app.core.sync import ProviderSession, SyncEngine

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
START = date(2026, 1, 1)


class TwoAccounts:
    """Everyday pays 10.00 + n into Savings every day for 60 days; Savings books it a day later."""

    page_size = 7

    def accounts(self, api: ApiClient) -> list[RemoteAccount]:
        return [RemoteAccount("everyday", "Everyday", "EUR"), RemoteAccount("savings", "Savings", "EUR")]

    def balances(self, api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]:
        return [RemoteBalance(BalanceKind.BOOKED, Money(Decimal("0"), "EUR"), NOW)]

    def transactions(self, api: ApiClient, account: RemoteAccount, since: date | None) -> Iterator[TxPage]:
        sign, shift = (-1, 0) if account.provider_account_id == "everyday" else (1, 1)
        rows = [
            RemoteTransaction(
                status=TransactionStatus.BOOKED,
                booking_date=START + timedelta(days=n + shift),
                amount=Money(Decimal(sign * (1000 + n)) / 100, "EUR"),
                description=f"Transfer {n}",
                raw=raw_json({"n": n}),
                provider_id=f"{account.provider_account_id}-{n}",
            )
            for n in range(60)
        ]
        for start in range(0, len(rows), self.page_size):
            yield TxPage(rows[start : start + self.page_size], [])


def test_a_long_first_sync_pairs_every_transfer_chunk_by_chunk(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_module, "PAIR_CHUNK", 10)  # 60 rows a side: pairing runs many times
    calls: list[int] = []
    real_pair = sync_module.pair_transfers

    def counting(store_: Store, *, after_id: int = 0) -> int:
        calls.append(after_id)
        assert not gc.isenabled()  # the full collection it could start would freeze the window
        return real_pair(store_, after_id=after_id)

    monkeypatch.setattr(sync_module, "pair_transfers", counting)
    store.save_connection(Connection(id="c1", provider="fake", label="Fake", created_at=NOW))
    session = ProviderSession(api=None, adapter=TwoAccounts())  # type: ignore[arg-type]  # no HTTP needed

    def open_session(connection: object, cancel: threading.Event) -> ProviderSession:
        return session

    SyncEngine(store, open_session, clock=lambda: NOW).sync("c1")

    assert len(calls) > 4 and calls == sorted(calls)
    assert gc.isenabled()
    legs = {t.provider_id: t.id for t in store.iter_transactions()}
    for n in range(60):
        out, into = legs[f"everyday-{n}"], legs[f"savings-{n}"]
        assert out is not None and into is not None
        assert transfers.transfer_of(store, out) == (into, "auto")
        assert transfers.transfer_of(store, into) == (out, "auto")


def test_pauses_nest_and_leave_a_stopped_collector_stopped() -> None:
    assert gc.isenabled()
    with collection_paused():
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
