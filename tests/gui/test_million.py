"""The transactions table over a cache of a million rows: scroll to the end in bounded memory."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from bench.synthetic import transactions
from desktop_app.core.models import Account, Connection
from desktop_app.core.money import NumberFormat
from desktop_app.core.store import Store
from desktop_app.core.store.cache import open_cache
from desktop_app.gui.table import PAGE, TransactionsModel
from desktop_app.gui.tasks import TaskRunner
from tests.cachekeys import memory_keys

ROWS = 1_000_000


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_cache(tmp_path_factory.mktemp("million") / "saldo.db", memory_keys())
    store.save_connection(Connection(id="c", provider="demo", label="Big", created_at=datetime.now(UTC)))
    ids = [
        a.id
        for a in store.save_accounts(
            Account(connection_id="c", provider_account_id=f"a{i}", name=f"A{i}", currency="EUR") for i in range(10)
        )
        if a.id is not None
    ]
    store.bulk_import(transactions(ROWS, ids))
    yield store
    store.close()


@pytest.mark.slow
def test_scroll_a_million_rows_to_the_end_sort_and_search(qtbot: QtBot, big_store: Store) -> None:
    tasks = TaskRunner()
    model = TransactionsModel(big_store, tasks, NumberFormat.named("en_GB"))
    before = rss_mb()
    with qtbot.waitSignal(model.loaded, timeout=20_000):
        model.refresh()
    while not model.complete:  # what the view does as the person drags the scrollbar down
        with qtbot.waitSignal(model.loaded, timeout=20_000):
            model.fetchMore()
    assert model.rowCount() == ROWS
    assert model.cached_rows <= model.MAX_PAGES * PAGE
    assert rss_mb() - before < 150, "scrolling must not keep every row in memory"
    last = model.transaction(ROWS - 1)
    assert last is not None and last.booking_date.isoformat() == "2016-01-01"

    row = random.Random(3).randrange(ROWS // 2)
    assert model.transaction(row) is None  # scrolled away long ago: read again on demand
    with qtbot.waitSignal(model.dataChanged, timeout=10_000):
        pass
    again = model.transaction(row)
    neighbour = model.transaction(row + 1 if (row + 1) % PAGE else row - 1)
    assert again is not None and neighbour is not None

    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.toggle_order()
    first = model.transaction(0)
    assert first is not None and first.booking_date.isoformat() == "2016-01-01"

    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.set_search("netto")
    hit = model.transaction(0)
    assert hit is not None and "Netto" in (hit.counterparty or "")
    tasks.shutdown()
