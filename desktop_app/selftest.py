"""`saldo --self-test`: prove a build works on this machine, end to end, in a throwaway profile.

Starts the Demo Bank (the product's own, with its state in the throwaway folder), connects it
through the real loopback receiver — approving its consent page by posting the form as a
browser would —, syncs, imports a camt.053 statement (and has the XML check's helper process,
which a large file gets, judge a sound and a broken document), opens the main window offscreen
and saves a screenshot, and reports which keyring backend would hold secrets. Exits 0 only if
every step worked.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
import time
import traceback
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin


class _ConsentForm(HTMLParser):
    """The fields of the Demo Bank's consent form that a person approving it would send."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input" and (a.get("type") == "hidden" or "checked" in a):
            self.fields.append((a.get("name", ""), a.get("value", "")))


def approve_in_browser(http: Any, authorize_url: str) -> Any:
    """Open the consent page, approve it with the accounts ticked, follow the way back to the receiver."""
    page = http.get(authorize_url, follow_redirects=True)
    form = _ConsentForm()
    form.feed(page.text)
    if not form.action:
        raise RuntimeError(f"the Demo Bank sent no consent form (HTTP {page.status_code})")
    return http.post(
        urljoin(str(page.url), form.action),
        content=urlencode([*form.fields, ("decision", "approve")]).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=True,
    )


_STATEMENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">12.30</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-03</Dt></BookgDt>
<AcctSvcrRef>SELF-1</AcctSvcrRef></Ntry>
<Ntry><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-04</Dt></BookgDt>
<AcctSvcrRef>SELF-2</AcctSvcrRef></Ntry>
</Stmt></BkToCstmrStmt></Document>
"""


def import_statement(store: Any, data_dir: Path) -> dict[str, Any]:
    """Import a small camt.053 file, then have the XML helper process check it and a broken copy."""
    from desktop_app.core.errors import StatementError
    from desktop_app.core.imports import wellformed
    from desktop_app.core.imports.importer import Importer

    path = data_dir / "self-test.camt.xml"
    path.write_bytes(_STATEMENT)
    result = Importer(store).import_file(path)
    if result.added != 2:
        raise RuntimeError(f"the statement import added {result.added} entries, not 2")
    sound = wellformed.Verdict(_STATEMENT, beside=True)
    sound.wait()
    broken = wellformed.Verdict(_STATEMENT[:-20], beside=True)
    try:
        broken.wait()
        raise RuntimeError("the XML helper passed a truncated document")
    except StatementError:
        pass
    if not (sound.answered_beside and broken.answered_beside):
        raise RuntimeError("the XML check's helper process did not answer (it ran in this process instead)")
    return {"added": result.added, "xml_helper": wellformed.helper_command()[1:]}


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

            from desktop_app.core.app import create_app
            from desktop_app.core.money import NumberFormat
            from desktop_app.core.resources import resource_text
            from desktop_app.core.store.keys import PassphraseKeys
            from desktop_app.core.vault import Vault, backend_name
            from desktop_app.demo_bank import DemoBank

            assert "Saldo" in resource_text("receiver/success.html")
            step("resources")
            backend = keyring.get_keyring()
            report["keyring"] = backend_name(backend)
            step("keyring", backend=report["keyring"], module=type(backend).__module__)

            with DemoBank(data_dir, seed=7, transactions=600) as bank, httpx2.Client(timeout=15) as http:
                # An encrypted cache (throwaway passphrase: the real keyring is left alone).
                saldo = create_app(
                    data_dir,
                    vault=Vault(None, session_only=True),
                    http=http,
                    demo_bank_url=bank.url,
                    keys=PassphraseKeys(secrets.token_urlsafe(16)),
                )
                connector, store = saldo.connector, saldo.store
                step("encrypted cache", encrypted=store.key is not None)
                pending = connector.begin("demo")
                try:
                    with httpx2.Client(timeout=15) as browser:
                        answer = approve_in_browser(browser, pending.url)  # ends at the loopback receiver
                    callback = pending.wait(30)
                finally:
                    pending.close()
                connection = connector.finish(pending, callback)
                step("connect", receiver_status=answer.status_code)

                result = saldo.engine.sync(connection.id)
                if not result.ok:
                    raise RuntimeError(f"sync failed: {result.error}")
                report["transactions"] = store.count_transactions()
                step("sync", new=result.new)
                step("statement import", **import_statement(store, data_dir))

                from PySide6.QtWidgets import QApplication

                from desktop_app.gui.context import AppContext
                from desktop_app.gui.tasks import TaskRunner
                from desktop_app.gui.window import MainWindow

                app = QApplication.instance() or QApplication(sys.argv[:1])
                tasks = TaskRunner()
                ctx = AppContext(app=saldo, tasks=tasks, numbers=NumberFormat.named("en_GB"))
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
                # the Reports window draws with more of pyqtgraph than the main window does
                from desktop_app.gui.report_window import show_reports

                reports = show_reports(window)
                deadline = time.monotonic() + 20
                while reports.view.data is None:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the Reports window showed no data")
                    app.processEvents()
                    time.sleep(0.01)
                if reports.grab().isNull():
                    raise RuntimeError("the Reports window did not draw")
                step("reports", categories=reports.view.categories.rowCount())
                reports.close()
                window.close()
                tasks.shutdown()
                saldo.close()
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
