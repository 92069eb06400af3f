"""The menu bar: every action of the window, with its shortcut, reachable from the keyboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog

from desktop_app.core.store.browse import SortKey
from desktop_app.gui import dialogs
from desktop_app.gui import operations as ops_
from desktop_app.gui import shaping_ops as shaping
from desktop_app.gui.categorise import Categoriser
from desktop_app.gui.charts_pane import RANGES
from desktop_app.gui.operations import QueryOp
from desktop_app.gui.split_dialog import Splitter

if TYPE_CHECKING:
    from desktop_app.gui.window import MainWindow


Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


def _action(window: MainWindow, text: str, slot: object, shortcut: Shortcut = None) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    return action


@dataclass
class Actions:
    import_: QAction
    export: QAction
    settings: QAction
    quit: QAction
    undo: QAction
    find: QAction
    delete: QAction
    ranges: QActionGroup
    show_charts: QAction
    show_accounts: QAction
    connect: QAction
    sync: QAction
    reconnect: QAction
    disconnect: QAction
    about: QAction
    where: QAction
    categorise: QAction
    go_to_date: QAction


def build(w: MainWindow) -> Actions:
    """Create the window's actions and the menus that hold them."""
    bar = w.menuBar()
    import_ = _action(w, "&Import statements…", lambda: w.import_statements())
    import_.setToolTip("Import bank statement files (OFX, camt.053, MT940, QIF, CSV); or drop them on the window")
    export = _action(w, "&Export transactions…", w.edits.export_csv, "Ctrl+E")
    settings = _action(w, "&Settings…", w.show_settings, QKeySequence.StandardKey.Preferences)
    quit_ = _action(w, "&Quit", w.close, "Ctrl+Q")
    quit_.setMenuRole(QAction.MenuRole.QuitRole)
    everything = _action(w, "Export e&verything…", lambda: export_everything(w))
    everything.setToolTip("Every transaction with its category, as CSV or a beancount journal")
    file = bar.addMenu("&File")
    for action in (import_, export, everything, settings):
        file.addAction(action)
    file.addSeparator()
    file.addAction(quit_)

    undo = _action(w, "&Undo", w.edits.undo, QKeySequence.StandardKey.Undo)
    undo.setEnabled(False)
    find = _action(w, "&Find…", w.focus_search, QKeySequence.StandardKey.Find)
    delete = _action(w, "&Delete transaction", w.edits.delete_selected, QKeySequence.StandardKey.Delete)
    # Delete acts on the table only: in the search field the key must keep deleting characters
    delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    w.transactions.table.addAction(delete)
    categoriser = Categoriser(w.ops, w.fmt, w.edits.chosen, w)
    categoriser.status.connect(w.status_text.setText)
    categorise = _action(w, "&Categorise…", categoriser.categorise_selected, "Ctrl+K")
    categorise.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the search field keeps its Ctrl+K
    w.transactions.table.addAction(categorise)
    splitter = Splitter(w.ops, w.fmt, w.edits.chosen, w)
    splitter.status.connect(w.status_text.setText)
    split = _action(w, "&Split…", splitter.split_selected, "Ctrl+Shift+S")
    go_to_date = _action(w, "&Go to date…", lambda: ask_go_to_date(w), "Ctrl+G")
    w.transactions.note.connect(w.edits.status)
    edit = bar.addMenu("&Edit")
    for action in (undo, find, go_to_date, categorise, split, delete):
        edit.addAction(action)
    edit.addSeparator()
    edit.addAction(_action(w, "Categor&ies…", lambda: show_categories(w)))
    edit.addAction(_action(w, "&Rules…", lambda: show_rules(w), "Ctrl+Shift+R"))

    view = bar.addMenu("&View")
    ranges = QActionGroup(w)
    for n, (_, name, days) in enumerate(RANGES[-1:] + RANGES[:-1], start=1):
        action = _action(w, name, lambda _=False, d=days: w.set_range(d), f"Ctrl+{n}")
        action.setCheckable(True)
        action.setChecked(days is None)
        action.setData(days)
        ranges.addAction(action)
        view.addAction(action)
    view.addSeparator()
    show_charts = _action(w, "Show &charts", w.charts.setVisible)
    show_accounts = _action(w, "Show &accounts", w.accounts_panel.setVisible)
    for action in (show_charts, show_accounts):
        action.setCheckable(True)
        action.setChecked(True)
        view.addAction(action)
    view.addAction(_action(w, "Go to &accounts", w.accounts.setFocus, "Alt+1"))
    view.addAction(_action(w, "Go to &transactions", w.transactions.table.setFocus, "Alt+2"))
    view.addSeparator()
    view.addAction(_action(w, "&Reports…", lambda: show_reports(w), "Ctrl+R"))

    connect = _action(w, "&Connect a bank…", lambda: w.open_wizard(), QKeySequence.StandardKey.New)
    sync = _action(w, "&Sync all", w.sync_all, "F5")
    reconnect = _action(w, "&Reconnect…", w.reconnect_current)
    disconnect = _action(w, "&Disconnect…", w.disconnect_current)
    connections = bar.addMenu("&Connections")
    for action in (connect, sync, reconnect, disconnect):
        connections.addAction(action)
    connections.addSeparator()
    connections.addAction(_action(w, "&Accounts…", lambda: show_accounts_dialog(w), "Ctrl+Shift+A"))

    about = _action(w, "&About Saldo", w.show_about)
    where = _action(w, "&Where my data lives", w.show_settings)
    help_menu = bar.addMenu("&Help")
    help_menu.addActions([where, about])
    return Actions(
        import_,
        export,
        settings,
        quit_,
        undo,
        find,
        delete,
        ranges,
        show_charts,
        show_accounts,
        connect,
        sync,
        reconnect,
        disconnect,
        about,
        where,
        categorise,
        go_to_date,
    )


