"""Start-up: `saldo` shows the tree, the first page and the balance line from an encrypted cache,
before it imports what only signing in and syncing need, and says when (the benchmark's probe)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from desktop_app import cli
from desktop_app.core.store import TxFilter
from desktop_app.core.views.charts import balance_data, chart_data, monthly_data
from desktop_app.gui.charts_pane import ChartsPane
from desktop_app.gui.formatting import Formatter
from tests.cachekeys import CHILD_ENV, passphrase_cache
from tests.factories import account, connection, tx

ROOT = Path(__file__).resolve().parents[2]


def _cache(folder: Path, days: int = 60) -> None:
    """An encrypted cache (passphrase, as a `saldo` subprocess opens it) with one account."""
    store = passphrase_cache(folder / "saldo.db")
    try:
        connection(store)
        everyday = account(store)
        assert everyday.id is not None
        first = date.today() - timedelta(days=days)
        store.upsert_transactions([tx(everyday.id, n, "-10.00", first + timedelta(days=n)) for n in range(days)])
    finally:
        store.close()


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout, check=False
    )


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, **CHILD_ENV, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), **extra}


def test_the_app_paints_tree_page_and_balance_line_from_the_encrypted_cache_and_says_when(tmp_path: Path) -> None:
    _cache(tmp_path)
    env = _env(SALDO_EXIT_AFTER_DATA_SHOWN="1", SALDO_STARTUP_TRACE="1")
    done = _run(["-m", "desktop_app", "--data-dir", str(tmp_path)], env)
    assert done.returncode == 0, done.stderr
    seconds = float(done.stdout.split("data-shown")[-1].split()[0])
    assert 0 < seconds < 120
    for view in ("tree", "table", "balance line"):
        assert f"painted with data: {view}" in done.stderr
    # the keyring and the cache were opened on a thread of their own, not the UI thread
    assert "opening the cache [saldo-opening]" in done.stderr


def test_the_app_alone_skips_the_command_parser_and_anything_else_goes_through_it() -> None:
    assert cli._app_only([]) is not None and cli._app_only([]).data_dir is None  # type: ignore[union-attr]
    assert cli._app_only(["--data-dir", "x"]).data_dir == "x"  # type: ignore[union-attr]
    assert cli._app_only(["--data-dir=y"]).data_dir == "y"  # type: ignore[union-attr]
    for argv in (["--data-dir", ""], ["--data-dir", "-x"], ["sync"], ["--version"], ["--data-dir", "x", "sync"]):
        assert cli._app_only(argv) is None, argv


def test_an_empty_data_dir_for_the_app_is_still_refused_in_one_line() -> None:
    done = _run(["-m", "desktop_app", "--data-dir", ""], _env())
    assert done.returncode == 2
    assert "must not be empty" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_opening_the_cache_and_reading_the_tree_import_no_sign_in_or_sync_code(tmp_path: Path) -> None:
    _cache(tmp_path, days=3)
    heavy = (
        "authlib",
        "desktop_app.core.connect",
        "desktop_app.core.sync",
        "cryptography.x509",
        "desktop_app.commands",
    )
    script = f"""
import sys
from desktop_app.gui.opening import Opening
app, tree = Opening({str(tmp_path)!r}).start().result()
assert [a.name for a in tree.accounts] == ["Everyday"], tree
print(sorted(m for m in sys.modules if m.startswith({heavy!r})))
connector = app.connector
assert app.connector is connector and app.engine is app.engine
print(sorted(m for m in sys.modules if m.startswith({heavy[:4]!r})))
app.close()
"""
    done = _run(["-c", script], _env())
    assert done.returncode == 0, done.stderr
    before, after = done.stdout.strip().splitlines()
    assert before == "[]"
    assert "desktop_app.core.connect" in after and "desktop_app.core.sync" in after


def test_the_ui_thread_imports_no_module_the_opening_thread_may_be_importing() -> None:
    """Two threads importing one package at once can deadlock on Python's import locks (seen:
    the keyring's backends lost to an ImportError, and the cache would not open)."""
    script = """
import importlib, sys
import desktop_app.cli
from desktop_app.gui import opening
ours = ("desktop_app.core", "keyring", "secretstorage", "jeepney")
before = set(sys.modules)
import desktop_app.gui.app  # on the UI thread while the opening imports
print(sorted(m for m in set(sys.modules) - before if m.startswith(ours)))
for name in opening.SHARED:
    importlib.import_module(name)
import keyring
keyring.get_keyring()
before = set(sys.modules)
import desktop_app.gui.context, desktop_app.gui.window  # after `opening.imported`
print(sorted(m for m in set(sys.modules) - before if m.startswith(ours)))
"""
    done = _run(["-c", script], _env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "[]"]


