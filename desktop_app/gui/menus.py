"""The menu bar: every action of the window, with its shortcut, reachable from the keyboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDialog, QVBoxLayout

from desktop_app.core.store.browse import SortKey
from desktop_app.gui import dialogs
from desktop_app.gui import operations as ops_
from desktop_app.gui.charts_pane import RANGES

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
    file = bar.addMenu("&File")
    for action in (import_, export, settings):
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
    go_to_date = _action(w, "&Go to date…", lambda: ask_go_to_date(w), "Ctrl+G")
    w.transactions.note.connect(w.edits.status)
    edit = bar.addMenu("&Edit")
    for action in (undo, find, delete, go_to_date):
        edit.addAction(action)

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
    """Spending by category, money in and out by month, and net worth, in a window of their own."""
    dialog = QDialog(w)
    dialog.setWindowTitle("Reports")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    layout = QVBoxLayout(dialog)
    view = ops_.reports_view(w.ctx, dialog)
    layout.addWidget(view)
    dialog.resize(960, 680)
    dialog.show()
    view.refresh()
    return dialog