def ask_go_to_date(w: MainWindow) -> dialogs.GoToDateDialog:
    """Ask for a day and select its first transaction (the table goes to date order if it is not)."""
    pane = w.transactions
    current = pane.model.transaction(pane.table.currentIndex().row())
    key = pane.model.order.key
    dialog = dialogs.GoToDateDialog(
        w.fmt,
        current.booking_date if current is not None else date.today(),
        None if key is SortKey.DATE else key.value,
        w,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.chosen.connect(pane.go_to_day)
    dialog.open()
    return dialog


def show_reports(w: MainWindow) -> QDialog:
    """Spending by category, money in and out by month, net worth and budgets, in a window of their own."""
    from desktop_app.gui.report_window import show_reports as show  # pyqtgraph's charts: loaded when first asked

    return show(w)


def show_rules(w: MainWindow) -> QDialog:
    from desktop_app.gui.rules_dialog import RulesDialog

    dialog = RulesDialog(w.ops, w.fmt, w)
    dialog.show()
    dialog.refresh()
    return dialog


def show_accounts_dialog(w: MainWindow) -> QDialog:
    from desktop_app.gui.accounts_dialog import AccountsDialog

    dialog = AccountsDialog(w.ops, w.fmt, w)
    dialog.show()
    dialog.refresh()
    return dialog


def show_categories(w: MainWindow) -> QDialog:
    from desktop_app.gui.categories_dialog import CategoriesDialog

    dialog = CategoriesDialog(w.ops, w)
    dialog.show()
    dialog.refresh()
    return dialog


JOURNALS = {"CSV with categories (*.csv)": "csv", "Beancount journal (*.beancount)": "beancount"}


def export_everything(w: MainWindow, chosen: tuple[str, str] | None = None) -> None:
    """File → Export everything…: the whole cache with categories, written on a worker."""
    path, kind = chosen or QFileDialog.getSaveFileName(w, "Export everything", "saldo.csv", ";;".join(JOURNALS))
    if not path:
        return
    target, form = Path(path), JOURNALS.get(kind, "beancount" if path.endswith(".beancount") else "csv")
    w.status_text.setText(f"Exporting everything to {target.name}…")
    QueryOp(
        w.ops,
        parent=w,
        op=lambda app: shaping.export_everything(app, target, form),
        success=lambda n: w.status_text.setText(f"Exported {w.fmt.things(n, 'transaction')} to {target.name}"),
    ).failure(lambda exc: w.status_text.setText(f"Export failed: {ops_.user_message(exc)}")).run()
