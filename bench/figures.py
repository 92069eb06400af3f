"""A measured figure with its target, and how the run reports them."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    area: str
    name: str
    value: float
    unit: str
    target: str
    ok: bool
    note: str = ""

    def line(self) -> str:
        mark = "ok " if self.ok else "MISS"
        value = f"{self.value:,.1f}" if self.value >= 100 else f"{self.value:.2f}"
        note = f"  ({self.note})" if self.note else ""
        return f"[{mark}] {self.area:<6} {self.name:<58} {value:>12} {self.unit:<6} target {self.target}{note}"


def at_least(area: str, name: str, value: float, unit: str, minimum: float, note: str = "") -> Figure:
    return Figure(area, name, value, unit, f">= {minimum:,g} {unit}", value >= minimum, note)


def at_most(area: str, name: str, value: float, unit: str, maximum: float, note: str = "") -> Figure:
    return Figure(area, name, value, unit, f"<= {maximum:,g} {unit}", value <= maximum, note)


def median_ms(fn: Callable[[], object], repeat: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def report(figures: list[Figure], out: Path) -> None:
    for fig in figures:
        print(fig.line(), flush=True)
    out.write_text(
        json.dumps(
            {
                "python": sys.version.split()[0],
                "machine": platform.machine(),
                "figures": [asdict(f) for f in figures],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    missed = [f for f in figures if not f.ok]
    print(f"\n{len(figures) - len(missed)} of {len(figures)} figures meet their target; written to {out}")


ROOT = Path(__file__).resolve().parent.parent


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}


@contextmanager
def sandbox_process(transactions: int) -> Iterator[str]:
    """`saldo sandbox --auto-approve` as its own process; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "sandbox", "--transactions", str(transactions), "--auto-approve"],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().split()[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


def run_child(module: str, *args: str) -> dict[str, Any]:
    """Run `python -m module args…` and read the JSON object on its last line of output."""
    out = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=900,
        check=True,
        cwd=ROOT,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result
