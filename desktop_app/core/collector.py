"""Pausing Python's cyclic garbage collector while a worker holds many short-lived rows.

The collector runs on whichever thread happens to allocate, holding the interpreter lock
for the whole pass. A worker that reads a hundred thousand rows at once (pairing the
transfers of a first sync, say) triggers a full pass over every object of the process,
and the UI thread waits 70 ms or more for it: the window freezes. Those rows hold no
reference cycles; reference counting frees them the moment the work ends. So such work
runs with automatic collection paused. Nested and concurrent pauses are counted: the
collector resumes when the last one ends, and only if it was running before the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"depth": 0, "was_enabled": False}


@contextmanager
def collection_paused() -> Iterator[None]:
    """Run the body without automatic cyclic collection (reference counting still frees)."""
    with _lock:
        if _state["depth"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["was_enabled"]:
                gc.enable()
