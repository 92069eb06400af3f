"""Run one sync in its own process and report its figures (time, counts, peak RSS) as JSON."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import httpx2

from desktop_app.core.app import create_app
from desktop_app.core.vault import Vault


def peak_rss_mb() -> float:
    """This process's own high-water RSS. (getrusage's ru_maxrss on Linux carries the parent's
    peak across fork and exec, so a child of a big process would report the parent's.)"""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    sandbox_url, data_dir = sys.argv[1], Path(sys.argv[2])
    with httpx2.Client(timeout=30) as http:
        app = create_app(data_dir, vault=Vault(None, session_only=True), http=http)
        store, connector = app.store, app.connector
        pending = connector.begin("demo", sandbox=sandbox_url)
        with httpx2.Client(timeout=30, follow_redirects=True) as browser:
            browser.get(pending.url)  # the sandbox runs with --auto-approve
        connection = connector.finish(pending, pending.wait(30))
        pending.close()
        engine = app.engine
        figures = {}
        for label in ("initial", "resync"):
            start = time.perf_counter()
            result = engine.sync(connection.id)
            figures[label] = {
                "seconds": time.perf_counter() - start,
                "new": result.new,
                "status": result.status,
                "pages": result.pages,
            }
        figures["rss_mb"] = peak_rss_mb()
        figures["cached"] = store.count_transactions()
        app.close()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