def test_the_quick_keyring_look_up_picks_the_backend_keyring_itself_picks() -> None:
    plain = "import keyring; print(type(keyring.get_keyring()).__module__)"
    quick = (
        "import ctypes.util, keyring; real = ctypes.util.find_library\n"
        "from desktop_app.gui.opening import find_keyring; find_keyring()\n"
        "assert ctypes.util.find_library is real\n"
        "print(type(keyring.get_keyring()).__module__)"
    )
    env = {k: v for k, v in _env().items() if k != "PYTHON_KEYRING_BACKEND"}  # let keyring choose
    chosen = [_run(["-c", code], env) for code in (plain, quick)]
    assert all(done.returncode == 0 for done in chosen), [done.stderr for done in chosen]
    assert chosen[0].stdout == chosen[1].stdout and chosen[0].stdout.strip()


def test_a_demo_bank_address_given_before_the_connector_exists_reaches_it(tmp_path: Path) -> None:
    from desktop_app.core.app import create_app
    from desktop_app.core.vault import Vault
    from tests.cachekeys import memory_keys

    with create_app(tmp_path, vault=Vault(None, session_only=True), keys=memory_keys()) as app:
        app.use_demo_bank("http://127.0.0.1:9")
        assert app.connector.demo_bank_url == "http://127.0.0.1:9"
        app.use_demo_bank("http://127.0.0.1:10")
        assert app.connector.demo_bank_url == "http://127.0.0.1:10"


def test_the_balance_line_is_sketched_before_the_charts_exist_then_the_chart_takes_over(
    qtbot: QtBot, store: object
) -> None:
    connection(store)  # type: ignore[arg-type]
    everyday = account(store)  # type: ignore[arg-type]
    assert everyday.id is not None
    first = date.today() - timedelta(days=40)
    store.upsert_transactions(  # type: ignore[attr-defined]
        [tx(everyday.id, n, "-10.00" if n % 3 else "25.00", first + timedelta(days=n)) for n in range(40)]
    )
    filt = TxFilter(account_ids=(everyday.id,))
    whole = chart_data(store, (everyday.id,), "EUR", filt)  # type: ignore[arg-type]
    assert balance_data(store, (everyday.id,), "EUR").balance == whole.balance  # type: ignore[arg-type]
    assert monthly_data(store, (everyday.id,), "EUR", filt) == whole.monthly  # type: ignore[arg-type]

    pane = ChartsPane(Formatter.named("en_GB"))
    qtbot.addWidget(pane)
    pane.resize(900, 420)
    pane.show()
    pane.show_balance("Everyday", balance_data(store, (everyday.id,), "EUR"))  # type: ignore[arg-type]
    widget, has_line = pane.balance_view()
    assert pane.balance is None and widget is pane.sketch.plot and has_line  # type: ignore[union-attr]
    assert pane.sketch.visible() == whole.balance  # type: ignore[union-attr]
    sketched = pane.sketch.readout.text()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: pane.balance is not None, timeout=20_000)  # built once the sketch has painted
    chart: Any = pane.balance_view()[0]
    assert pane.sketch is None and chart.visible() == whole.balance
    assert chart.readout.text() == sketched and sketched.endswith(pane.fmt.money(whole.balance[-1][1]))
    assert pane.monthly.rows == []  # the bars wait for their own read
    pane.show_monthly(whole.monthly)
    assert pane.monthly.rows == whole.monthly and pane.data == whole
