"""Validating argparse types and a parser whose errors are one line.

Every option that takes a value goes through one of these, so a value out of range, NaN,
infinity, an empty string or a number too big for SQLite is refused while parsing, with a
sentence that says what is allowed, before any file is opened. Each type function carries
``kind`` (and ``low``/``high`` for numbers) so tests can derive hostile values from the real
parser instead of keeping their own list of options.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn
from urllib.parse import urlsplit

# SQLite stores INTEGER as a signed 64-bit value; a larger id would overflow on the way in.
SQLITE_MAX_INT = 2**63 - 1
MAX_TEXT = 1000
# Plain digits only: int() would also take "1_000", " ٣ " and other forms nobody types on purpose.
_WHOLE = re.compile(r"[+-]?[0-9]+")


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser that reports a usage error as one line: ``saldo: <what> (see --help)``."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        where = f"{command}: " if command else ""
        text = " ".join(message.split())  # argparse messages may wrap or carry newlines
        self.exit(2, f"saldo: {where}{text} (see `{self.prog} --help`)\n")


def _tag[T](func: Callable[[str], T], kind: str, **extra: Any) -> Callable[[str], T]:
    func.kind = kind  # type: ignore[attr-defined]
    for key, value in extra.items():
        setattr(func, key, value)
    return func


def integer(low: int, high: int, name: str = "a whole number") -> Callable[[str], int]:
    """A whole number from low to high inclusive, in plain ASCII digits."""

    def parse(text: str) -> int:
        cleaned = text.strip()
        if not _WHOLE.fullmatch(cleaned):
            raise argparse.ArgumentTypeError(f"{_show(text)} is not {name} (use {low}..{high})")
        # Length first: int() of thousands of digits is slow, and refused beyond 4300.
        value = int(cleaned) if len(cleaned) <= 40 else None
        if value is None or not low <= value <= high:
            shown = cleaned if value is not None else f"{cleaned[:20]}… ({len(cleaned)} digits)"
            raise argparse.ArgumentTypeError(f"{shown} is out of range {low}..{high}")
        return value

    parse.__name__ = "integer"
    return _tag(parse, "int", low=low, high=high)


def number(low: float, high: float, name: str = "a number") -> Callable[[str], float]:
    """A finite decimal number from low to high inclusive; NaN and infinity are refused."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{_show(text)} is not {name} (use {low:g}..{high:g})") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{_show(text)} is not a finite number (use {low:g}..{high:g})")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{_show(text)} is out of range {low:g}..{high:g}")
        return value

    parse.__name__ = "number"
    return _tag(parse, "float", low=low, high=high)


def text(what: str, max_length: int = MAX_TEXT) -> Callable[[str], str]:
    """Non-empty printable text of at most max_length characters."""

    def parse(value: str) -> str:
        if not value.strip():
            raise argparse.ArgumentTypeError(f"{what} must not be empty")
        if len(value) > max_length:
            raise argparse.ArgumentTypeError(f"{what} is longer than {max_length} characters")
        if not value.isprintable():
            raise argparse.ArgumentTypeError(f"{what} contains control characters")
        return value

    parse.__name__ = "text"
    return _tag(parse, "text", max_length=max_length)


def _path(value: str) -> str:
    # An empty path would silently mean "the current folder" or "the default": refuse it.
    if not value.strip():
        raise argparse.ArgumentTypeError("the folder or file name must not be empty")
    if "\x00" in value:
        raise argparse.ArgumentTypeError("the folder or file name contains a NUL character")
    return value


path = _tag(_path, "path")


def _url(value: str) -> str:
    parts = urlsplit(value.strip()) if value.isprintable() else None
    try:
        port_ok = parts is not None and (parts.port is None or parts.port > 0)
    except ValueError:
        port_ok = False
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise argparse.ArgumentTypeError(f"{_show(value)} is not an http(s) address such as http://127.0.0.1:8080")
    return value.strip()


url = _tag(_url, "url")


def _tenant(value: str) -> str:
    # it becomes a segment of the sign-in URL path: the provider registry says what may go there
    from desktop_app.core.errors import TenantNeeded
    from desktop_app.core.providers.registry import check_tenant

    try:
        return check_tenant(value)
    except TenantNeeded as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


tenant = _tag(_tenant, "text", max_length=100)


def _country(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise argparse.ArgumentTypeError(f"{_show(value)} is not a two-letter country code such as FI")
    return value.strip().upper()


country = _tag(_country, "text", max_length=2)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_show(value)} is not a date (YYYY-MM-DD)") from None


day = _tag(_day, "date")


def _show(value: str) -> str:
    """The offending value for a message: quoted, one line, cut short."""
    return repr(value[:40] + ("…" if len(value) > 40 else ""))  # repr escapes control characters


def _amount(value: str) -> Decimal:
    text = value.strip()
    if not _AMOUNT.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{_show(value)} is not an amount such as -12.50")
    return Decimal(text)


_AMOUNT = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,6})?")
# An amount typed by the person: digits with an optional sign and decimal point, never a float.
amount = _tag(_amount, "text", max_length=24)


def _amount_text(value: str) -> str:
    _amount(value)
    return value.strip()


amount_text = _tag(_amount_text, "text", max_length=24)  # checked here, kept as typed
# Ids of rows in the cache, and positions in an ordered list.
ROW_ID = integer(1, SQLITE_MAX_INT, "an id")
POSITION = integer(0, 1_000_000, "a position")
