"""The categories, rules, report, budget, account and export commands as real subprocesses."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from tests import factories
from tests.cachekeys import passphrase_cache
from tests.categories.ecb_server import EcbFiles, ecb_server
from tests.cli.test_data_commands import saldo


@pytest.fixture
def filled(data_dir: Path) -> Path:
    with passphrase_cache(data_dir / "saldo.db") as store:
        factories.connection(store)
        factories.account(store, ref="a1", name="Everyday")
        factories.account(store, ref="a2", name="Savings")
        store.upsert_transactions(
            [
                factories.tx(1, 1, "-12.30", counterparty="Netto", day=date(2026, 3, 2)),
                factories.tx(1, 2, "-7.70", counterparty="NETTO Aarhus", day=date(2026, 3, 9)),
                factories.tx(1, 3, "-123.00", counterparty="Own transfer", day=date(2026, 3, 10)),
                factories.tx(2, 4, "123.00", counterparty="Own transfer", day=date(2026, 3, 10)),
                factories.tx(1, 5, "2000.00", counterparty="ACME", description="Salary", day=date(2026, 3, 25)),
            ]
        )
    return data_dir


def _ok(*args: str, data_dir: Path) -> str:
    done = saldo(*args, data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_rules_categorise_and_reports_end_to_end(filled: Path) -> None:
    listed = json.loads(_ok("categories", "--format", "json", data_dir=filled))
    assert {"id", "category", "kind", "code"} <= set(listed[0]) and any(c["category"] == "Groceries" for c in listed)
    added = saldo("rules", "add", "--counterparty", "netto", "--category", "Groceries", data_dir=filled)
    assert added.returncode == 0 and "2 existing transactions would change" in added.stderr
    assert "2 of 5 transactions would change" in _ok("rules", "apply", "--dry-run", data_dir=filled)
    assert "2 of 5 transactions changed" in _ok("rules", "apply", data_dir=filled)
    (rule,) = json.loads(_ok("rules", "list", "--format", "json", data_dir=filled))
    assert rule["when"] == "counterparty contains 'netto'" and rule["then"] == "category Groceries"
    assert "Eating out" in _ok("categorise", "2", "eating out", data_dir=filled)
    _ok("rules", "apply", data_dir=filled)  # the manual choice stays
    spending = json.loads(_ok("report", "spending", "--from", "2026-03-01", "--format", "json", data_dir=filled))
    assert spending == [
        {"category": "Groceries", "currency": "EUR", "amount": "12.30", "count": "1"},
        {"category": "Eating out", "currency": "EUR", "amount": "7.70", "count": "1"},
    ]  # the 123.00 transfer is neither spending nor income
    monthly = list(csv.DictReader(io.StringIO(_ok("report", "monthly", "--format", "csv", data_dir=filled))))
    assert monthly == [
        {"month": "2026-03", "currency": "EUR", "income": "2000.00", "spending": "20.00", "net": "1980.00"}
    ]
    _ok("budget", "set", "groceries", "10", "--month", "2026-01", data_dir=filled)
    shown = json.loads(_ok("budget", "show", "--month", "2026-03", "--format", "json", data_dir=filled))
    assert shown == [{"category": "Groceries", "budget": "10.00", "spent": "12.30", "left": "-2.30", "over": "OVER"}]


def test_net_worth_fetches_ecb_rates_over_http(filled: Path) -> None:
    files = EcbFiles({date(2026, 3, 31): {"USD": "1.23456"}})
    with ecb_server(files) as url:
        out = _ok(
            "report",
            "networth",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--base",
            "USD",
            "--fetch-rates",
            "--ecb-url",
            url,
            "--format",
            "json",
            data_dir=filled,
        )
    (point,) = json.loads(out)
    assert point["net_worth"] == "2444.43"  # 1980.00 EUR * 1.23456 = 2444.4288
    assert point["not_converted"] is None
    offline = saldo(
        "report",
        "networth",
        "--base",
        "USD",
        "--fetch-rates",
        "--ecb-url",
        "http://127.0.0.1:9/",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "json",
        data_dir=filled,
    )
    assert offline.returncode == 0 and "Could not reach the ECB" in offline.stderr
    assert json.loads(offline.stdout)[0]["net_worth"] == "2444.43"  # from the cache


def test_accounts_manual_entries_and_export(filled: Path, tmp_path: Path) -> None:
    assert "Daily" in _ok("account", "rename", "1", "Daily", data_dir=filled)
    _ok("account", "type", "2", "savings", data_dir=filled)
    assert "kept by hand" in _ok("account", "add-manual", "Wallet", "--currency", "EUR", data_dir=filled)
    listed = json.loads(_ok("account", "list", "--format", "json", data_dir=filled))
    assert [(a["name"], a["type"], a["manual"]) for a in listed] == [
        ("Daily", "checking", ""),
        ("Savings", "savings", ""),
        ("Wallet", "cash", "yes"),
    ]
    _ok("manual", "add", "3", "2026-03-05", "-4.50", "Market", "--category", "Groceries", data_dir=filled)
    assert "deleted" in _ok("manual", "delete", "6", data_dir=filled)
    assert "restored" in _ok("manual", "undo", data_dir=filled)
    _ok("rules", "add", "--counterparty", "netto", "--tag", "food", data_dir=filled)
    _ok("rules", "apply", data_dir=filled)
    target = tmp_path / "out.csv"
    _ok("export", "--format", "csv", "--output", str(target), data_dir=filled)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["amount"] for r in rows] == ["-12.30", "-4.50", "-7.70", "-123.00", "123.00", "2000.00"]
    assert rows[1]["category"] == "Groceries" and rows[1]["category_source"] == "manual"
    assert rows[0]["tags"] == "food" and rows[3]["transfer_with"] == "4"
    journal = _ok("export", "--format", "beancount", data_dir=filled)
    assert (
        '2026-03-10 * "Own transfer" "Card payment"\n  Assets:Accounts:Daily-1  -123.00 EUR\n'
        "  Assets:Accounts:Savings-2  123.00 EUR\n" in journal
    )
    assert "  Income:Income:Salary" not in journal and "  Income:Uncategorised  -2000.00 EUR" in journal
    assert journal.count("Own transfer") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("categorise", "1", "Yachts"), "no category called 'Yachts'"),
        (("categorise", "99", "Groceries"), "no transaction 99"),
        (("rules", "add", "--regex", "(", "--tag", "x"), "regular expression"),
        (("rules", "add", "--tag", "x"), "at least one condition"),
        (("rules", "move", "7", "0"), "no rule 7"),
        (("budget", "set", "Groceries", "-5"), "positive"),
        (("report", "networth", "--base", "XXX"), "unknown currency"),
        (("manual", "add", "1", "2026-01-01", "5", "x"), "comes from a bank"),
        (("account", "type", "1", "crypto"), "An account type is one of"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(filled: Path, args: tuple[str, ...], message: str) -> None:
    done = saldo(*args, data_dir=filled)
    assert done.returncode != 0
    assert message in done.stderr and "Traceback" not in done.stderr
    with passphrase_cache(filled / "saldo.db") as store:
        assert store._read("SELECT count(*) FROM rules")[0][0] == 0
        assert store._read("SELECT count(*) FROM transactions WHERE category_source IS NOT NULL")[0][0] == 0
        assert store._read("SELECT count(*) FROM budgets")[0][0] == 0
        assert store._read("SELECT display_name, account_type FROM accounts WHERE id = 1")[0][:] == (None, None)


def test_category_editing_split_and_transfer_marks(filled: Path) -> None:
    assert "Housing / Parking" in _ok("category", "add", "Parking", "--parent", "housing", data_dir=filled)
    assert "Transport / Parking" in _ok("category", "move", "Parking", "Transport", data_dir=filled)
    assert "Car park" in _ok("category", "rename", "Transport/Parking", "Car park", data_dir=filled)
    _ok("categorise", "1", "Car park", data_dir=filled)
    _ok("category", "merge", "Car park", "Fuel", data_dir=filled)
    assert "Transport / Fuel" in _ok(
        "report", "spending", "--category", "Transport", "--format", "json", data_dir=filled
    )
    assert "3 parts" in _ok("split", "2", "Groceries=-5.00", "Eating out=-2.20", "Pets=-0.50", data_dir=filled)
    wrong = saldo("split", "2", "Groceries=-5.00", "Pets=-2.00", data_dir=filled)
    assert wrong.returncode == 1 and "add up to -7.00 EUR" in wrong.stderr
    bad = saldo("split", "2", "Groceries:-5", "Pets=-2.70", data_dir=filled)
    assert bad.returncode == 1 and "CATEGORY=AMOUNT" in bad.stderr
    assert "a transfer" in _ok("transfer", "mark", "3", "4", data_dir=filled)
    monthly = json.loads(_ok("report", "monthly", "--format", "json", data_dir=filled))
    assert monthly[0]["spending"] == "20.00"  # the marked transfer is out
    _ok("transfer", "unmark", "3", data_dir=filled)
    monthly = json.loads(_ok("report", "monthly", "--format", "json", data_dir=filled))
    assert (monthly[0]["income"], monthly[0]["spending"]) == ("2123.00", "143.00")
    deleted = saldo("category", "delete", "Groceries", data_dir=filled)
    assert deleted.returncode == 1 and "split" in deleted.stderr
    _ok("category", "delete", "Groceries", "--to", "Eating out", data_dir=filled)
    assert "Groceries" not in _ok("categories", data_dir=filled)
