"""A real Secret Service for the start-up benchmark: gnome-keyring on a private D-Bus session.

The start-up figure must include what a person's start includes: probing the keyring over D-Bus,
fetching the cache key from it, and opening the SQLCipher cache with that key. The bench never
touches the user's own keyring: it starts its own ``dbus-daemon`` and ``gnome-keyring-daemon``
under a throwaway (or kept, see ``SALDO_BENCH_CACHE``) home folder, and hands child processes
the environment that points at them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The bench keyring's unlock password: it guards nothing but a throwaway bench cache's key.
UNLOCK = "saldo-bench"
VARIABLES = ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS")


def available() -> bool:
    return shutil.which("dbus-daemon") is not None and shutil.which("gnome-keyring-daemon") is not None


@contextmanager
def keyring_session(home: Path, unlock: str = UNLOCK) -> Iterator[dict[str, str]]:
    """Start the daemons with `home` as HOME (its keyring files survive for the next run);
    yield the variables a child needs to use them; stop both daemons on the way out.

    The test suites' ``secret_service`` fixture starts its Secret Service here too."""
    runtime = home / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    started = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=20,
    ).stdout.split()
    env["DBUS_SESSION_BUS_ADDRESS"] = started[0]
    pids = [int(started[1])]
    try:
        daemon = subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
            input=unlock,
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=20,
        )
        pids += [
            int(line.split("=", 1)[1]) for line in daemon.stdout.splitlines() if line.startswith("GNOME_KEYRING_PID=")
        ]
        yield {name: env[name] for name in VARIABLES}
    finally:
        for pid in reversed(pids):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
