"""Start-up timing marks for the start-up benchmark: process age at named steps.

With ``SALDO_STARTUP_TRACE=1`` each ``mark(name)`` writes ``startup <seconds> <name>`` to stderr,
the seconds counted from the process start (not from the first Python line), so the figures
include the interpreter's own start. Off, a mark costs one dictionary look-up.
"""

from __future__ import annotations

import os
import sys
import threading
import time

ENABLED = os.environ.get("SALDO_STARTUP_TRACE") == "1"


def process_age() -> float:
    """Seconds since this process started (from /proc where available, else since Python started)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            start_ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter()


# /proc counts in 10 ms ticks: the marks share one reading of it and then use the fine clock.
_OFFSET = process_age() - time.perf_counter() if ENABLED else 0.0


def mark(name: str) -> None:
    if ENABLED:
        thread = threading.current_thread().name
        print(f"startup {time.perf_counter() + _OFFSET:.3f} {name} [{thread}]", file=sys.stderr, flush=True)
