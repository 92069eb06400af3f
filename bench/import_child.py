"""Import a statement file, the same file again and an edited copy, in a process of their own.

The cache is encrypted, as the app makes it by default (its key in a keyring; here an
in-memory one, so the bench leaves the user's keyring alone). Reports times, counts and the
peak RSS of the first import as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.sync_child import peak_rss_mb
from desktop_app.core.imports.importer import Importer
from desktop_app.core.store.cache import open_cache
from desktop_app.core.store.keys import KeyringKeys
from desktop_app.core.vault import Vault, _Memory


def main() -> None:
    statement, data_dir = Path(sys.argv[1]), Path(sys.argv[2])
    figures: dict[str, object] = {}
    with open_cache(data_dir / "saldo.db", KeyringKeys(Vault(_Memory()))) as store:  # type: ignore[arg-type]
        if store.key is None:
            raise SystemExit("the import bench needs SQLCipher: it measures an encrypted cache")
        importer = Importer(store)
        copy = data_dir / f"copy-{statement.name}"
        copy.write_bytes(statement.read_bytes() + b"\n")  # other bytes: every entry is read and matched again
        for label, path in (("initial", statement), ("again", statement), ("copy", copy)):
            start, cpu, helpers = time.perf_counter(), time.process_time(), _children_cpu()
            result = importer.import_file(path)
            figures[label] = {
                "seconds": time.perf_counter() - start,
                "cpu_seconds": time.process_time() - cpu,  # this process's own share, for loaded machines
                "helper_cpu_seconds": _children_cpu() - helpers,  # the XML check's helper process
                "added": result.added,
                "present": result.present,
            }
            if label == "initial":
                figures["rss_mb"] = peak_rss_mb()
        figures["helper_rss_mb"] = _helper_peak_rss_mb(statement)
        figures["stall"] = _stall(statement, data_dir / "stall")
    print(json.dumps(figures))


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def _helper_peak_rss_mb(statement: Path) -> float:
    """The high-water RSS of the XML check's helper process, run on its own on the same file (the
    kernel's child RSS figure would carry this big process's own peak across the exec)."""
    code = (
        "import sys; from desktop_app.core.imports.wellformed import main; main(); "
        "sys.stderr.write(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"
    )
    with statement.open("rb") as document:
        done = subprocess.run([sys.executable, "-c", code], stdin=document, capture_output=True, check=True)
    return int(done.stderr) / 1024


def _stall(statement: Path, folder: Path) -> dict[str, float]:
    """Import into a fresh cache on a worker thread, as the window does, while this thread
    ticks every 5 ms: the longest gap between ticks is how long the window would freeze (the
    worker holding the GIL in one long step)."""
    folder.mkdir()
    with open_cache(folder / "saldo.db", KeyringKeys(Vault(_Memory()))) as store:  # type: ignore[arg-type]
        done = threading.Event()
        worker = threading.Thread(target=lambda: (Importer(store).import_file(statement), done.set()))
        gaps, last = [], time.perf_counter()
        worker.start()
        while not done.is_set():
            time.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
        worker.join()
    return {"max_gap_ms": max(gaps) * 1000 - 5, "ticks": len(gaps)}


if __name__ == "__main__":
    main()
