"""Readable charts and one formatting service: contrast, locale axes, honest lines, bars that follow."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.money import Money
from desktop_app.gui.context import AppContext
from desktop_app.gui.formatting import Formatter
from desktop_app.gui.sync_controller import SyncController
from desktop_app.gui.table import COL_AMOUNT
from desktop_app.gui.theme import DARK, LIGHT, contrast
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import FakeBrowser, dark_palette, household, idle, read_rows


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_every_colour_reads_at_4_5_to_1(theme: object) -> None:
    from PySide6.QtGui import QPalette

    window = "#efefef" if theme is LIGHT else dark_palette().color(QPalette.ColorRole.Window).name()
    for field in fields(theme):  # type: ignore[arg-type]
        if field.name in {"background", "grid"}:
            continue
        colour = getattr(theme, field.name)
        for ground in (theme.background, window):  # type: ignore[attr-defined]
            assert contrast(colour, ground) >= 4.5, f"{field.name} {colour} on {ground}"


def _window(qtbot: QtBot, ctx: AppContext, browser: FakeBrowser, locale: str) -> MainWindow:
    win = MainWindow(ctx, browser, fmt=Formatter.named(locale))
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    idle(qtbot, win)
    qtbot.waitUntil(lambda: bool(win.chart.visible()), timeout=10_000)
    return win


def _labels(axis: object) -> list[str]:
    return [text for level in axis._tickLevels or [] for _, text in level]  # type: ignore[attr-defined]


def test_axes_are_in_the_locale_with_the_currency_and_the_line_stops_with_the_data(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx)
    win = _window(qtbot, ctx, browser, "en_GB")
    labels = _labels(win.chart.axis)
    assert labels and all("€" in t for t in labels)
    assert any(re.fullmatch(r"-?€\d{1,3}(,\d{3})+", t) for t in labels), labels
    months = _labels(win.chart.dates)
    assert months and not any(re.search(r"\d\d\.\d", t) for t in months)  # no timestamp ticks
    # the balance snapshot is today's, but the data ends yesterday: so does the line
    assert win.chart.visible()[-1][0] == date.today() - timedelta(days=1)
    assert win.chart.visible()[-1][1] == Money(Decimal("8412.55"), "EUR")

    german = _window(qtbot, ctx, browser, "de_DE")
    labels = _labels(german.chart.axis)
    assert any(re.fullmatch(r"-?\d{1,3}(\.\d{3})+\u00a0€", t) for t in labels), labels
    row = read_rows(qtbot, german.model, [0])[0]
    assert german.model.index(0, COL_AMOUNT).data() == german.fmt.money(row.amount)
    assert "," in german.model.index(0, COL_AMOUNT).data() and "€" in german.model.index(0, COL_AMOUNT).data()
    march = german.fmt.month("2026-03")
    assert march == "März 2026"


def test_monthly_bars_follow_range_and_filters_with_values_on_hover(
    qtbot: QtBot, ctx: AppContext, browser: FakeBrowser
) -> None:
    household(ctx)
    win = _window(qtbot, ctx, browser, "en_GB")
    monthly = win.charts.monthly
    assert len(monthly.rows) > 12
    with qtbot.waitSignal(win.model.counted, timeout=10_000):
        win.set_range(92)
    qtbot.waitUntil(lambda: len(monthly.rows) <= 4, timeout=10_000)
    since = (date.today() - timedelta(days=92)).strftime("%Y-%m")
    assert all(r.month >= since for r in monthly.rows)
    with qtbot.waitSignal(win.model.counted, timeout=10_000):
        win.transactions.direction_filter.setCurrentIndex(1)  # money in only
    qtbot.waitUntil(lambda: all(r.money_out.amount == 0 for r in monthly.rows) and bool(monthly.rows), timeout=10_000)
    shown = monthly.hover_month(0)
    assert shown is not None
    assert monthly.readout.text().startswith(win.fmt.month(shown.month))
    assert f"in {win.fmt.money(shown.money_in)}" in monthly.readout.text()
    win.set_range(None)
    idle(qtbot, win)


def test_counts_have_separators_and_human_words() -> None:
    results = [SimpleNamespace(connection_id="c1", status="ok", new=2980, updated=0)]
    english = SyncController(SimpleNamespace(), Formatter.named("en_GB"))  # type: ignore[arg-type]
    assert english.describe(results) == "2,980 transactions added"
    german = SyncController(SimpleNamespace(), Formatter.named("de_DE"))  # type: ignore[arg-type]
    assert german.describe(results) == "2.980 transactions added"
    one = [SimpleNamespace(connection_id="c1", status="cancelled", new=1, updated=0)]
    english.labels = {"c1": "Demo Bank"}
    assert english.describe(one) == "1 transaction added — Demo Bank cancelled"
    assert english.fmt.money(Money(Decimal("-1234.5"), "DKK")) == "-1,234.50\u00a0DKK"
    assert english.fmt.money(Money(Decimal("12"), "SEK")).endswith("SEK")
