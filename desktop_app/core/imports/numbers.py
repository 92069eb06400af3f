"""Reading amounts as people's exports write them: ``-$7,971.39``, ``1.234,56``, ``(12.00)``, ``9,``."""

from __future__ import annotations

import re
from decimal import Decimal

from desktop_app.core.errors import MoneyError, StatementError
from desktop_app.core.money import parse_decimal

_SYMBOLS = re.compile(r"[^\d,.\-+()]")


def parse_number(
    text: str, decimal: str | None = None, thousands: str | None = None, line: int | None = None
) -> Decimal:
    """An exact Decimal from a formatted amount.

    With `decimal` given ("." or ","), the other mark (or `thousands`) is a group separator.
    Without it the last mark decides when both occur; a lone comma followed by one or two
    digits (or none) is a decimal comma, otherwise a thousands separator.
    """
    raw = text.strip()
    cleaned = _SYMBOLS.sub("", raw.replace("\u2212", "-"))
    negative = cleaned.startswith("-") or cleaned.endswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    cleaned = cleaned.strip("+-()")
    if thousands:
        cleaned = cleaned.replace(thousands, "")
    if decimal is None:
        decimal = _guess_decimal(cleaned)
    group = "," if decimal == "." else "."
    cleaned = cleaned.replace(group, "").replace(decimal, ".")
    if cleaned.endswith("."):
        cleaned += "0"
    if not cleaned or "-" in cleaned or "+" in cleaned or "(" in cleaned or ")" in cleaned:
        raise StatementError(f"not an amount: {raw[:40]!r}", line=line)
    try:
        value = parse_decimal(cleaned)
    except MoneyError:
        raise StatementError(f"not an amount: {raw[:40]!r}", line=line) from None
    return -value if negative else value


def _guess_decimal(text: str) -> str:
    comma, dot = text.rfind(","), text.rfind(".")
    if comma >= 0 and dot >= 0:
        return "," if comma > dot else "."
    if comma >= 0:
        tail = text[comma + 1 :]
        return "," if text.count(",") == 1 and len(tail) != 3 else "."
    return "."
