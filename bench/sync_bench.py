"""Sync figures: 100k transactions from a sandbox running as its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.figures import Figure, at_least, at_most

ROOT = Path(__file__).resolve().parent.parent


def run(transactions: int = 100_000) -> list[Figure]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "sandbox", "--transactions", str(transactions), "--auto-approve"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert sandbox.stdout is not None
        url = sandbox.stdout.readline().split()[-1]
        with tempfile.TemporaryDirectory(prefix="saldo-bench-sync-") as tmp:
            out = subprocess.run(
                [sys.executable, "-m", "bench.sync_child", url, tmp],
                capture_output=True,
                text=True,
                env=env,
                timeout=900,
                check=True,
                cwd=ROOT,
            ).stdout
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    data = json.loads(out)
    initial, resync = data["initial"], data["resync"]
    rate = initial["new"] / initial["seconds"]
    note = f"{initial['new']:,} new in {initial['pages']} pages, {initial['seconds']:.2f} s"
    return [
        at_least("sync", f"initial sync of {initial['new']:,} transactions, end to end", rate, "tx/s", 25_000, note),
        at_most(
            "sync",
            "re-sync of the unchanged account set",
            resync["seconds"],
            "s",
            1.0,
            f"{resync['pages']} pages, {resync['new']} new",
        ),
        at_most("sync", "peak RSS of the syncing process", data["rss_mb"], "MB", 200),
    ]
