"""End-to-end fixtures: the real sandbox on loopback, a real cache file, real HTTP."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from desktop_app.core.app import create_app
from desktop_app.core.connect import Connector
from desktop_app.core.models import Connection
from desktop_app.core.store import Store
from desktop_app.core.sync import SyncEngine
from desktop_app.core.vault import Vault
from saldo_sandbox.app import Sandbox
from tests.cachekeys import memory_keys
from tests.e2e.browser import consent


@dataclass
class World:
    sandbox: Sandbox
    store: Store
    vault: Vault
    connector: Connector
    engine: SyncEngine

    def connect(self, provider: str, **consent_kw: object) -> Connection:
        base = provider.split("-")[0]
        if provider != "demo":
            self.connector.save_credentials(provider, f"{base}-client", f"{base}-secret")
        tenant = "saldo" if provider == "aritma" else None
        pending = self.connector.begin(provider, sandbox=self.sandbox.url, tenant=tenant)
        try:
            browser = threading.Thread(target=consent, args=(pending.url,), kwargs=consent_kw)
            browser.start()
            callback = pending.wait(15)
            browser.join()
            return self.connector.finish(pending, callback)
        finally:
            pending.close()

    def cache(self, connection_id: str) -> Counter[tuple[object, ...]]:
        accounts = {a.id: a for a in self.store.accounts(connection_id)}
        return Counter(
            (
                accounts[t.account_id].provider_account_id,
                t.provider_id,
                t.status.value,
                t.booking_date.isoformat(),
                str(t.amount.normalized()),
                t.amount.currency,
            )
            for t in self.store.iter_transactions()
            if t.account_id in accounts and not t.withdrawn
        )

    def truth(self, provider: str, account_key: str = "id") -> Counter[tuple[object, ...]]:
        data = self.sandbox.ground_truth(provider.split("-")[0])
        return Counter(
            (a[account_key], t["id"], t["status"], t["date"], t["amount"], t["currency"])
            for a in data["accounts"]
            for t in a["transactions"]
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with Sandbox(seed=7, transactions=1500) as sandbox, httpx2.Client(timeout=10) as http:
        with create_app(tmp_path, vault=Vault(None, session_only=True), http=http, keys=memory_keys()) as app:
            yield World(sandbox, app.store, app.vault, app.connector, app.engine)
