"""File → Export everything…: the whole cache with categories, as CSV or beancount; failures said, no half files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import categories as cat
from desktop_app.core.errors import ExportError
from desktop_app.core.views.export import write_whole
from desktop_app.gui.menus import JOURNALS, export_everything
from desktop_app.gui.window import MainWindow
from tests import factories

CSV_FILTER, BEANCOUNT_FILTER = list(JOURNALS)


def filled(window: MainWindow) -> None:
    store = window.ctx.store
    factories.connection(store)
    acc = factories.account(store).id
    assert acc is not None
    store.upsert_transactions([factories.tx(acc, 1, "-12.30"), factories.tx(acc, 2, "2500.00", counterparty="ACME")])
    first = next(t for t in store.iter_transactions() if t.provider_id == "t1")
    assert first.id is not None
    cat.set_category(store, first.id, cat.find_category(store, "Groceries").id)


def test_csv_with_categories_and_a_beancount_journal(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    filled(window)
    target = tmp_path / "all.csv"
    export_everything(window, (str(target), CSV_FILTER))
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Exported"), timeout=10_000)
    assert window.status_text.text() == "Exported 2 transactions to all.csv"
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["amount"], r["category"]) for r in rows} == {("-12.30", "Groceries"), ("2500.00", "")}

    journal = tmp_path / "all.beancount"
    export_everything(window, (str(journal), BEANCOUNT_FILTER))
    qtbot.waitUntil(lambda: window.status_text.text().endswith("all.beancount"), timeout=10_000)
    text = journal.read_text(encoding="utf-8")
    assert "Expenses:Groceries" in text and "-12.30 EUR" in text
    assert not list(tmp_path.glob("*.part"))


def test_a_folder_that_cannot_be_written_is_said_and_leaves_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    filled(window)
    target = tmp_path / "missing-folder" / "all.csv"
    export_everything(window, (str(target), CSV_FILTER))
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Export failed"), timeout=10_000)
    assert "Could not write" in window.status_text.text() and "all.csv" in window.status_text.text()
    assert not target.parent.exists()


def test_write_whole_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "journal.beancount"
    target.write_text("the previous export\n", encoding="utf-8")

    def broken(out: object) -> int:
        out.write("half a ")  # type: ignore[attr-defined]
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="No space left on device"):
        write_whole(target, broken)
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["journal.beancount"]
