"""Time to data shown: `saldo` started as a person starts it, on an encrypted cache whose key is
in a real Secret Service, until the account tree, the first table page and the balance line
have each painted with data (``SALDO_EXIT_AFTER_DATA_SHOWN``, see gui/startup_probe.py).

Measured on a 1M and a 100k-transaction cache. Building a 1M cache takes a while: with
``SALDO_BENCH_CACHE=DIR`` the caches and the bench keyring that holds their keys are kept in
DIR (outside the checkout) and reused by the next run.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.figures import ROOT, Figure, at_most, child_env
from bench.keyring_session import available, keyring_session

RUNS = 7


def _env(keyring: dict[str, str], folder: Path) -> dict[str, str]:
    env = {**child_env(), **keyring}
    env.pop("PYTHON_KEYRING_BACKEND", None)  # the bench keyring, never a backend chosen for the user's
    env.pop("SALDO_PASSPHRASE", None)
    # An installed Saldo starts from compiled bytecode (pip and the bundle write it); a checkout
    # run with PYTHONDONTWRITEBYTECODE compiles ~60 modules at every start. The bytecode goes
    # to the bench folder, not into the checkout.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


def _cache(folder: Path, count: int, env: dict[str, str]) -> Path:
    """An encrypted `count`-transaction cache in `folder` (kept when already complete)."""
    data = folder / f"gui-{count}"
    if not (data / "complete").exists():
        print(f"startup: building an encrypted {count:,}-transaction cache…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "bench.gui_child", "build", str(data), str(count)],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=1800,
        )
        (data / "complete").write_text("", encoding="utf-8")
    return data


def data_shown(data: Path, env: dict[str, str], runs: int = RUNS) -> list[float]:
    """Seconds from process start to data shown, for `runs` starts of `saldo` after one that is
    not counted (it writes the bytecode and brings the cache file into the page cache)."""
    samples = []
    for _ in range(runs + 1):
        out = _start(data, env)
        samples.append(float(out.split("data-shown")[-1].split()[0]))
    return samples[1:]


def _start(data: Path, env: dict[str, str], timeout: float = 60) -> str:
    """One start of `saldo`; its output. A start that never shows data (an error dialog, a hang)
    is stopped with SIGABRT, which makes Python print every thread's stack, and reported."""
    child = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(data)],
        env={**env, "SALDO_EXIT_AFTER_DATA_SHOWN": "1", "PYTHONFAULTHANDLER": "1", "SALDO_STARTUP_TRACE": "1"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGABRT)
        out, err = child.communicate()
    if child.returncode != 0 or "data-shown" not in out:
        raise RuntimeError(f"saldo did not show the data (exit {child.returncode}):\n{err[-6000:]}")
    return out


def run(large: int = 1_000_000, small: int = 100_000) -> list[Figure]:
    if not available():
        print("startup: no dbus-daemon or gnome-keyring-daemon; time to data shown skipped", flush=True)
        return []
    kept = os.environ.get("SALDO_BENCH_CACHE")
    with tempfile.TemporaryDirectory(prefix="saldo-bench-startup-") as tmp:
        folder = Path(kept) if kept else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with keyring_session(folder / "keyring-home") as keyring:
            env = _env(keyring, folder)
            figures = []
            for count, target in ((large, 0.5), (small, 0.4)):
                samples = data_shown(_cache(folder, count, env), env)
                load = os.getloadavg()[0]
                figures.append(
                    at_most(
                        "gui",
                        f"time to data shown, {count:,}-row encrypted cache",
                        statistics.median(samples),
                        "s",
                        target,
                        "process start to tree, first page and balance line painted; key from a Secret Service; "
                        f"bytecode cached; median of {len(samples)}, {min(samples):.2f}–{max(samples):.2f} s; "
                        f"load {load:.2f}",
                    )
                )
            return figures
