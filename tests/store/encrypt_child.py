"""A child process that encrypts a plain cache and kills itself (SIGKILL) at a chosen point.

`python -m tests.store.encrypt_child CACHE POINT`: the crash test runs this once per point and
then checks that exactly one readable cache is left.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.core.store import encrypt
from desktop_app.core.store.cache import open_cache
from desktop_app.core.store.keys import PassphraseKeys

PASSPHRASE = "crash test passphrase"


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_around(owner: Any, name: str, *, after: bool) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not after:
            _die()
        result = original(*args, **kwargs)
        _die()
        return result

    setattr(owner, name, wrapper)


POINTS: dict[str, Callable[[], None]] = {
    "after the key is made": lambda: _kill_around(PassphraseKeys, "new_key", after=True),
    "after the copy": lambda: _kill_around(encrypt, "export_copy", after=True),
    "before the safety link": lambda: _kill_around(os, "link", after=False),
    "after the safety link": lambda: _kill_around(os, "link", after=True),
    "after the swap": lambda: _kill_around(os, "replace", after=True),
    "while overwriting the plain file": lambda: _kill_around(os, "write", after=True),
    "never": lambda: None,
}

if __name__ == "__main__":
    POINTS[sys.argv[2]]()
    open_cache(Path(sys.argv[1]), PassphraseKeys(PASSPHRASE)).close()
