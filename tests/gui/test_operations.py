"""Background operations: the app goes in, results come back on the UI thread, closed parents drop them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.core.errors import SaldoError
from desktop_app.gui.operations import Change, MutationOp, Operations, QueryOp
from desktop_app.gui.tasks import TaskContext, TaskRunner


@pytest.fixture
def ops() -> Iterator[Operations]:
    runner = TaskRunner()
    yield Operations(SimpleNamespace(store="the store"), runner)
    runner.shutdown()


def test_the_op_gets_the_app_and_the_result_comes_back(qtbot: QtBot, ops: Operations) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    got: list[object] = []
    QueryOp(ops, parent=parent, op=lambda app: (app.store, threading.current_thread().name), success=got.append).run()
    qtbot.waitUntil(lambda: bool(got))
    store, thread = got[0]  # type: ignore[misc]
    assert store == "the store" and thread.startswith("saldo-task")


@pytest.mark.parametrize("how", ["close", "hide-dialog", "delete"])
def test_a_result_for_a_closed_or_destroyed_parent_is_dropped(qtbot: QtBot, ops: Operations, how: str) -> None:
    parent: QWidget = QDialog() if how == "hide-dialog" else QWidget()
    parent.show()
    release = threading.Event()
    got: list[object] = []
    dropped: list[object] = []
    QueryOp(ops, parent=parent, op=lambda app: release.wait(10) and "late", success=got.append).if_dropped(
        dropped.append
    ).run()
    if how == "close":
        parent.close()
    elif how == "hide-dialog":
        parent.reject()  # type: ignore[attr-defined]
    else:
        parent.deleteLater()
        qtbot.waitUntil(lambda: ops.runner.running == 1)
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    release.set()
    qtbot.waitUntil(lambda: ops.runner.running == 0)
    assert got == []
    assert dropped == ["late"]  # what the result holds can still be released


def test_a_failure_shows_a_dialog_unless_the_caller_handles_it(qtbot: QtBot, ops: Operations) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()

    def boom(app: object) -> None:
        raise SaldoError("The cache could not be read.")

    QueryOp(ops, parent=parent, op=boom).run()
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox, "operation-failure") is not None)
    box = parent.findChild(QMessageBox, "operation-failure")
    assert box.text() == "The cache could not be read." and box.isVisible()
    box.close()
    handled: list[BaseException] = []
    QueryOp(ops, parent=parent, op=boom).failure(handled.append).run()
    qtbot.waitUntil(lambda: bool(handled))
    assert str(handled[0]) == "The cache could not be read."


def test_a_mutation_announces_its_change_even_if_its_window_closed(qtbot: QtBot, ops: Operations) -> None:
    parent = QWidget()
    parent.show()
    release = threading.Event()
    MutationOp(ops, parent=parent, op=lambda app: release.wait(10), changes=frozenset({Change.TRANSACTIONS})).run()
    parent.close()
    with qtbot.waitSignal(ops.changed, timeout=5_000) as changed:
        release.set()
    assert changed.args == [frozenset({Change.TRANSACTIONS})]


def test_progress_and_cancel_reach_the_op(qtbot: QtBot, ops: Operations) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[int] = []
    finished: list[str] = []

    def work(app: object, task: TaskContext) -> str:
        task.progress(1)
        assert task.cancel.wait(10)
        return "stopped"

    task = QueryOp(ops, parent=parent, op=work, success=finished.append).with_progress(seen.append).run()
    qtbot.waitUntil(lambda: seen == [1])
    task.cancel.set()
    qtbot.waitUntil(lambda: finished == ["stopped"])
