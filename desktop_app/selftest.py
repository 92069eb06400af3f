"""`saldo --self-test`: prove a build works on this machine, end to end, in a throwaway profile.

Starts the embedded sandbox, connects the Demo Bank through the real loopback receiver (the
sandbox approves at once), syncs, opens the main window offscreen and saves a screenshot,
and reports which keyring backend would hold secrets. Exits 0 only if every step worked.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any


def run_self_test(report_path: str | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    steps: list[dict[str, Any]] = []
    report: dict[str, Any] = {"ok": False, "steps": steps}
    started = time.perf_counter()

    def step(name: str, **details: Any) -> None:
        steps.append({"step": name, "ok": True, "seconds": round(time.perf_counter() - started, 3), **details})

    with tempfile.TemporaryDirectory(prefix="saldo-self-test-") as tmp:
        data_dir = Path(tmp)
        try:
            import httpx2
            import keyring

            from desktop_app.core.connect import Connector
            from desktop_app.core.money import NumberFormat
            from desktop_app.core.resources import resource_text
            from desktop_app.core.store.cache import open_cache
            from desktop_app.core.store.keys import PassphraseKeys
            from desktop_app.core.vault import Vault, backend_name
            from desktop_app.sandbox.app import Sandbox

            assert "Saldo" in resource_text("receiver/success.html")
            step("resources")
            backend = keyring.get_keyring()
            report["keyring"] = backend_name(backend)
            step("keyring", backend=report["keyring"], module=type(backend).__module__)

            with Sandbox(seed=7, transactions=600, auto_approve=True) as sandbox, httpx2.Client(timeout=15) as http:
                # An encrypted cache (throwaway passphrase: the real keyring is left alone).
                store = open_cache(data_dir / "saldo.db", PassphraseKeys(secrets.token_urlsafe(16)))
                step("encrypted cache", encrypted=store.key is not None)
                connector = Connector(store, Vault(None, session_only=True), http)
                pending = connector.begin("demo", sandbox=sandbox.url)
                try:
                    with httpx2.Client(timeout=15, follow_redirects=True) as browser:
                        answer = browser.get(pending.url)  # the sandbox approves and redirects to the receiver
                    callback = pending.wait(30)
                finally:
                    pending.close()
                connection = connector.finish(pending, callback)
                step("connect", receiver_status=answer.status_code)

                from desktop_app.core.sync import SyncEngine

                result = SyncEngine(store, connector.open_session).sync(connection.id)
                if not result.ok:
                    raise RuntimeError(f"sync failed: {result.error}")
                report["transactions"] = store.count_transactions()
                step("sync", new=result.new)

                from PySide6.QtWidgets import QApplication

                from desktop_app.gui.context import AppContext
                from desktop_app.gui.tasks import TaskRunner
                from desktop_app.gui.window import MainWindow

                app = QApplication.instance() or QApplication(sys.argv[:1])
                tasks = TaskRunner()
                ctx = AppContext(
                    data_dir=data_dir,
                    store=store,
                    vault=connector.vault,
                    http=http,
                    tasks=tasks,
                    numbers=NumberFormat.named("en_GB"),
                    sandbox_url=sandbox.url,
                )
                window = MainWindow(ctx, lambda url: True)
                window.show()
                deadline = time.monotonic() + 20
                while (window.stack.currentIndex() != 1 or tasks.running) and time.monotonic() < deadline:
                    app.processEvents()
                    time.sleep(0.01)
                if window.model.rowCount() == 0:
                    raise RuntimeError("the main window shows no transactions")
                shot = Path(report_path).with_suffix(".png") if report_path else data_dir / "self-test.png"
                if not window.grab().save(str(shot)):
                    raise RuntimeError("could not save the screenshot")
                report["screenshot"] = str(shot)
                step("window", rows=window.model.rowCount())
                window.close()
                tasks.shutdown()
                store.close()
            report["ok"] = True
        except Exception as exc:  # the report says what failed; the exit code says that it did
            steps.append(
                {
                    "step": "error",
                    "ok": False,
                    "error": f"{type(exc).__name__}: {exc}",
                    "trace": traceback.format_exc(limit=6),
                }
            )
    text = json.dumps(report, indent=2)
    if report_path:
        Path(report_path).write_text(text + "\n", encoding="utf-8")
    print(text, flush=True)
    return 0 if report["ok"] else 1
