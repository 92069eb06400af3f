"""Sync figures: 100k transactions from a sandbox running as its own process."""

from __future__ import annotations

import tempfile

from bench.figures import Figure, at_least, at_most, run_child, sandbox_process


def run(transactions: int = 100_000) -> list[Figure]:
    with sandbox_process(transactions) as url, tempfile.TemporaryDirectory(prefix="saldo-bench-sync-") as tmp:
        data = run_child("bench.sync_child", url, tmp)
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
