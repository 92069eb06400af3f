"""A lock shared by every Saldo process on this machine: an advisory lock on a file.

Two ``saldo sync`` processes (or the app and a command) that refresh the same connection at
once would each spend the same refresh token; a provider that rotates refresh tokens then
refuses the second with ``invalid_grant``. Refreshing under this lock, and re-reading the
tokens after taking it, makes the second process use what the first one stored.

The lock file is empty and private; the operating system drops the lock when the process
ends, so a killed process never leaves it held.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if sys.platform == "win32":  # pragma: no cover - exercised by the Windows bundle only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for ~10 s, then raises OSError

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class ProcessLocks:
    """Named locks that hold across threads of this process and across processes.

    One instance per application: the thread locks live here, not in a class attribute, so
    two apps built in one test never share state.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._threads: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _thread_lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._threads.setdefault(name, threading.Lock())

    @contextmanager
    def hold(self, name: str) -> Iterator[None]:
        """Hold the lock called `name` (letters, digits, ``-`` and ``_``) until the block ends."""
        with self._thread_lock(name):
            if self.folder is None:
                yield
                return
            path = self.folder / f".lock-{name}"
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                _lock(fd)
                try:
                    yield
                finally:
                    _unlock(fd)
            finally:
                os.close(fd)
