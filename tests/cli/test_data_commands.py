"""`saldo accounts` / `saldo transactions` run as a real subprocess over a real cache file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.core.models import BalanceKind, BalanceSnapshot, TransactionStatus
from desktop_app.core.money import Money
from desktop_app.core.store.driver import CacheKey
from tests.cachekeys import CHILD_ENV, TEST_PASSPHRASE, connect_raw, passphrase_cache
from tests.factories import account, connection, tx


def saldo(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LC_ALL": "C.UTF-8", **CHILD_ENV}
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args, *extra], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.fixture
def filled(data_dir: Path) -> Path:
    with passphrase_cache(data_dir / "saldo.db") as store:
        connection(store)
        acc = account(store, currency="KWD").id
        assert acc is not None
        store.upsert_transactions(
            [
                tx(acc, 1, amount="1234.567", currency="KWD", day=date(2026, 1, 2), description="Salary"),
                tx(acc, 2, amount="-0.105", currency="KWD", day=date(2026, 1, 3), status=TransactionStatus.PENDING),
            ]
        )
        store.add_balance(
            BalanceSnapshot(
                acc, BalanceKind.BOOKED, Money(Decimal("1234.462"), "KWD"), datetime(2026, 1, 3, tzinfo=UTC)
            )
        )
    return data_dir


def test_transactions_json_keeps_amounts_exact_as_strings(filled: Path) -> None:
    result = saldo("transactions", "--format", "json", data_dir=filled)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["date"], r["amount"], r["currency"], r["status"]) for r in rows] == [
        ("2026-01-03", "-0.105", "KWD", "pending"),
        ("2026-01-02", "1234.567", "KWD", "booked"),
    ]


def test_transactions_csv_and_filters(filled: Path) -> None:
    result = saldo("--data-dir", str(filled), "transactions", "--format", "csv", "--search", "sal")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["description"], r["amount"]) for r in rows] == [("Salary", "1234.567")]


def test_accounts_table(filled: Path) -> None:
    result = saldo("accounts", data_dir=filled)
    assert result.returncode == 0, result.stderr
    header, line = result.stdout.splitlines()
    assert header.split() == ["id", "connection", "name", "iban", "currency", "balance", "as_of"]
    assert "Everyday" in line and "1,234.462" in line


def test_version() -> None:
    result = saldo("--version")
    assert result.returncode == 0 and result.stdout.startswith("saldo ")


def _assert_one_line_error(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert needle in result.stderr


def test_corrupt_database_is_one_clear_line(data_dir: Path) -> None:
    (data_dir / "saldo.db").write_bytes(b"not sqlite" * 50)
    _assert_one_line_error(saldo("accounts", data_dir=data_dir), "not a Saldo database")


def test_too_new_database_is_one_clear_line(filled: Path) -> None:
    conn = connect_raw(filled / "saldo.db", CacheKey(passphrase=TEST_PASSPHRASE))
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    _assert_one_line_error(saldo("transactions", data_dir=filled), "newer Saldo")


def test_bad_data_dir_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _assert_one_line_error(saldo("accounts", data_dir=blocker), "data directory")
