"""Colours for the light and the dark palette, each with at least 4.5:1 contrast on its background.

The charts, the table and the badges take their colours from here, chosen by the window
colour of the current palette; `contrast` is the WCAG ratio the tests hold them to.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication


@dataclass(frozen=True)
class Colours:
    background: str  # what the colours below are read against (the base of views and plots)
    text: str
    muted: str  # pending and withdrawn rows, quiet badges
    income: str
    spending: str
    warning: str
    error: str
    line: str  # the balance line
    grid: str  # decoration only (axis lines, the hover marker): no contrast needed


LIGHT = Colours("#ffffff", "#1f2623", "#5c6863", "#176b43", "#a3321f", "#7a5000", "#a3321f", "#176150", "#9aa5a0")
DARK = Colours("#2a2a2a", "#ecf1ee", "#b2bdb8", "#6fd39a", "#f59c87", "#f0c060", "#ff9c8a", "#6fd3b5", "#66706b")


def is_dark() -> bool:
    return QGuiApplication.palette().base().color().lightness() < 128


def colours() -> Colours:
    return DARK if is_dark() else LIGHT


def _luminance(name: str) -> float:
    colour = QColor(name)

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
