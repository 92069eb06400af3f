"""The one way the GUI does work off the UI thread.

``TaskRunner.run(task, on_success, on_failure)`` runs ``task`` on a thread pool and calls
the callbacks back on the UI thread through a queued Qt signal. Task code never touches a
widget. A task that wants to report progress or be cancelled receives a ``TaskContext``.
Tests may build the runner with ``synchronous=True`` to run everything inline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class TaskContext:
    """Handed to a task: cooperative cancellation and progress back to the UI thread."""

    def __init__(self, runner: TaskRunner, on_progress: Callable[[Any], None] | None) -> None:
        self.cancel = threading.Event()
        self._runner = runner
        self._on_progress = on_progress

    def progress(self, value: Any) -> None:
        if self._on_progress is not None:
            self._runner._deliver.emit(self._on_progress, value)


class TaskRunner(QObject):
    """A thread pool whose results arrive on the UI thread."""

    _deliver = Signal(object, object)

    def __init__(self, workers: int = 3, synchronous: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = None if synchronous else ThreadPoolExecutor(max_workers=workers, thread_name_prefix="saldo-task")
        self._deliver.connect(self._call, Qt.ConnectionType.QueuedConnection)
        self.running = 0
        self._closed = False

    @Slot(object, object)
    def _call(self, callback: Callable[[Any], None], value: Any) -> None:
        callback(value)

    def run(
        self,
        task: Callable[..., Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        with_context: bool = False,
    ) -> TaskContext:
        context = TaskContext(self, on_progress)
        if self._closed:  # the app is closing: late timers must not start work
            log.debug("task dropped: the runner is shut down")
            return context
        self.running += 1

        def done(ok: bool, value: Any) -> None:
            self.running -= 1
            if ok and on_success is not None:
                on_success(value)
            elif not ok:
                if on_failure is not None:
                    on_failure(value)
                else:
                    log.error("background task failed: %s", value)

        def work() -> None:
            try:
                value = task(context) if with_context else task()
            except Exception as exc:  # reported to the caller on the UI thread
                self._deliver.emit(lambda v: done(False, v), exc)
                return
            self._deliver.emit(lambda v: done(True, v), value)

        if self._pool is None:
            work()
        else:
            self._pool.submit(work)
        return context

    def shutdown(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
