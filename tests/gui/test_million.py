"""The transactions table over a cache of a million rows: every row reachable at once, in bounded memory."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from bench.synthetic import transactions
from desktop_app.core.models import Account, Connection
from desktop_app.core.store import Store
from desktop_app.core.store.browse import SortKey
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.operations import Operations
from desktop_app.gui.table import PAGE, TransactionsModel
from desktop_app.gui.tasks import TaskRunner
from tests.gui.conftest import read_rows

ROWS = 1_000_000


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store.open(tmp_path_factory.mktemp("million") / "saldo.db")
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


def _model(store: Store, tasks: TaskRunner) -> TransactionsModel:
    return TransactionsModel(Operations(SimpleNamespace(store=store), tasks), Formatter.named("en_GB"))


@pytest.mark.slow
def test_a_million_rows_are_all_addressable_in_bounded_memory(qtbot: QtBot, big_store: Store) -> None:
    tasks = TaskRunner()
    model = _model(big_store, tasks)
    before = rss_mb()
    with qtbot.waitSignal(model.counted, timeout=20_000):
        model.refresh()
    # the scrollbar is proportional from the start: every row exists before it is read
    assert model.rowCount() == ROWS
    view = QTableView()
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    qtbot.addWidget(view)
    view.setCurrentIndex(model.index(0, 0))  # as focusing the table does
    assert view.verticalScrollBar().maximum() > ROWS - 100

    # Ctrl+End: the oldest row (read from the far end; `make bench` measures how fast)
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: model.transaction(ROWS - 1) is not None, timeout=10_000)
    assert view.currentIndex().row() == ROWS - 1
    oldest = model.transaction(ROWS - 1)
    assert oldest is not None and oldest.booking_date.isoformat() == "2016-01-01"
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    newest = read_rows(qtbot, model, [0])[0]
    assert newest.booking_date > oldest.booking_date

    # the middle, then rows next to it (continued by keyset from the loaded block)
    row = random.Random(3).randrange(ROWS // 4, ROWS // 2)
    middle = read_rows(qtbot, model, [row, row + PAGE, row - PAGE])
    assert middle[2].booking_date >= middle[0].booking_date >= middle[1].booking_date
    for r in range(0, ROWS, ROWS // 60):  # jump around: only the recent blocks stay
        read_rows(qtbot, model, [r])
    assert model.cached_rows <= model.MAX_BLOCKS * PAGE
    assert rss_mb() - before < 150, "a million rows must not all be kept in memory"

    # sort by amount, both ways
    with qtbot.waitSignal(model.counted, timeout=20_000):
        model.set_sort(SortKey.AMOUNT, descending=True)
    top = read_rows(qtbot, model, range(3))
    assert top[0].amount.amount >= top[1].amount.amount >= top[2].amount.amount
    bottom = read_rows(qtbot, model, [ROWS - 1])[0]
    assert bottom.amount.amount <= top[2].amount.amount

    with qtbot.waitSignal(model.counted, timeout=20_000):
        model.set_search("netto")
    hit = read_rows(qtbot, model, [0])[0]
    assert "Netto" in (hit.counterparty or "") and 0 < model.rowCount() < ROWS
    tasks.shutdown()
