"""Asking a provider for the next page while this one is stored.

A sync's pages come from a generator that requests one page at a time, and between two
requests the sync stores the page it has (insert, the bank's hints, the rules): half of a
first sync's time, during which the provider sat idle. ``read_ahead`` runs the generator on
a thread of its own, one page ahead, so the provider prepares the next page and the HTTP
client waits for it while this thread stores. The pages arrive in their order; an error the
generator raises is raised here at the same point, after the pages before it; leaving early
(an error here, a cancel) stops the thread once its current request is answered. Leaving waits
for that at most LEAVE_AFTER seconds: a provider that asked to be retried in a minute must not
hold back the error that stops the sync; the thread then ends on its own after the request.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

_END = object()
LEAVE_AFTER = 2.0
log = logging.getLogger(__name__)


@contextmanager
def read_ahead[T](items: Iterable[T], *, name: str = "saldo-read-ahead") -> Iterator[Iterator[T]]:
    """An iterator over `items`, produced one item ahead on another thread: while this thread
    works on item n, the other reads item n + 1 and then waits until n + 1 is taken."""
    handoff: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=1)
    taken = threading.Event()
    stop = threading.Event()

    def offer(item: object, error: BaseException | None = None) -> bool:
        """Hand `item` over and wait until it is taken; False once the reader has left."""
        taken.clear()
        handoff.put((item, error))  # never blocks: the previous item was taken
        while not taken.wait(0.1):
            if stop.is_set():
                return False
        return not stop.is_set()

    def produce() -> None:
        source: Iterator[T] | None = None
        try:
            source = iter(items)
            for item in source:
                if not offer(item):
                    return
            offer(_END)
        except BaseException as exc:  # handed to the reader, raised there
            offer(_END, exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()  # a generator's own clean-up, on the thread that ran it

    def consume() -> Iterator[T]:
        while True:
            item, error = handoff.get()
            taken.set()  # the reader may go on to the next item
            if error is not None:
                raise error
            if item is _END:
                return
            yield item  # type: ignore[misc]  # anything but _END came from `items`

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        yield consume()
    finally:
        stop.set()  # a producer waiting for its item to be taken gives up within 0.1 s
        worker.join(LEAVE_AFTER)
        if worker.is_alive():
            log.info("%s: left to finish its current request on its own", name)
