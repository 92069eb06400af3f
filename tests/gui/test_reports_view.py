"""The Reports view over a real cache: data loaded on a worker, bars as the core counts, click to drill."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from desktop_app.core import categories as cat
from desktop_app.core import reports
from desktop_app.core.store import Store
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.reports import ReportsView
from desktop_app.gui.reports import load as reports_view_load
from desktop_app.gui.tasks import TaskRunner
from desktop_app.gui.window import MainWindow
from tests import factories
from tests.gui.conftest import screenshot


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "saldo.db")
    factories.connection(store)
    acc = factories.account(store).id
    assert acc is not None
    store.upsert_transactions(
        [
            factories.tx(acc, 1, "-80.00", day=date(2026, 2, 3)),
            factories.tx(acc, 2, "-20.00", day=date(2026, 3, 3)),
            factories.tx(acc, 3, "-45.50", day=date(2026, 3, 4), counterparty="Shell"),
            factories.tx(acc, 4, "1500.00", day=date(2026, 3, 25), counterparty="ACME"),
        ]
    )
    ids = {t.provider_id: t.id for t in store.iter_transactions()}
    groceries, fuel = cat.find_category(store, "Groceries").id, cat.find_category(store, "Fuel").id
    for key, category in (("t1", groceries), ("t2", groceries), ("t3", fuel)):
        tx_id = ids[key]
        assert tx_id is not None
        cat.set_category(store, tx_id, category)
    try:
        yield store
    finally:
        store.close()


def test_reports_load_on_a_worker_and_a_bar_click_drills_in(qtbot: QtBot, filled: Store) -> None:
    runner = TaskRunner()
    view = ReportsView(lambda *period: reports_view_load(filled, *period), runner, Formatter.named("en_GB"))
    qtbot.addWidget(view)
    view.today = date(2026, 3, 31)
    view.resize(900, 900)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.refresh()
    assert view.data is not None
    expected = reports.spending_by_category(filled, date(2026, 1, 1), date(2026, 3, 31))
    assert [(r.name, r.amount.amount) for r in view.data.spending] == [
        ("Groceries", Decimal("100.00")),
        ("Transport", Decimal("45.50")),
    ]
    assert view.data.spending == expected
    heights = view.spending_bars.opts["height"]
    assert list(heights) == [100.0, 45.5]
    assert [f.month for f in view.data.flows] == ["2026-02", "2026-03"]
    assert view.data.flows[-1].net.amount == Decimal("1434.50")
    assert "Net worth" in view.status.text()
    screenshot(view, "reports-view")

    # a real click in the middle of the second bar
    plot = view.spending_plot
    scene = plot.getPlotItem().vb.mapViewToScene(QPointF(1, 20))
    where = plot.mapFromScene(scene)
    with qtbot.waitSignal(view.category_clicked, timeout=3_000) as clicked:
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=where)
    transport = cat.find_category(filled, "Transport").id
    assert clicked.args == [transport, date(2026, 1, 1), date(2026, 3, 31)]
    assert view.bar_at(plot.getPlotItem().vb.mapViewToScene(QPointF(1, 60))) is None  # above the bar
    runner.shutdown()


def test_a_failing_load_says_so_instead_of_drawing(qtbot: QtBot, filled: Store) -> None:
    runner = TaskRunner(synchronous=True)
    view = ReportsView(lambda *period: reports_view_load(filled, *period), runner, Formatter.named("en_GB"), base="XXX")
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=5_000):
        view.refresh()
    assert view.data is None
    assert view.status.text().startswith("Could not load the reports: unknown currency")


def test_view_reports_opens_from_the_menu_with_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(window.findChildren(ReportsView)), timeout=5_000)
    view = window.findChildren(ReportsView)[0]
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    assert view.window().windowTitle() == "Reports" and view.window().isVisible()
