"""The Reports window over a real cache: drilling into a bar by keyboard, and budgets set and overspent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop_app.core import budgets, reports
from desktop_app.core import categories as cat
from desktop_app.gui.budgets_view import BudgetsView, SetBudgetDialog, shift
from desktop_app.gui.category_detail import CategoryDetail
from desktop_app.gui.menus import show_reports
from desktop_app.gui.report_window import ReportsWindow
from desktop_app.gui.window import MainWindow
from tests import factories
from tests.gui.conftest import screenshot

TODAY = date.today()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


def spend(window: MainWindow) -> dict[str, int]:
    """Groceries: 80.00 last month, 20.00 + 45.50 this month; fuel 30.00 this month; one uncategorised."""
    store = window.ctx.store
    factories.connection(store)
    acc = factories.account(store).id
    assert acc is not None
    rows = [
        factories.tx(acc, 1, "-80.00", day=LAST_MONTH),
        factories.tx(acc, 2, "-20.00", day=THIS_MONTH),
        factories.tx(acc, 3, "-45.50", day=THIS_MONTH, counterparty="Lidl"),
        factories.tx(acc, 4, "-30.00", day=THIS_MONTH, counterparty="Shell"),
        factories.tx(acc, 5, "-9.99", day=THIS_MONTH, counterparty="Kiosk"),
    ]
    store.upsert_transactions(rows)
    ids = {t.provider_id: t.id for t in store.iter_transactions()}
    found = {"groceries": cat.find_category(store, "Groceries").id, "fuel": cat.find_category(store, "Fuel").id}
    for key, category in (("t1", "groceries"), ("t2", "groceries"), ("t3", "groceries"), ("t4", "fuel")):
        tx_id = ids[key]
        assert tx_id is not None
        cat.set_category(store, tx_id, found[category])
    return found


def open_reports(qtbot: QtBot, window: MainWindow) -> ReportsWindow:
    reports_window = show_reports(window)
    assert isinstance(reports_window, ReportsWindow)
    view = reports_window.view
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    # the last 12 months hold last month in January too
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.period.setCurrentIndex(view.period.findData("12m"))
    return reports_window


def test_enter_on_a_category_row_opens_its_months_and_transactions(
    qtbot: QtBot, window: MainWindow, theme: str
) -> None:
    found = spend(window)
    reports_window = open_reports(qtbot, window)
    view = reports_window.view
    table = view.categories
    assert table.rowCount() == len(view.data.spending)  # type: ignore[union-attr]
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    groceries_row = names.index("Groceries")
    assert table.item(groceries_row, 1).text() == "€145.50"
    assert table.item(groceries_row, 2).text() == "3"
    qtbot.wait(50)  # let the layout take the loaded texts in before the picture (nothing is timed)
    screenshot(reports_window, f"reports-window-{theme}")
    table.setFocus()
    table.setCurrentCell(groceries_row, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(reports_window.detail, CategoryDetail), timeout=10_000)
    detail = reports_window.detail
    assert isinstance(detail, CategoryDetail)
    assert detail.windowTitle().startswith("Groceries")
    # the months add up to the bar, and the list holds exactly its transactions, newest first
    bar = next(r for r in view.data.spending if r.category_id == found["groceries"])  # type: ignore[union-attr]
    assert sum(m.amount for _, m in detail.data.months) == bar.amount.amount == Decimal("145.50")
    assert [t.counterparty for t in detail.data.transactions][-1] == "Netto"  # last month's, listed last
    assert sorted(t.amount.amount for t in detail.data.transactions) == [
        Decimal("-80.00"),
        Decimal("-45.50"),
        Decimal("-20.00"),
    ]
    assert detail.table.rowCount() == 3
    assert [detail.table.item(0, c).text() for c in (1, 2)] == ["Lidl", "-€45.50"]
    screenshot(detail, f"category-detail-{theme}")
    detail.reject()


def test_uncategorised_spending_can_be_opened_too(qtbot: QtBot, window: MainWindow) -> None:
    spend(window)
    reports_window = open_reports(qtbot, window)
    reports_window.drill(reports.UNCATEGORISED, LAST_MONTH, TODAY)
    qtbot.waitUntil(lambda: isinstance(reports_window.detail, CategoryDetail), timeout=10_000)
    detail = reports_window.detail
    assert isinstance(detail, CategoryDetail)
    assert [t.counterparty for t in detail.data.transactions] == ["Kiosk"]
    assert [m.amount for _, m in detail.data.months] == [Decimal("9.99")]


def test_a_budget_set_from_the_tab_shows_spent_left_and_overspending(
    qtbot: QtBot, window: MainWindow, theme: str
) -> None:
    found = spend(window)
    reports_window = open_reports(qtbot, window)
    view = reports_window.budgets
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        reports_window.tabs.setCurrentWidget(view)
    assert view.empty.isVisible() and not view.table.isVisible()

    qtbot.mouseClick(view.set_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, SetBudgetDialog)
    dialog.category.setCurrentIndex(dialog.category.findData(found["groceries"]))
    dialog.amount.setText("12,5x")  # not an amount: said, nothing saved
    dialog._check()
    assert dialog.isVisible() and "0 or more" in dialog.problem.text()
    dialog.amount.setText("100")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert budgets.budgets_for(window.ctx.store, TODAY, "EUR")[found["groceries"]].amount == Decimal("100")

    assert view.table.rowCount() == 1
    cells = [view.table.item(0, c).text() for c in range(5)]
    assert cells == ["Groceries", "€100.00", "€65.50", "€34.50", ""]
    screenshot(view, f"budgets-{theme}")

    # last month: the budget did not exist yet; next month: carried forward, nothing spent
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.mouseClick(view.previous, Qt.MouseButton.LeftButton)
    assert view.month == shift(TODAY.isoformat()[:7], -1) and view.table.rowCount() == 0
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.go(2)
    assert [view.table.item(0, c).text() for c in range(4)] == ["Groceries", "€100.00", "€0.00", "€100.00"]

    # a lower budget this month: over, said in words and in the error colour
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.go(-1)
    view.set_budget(found["groceries"])
    assert view.dialog is not None
    view.dialog.amount.setText("50")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.dialog._check()
    assert view.table.item(0, 4).text() == "Over by €15.50"
    assert "1 category over budget" in view.totals.text()
    screenshot(view, f"budgets-over-{theme}")


def test_shift_months_across_years() -> None:
    assert shift("2026-01", -1) == "2025-12"
    assert shift("2025-12", 1) == "2026-01"
    assert shift("2026-11", 14) == "2028-01"


def test_budgets_view_offers_nothing_to_set_before_categories_are_read(qtbot: QtBot, window: MainWindow) -> None:
    view = BudgetsView(window.ops, window.fmt, "EUR", TODAY)
    qtbot.addWidget(view)
    view.set_budget(None)  # categories not read yet: no dialog over nothing
    assert view.dialog is None
    assert not any(isinstance(w, QDialog) and w.isVisible() for w in view.findChildren(QDialog))


def test_amounts_follow_the_currency_most_accounts_use_and_can_be_switched(qtbot: QtBot, window: MainWindow) -> None:
    store = window.ctx.store
    factories.connection(store)
    eur = factories.account(store, ref="e", name="Euro").id
    sek = [factories.account(store, ref=f"s{n}", name=f"Krona {n}", currency="SEK").id for n in range(2)]
    assert eur is not None and None not in sek
    store.upsert_transactions(
        [
            factories.tx(eur, 1, "-10.00", day=THIS_MONTH),
            factories.tx(sek[0], 2, "-300.00", day=THIS_MONTH, currency="SEK"),
        ]
    )
    reports_window = open_reports(qtbot, window)
    view = reports_window.view
    assert view.base == "SEK" and view.currency.isVisibleTo(reports_window)
    assert [view.currency.itemText(i) for i in range(view.currency.count())] == ["SEK", "EUR"]
    assert [(r.currency, r.amount.amount) for r in view.data.spending] == [("SEK", Decimal("300.00"))]  # type: ignore[union-attr]
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.currency.activated.emit(1)
    assert view.base == "EUR" and view.data is not None and view.data.base == "EUR"
    assert [(r.currency, r.amount.amount) for r in view.data.spending] == [("EUR", Decimal("10.00"))]
    assert reports_window.budgets.currency == "EUR"
