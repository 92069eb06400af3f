"""What every headless command shares: opening the cache and writing tables, CSV and JSON."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from desktop_app.commands.unlock import key_source, warn_if_plain
from desktop_app.core.paths import database_path, resolve_data_dir
from desktop_app.core.store import Store
from desktop_app.core.store.cache import open_cache

FORMATS = ("table", "csv", "json")


def open_store(args: argparse.Namespace) -> Store:
    store = open_cache(database_path(resolve_data_dir(args.data_dir)), key_source())
    warn_if_plain(store)
    return store


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, out: TextIO = sys.stdout) -> None:
    """Write rows as an aligned table, CSV or JSON. Values must already be strings (or None)."""
    if fmt == "json":
        json.dump([{c: r.get(c) for c in columns} for r in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        cells = [[str(r.get(c) if r.get(c) is not None else "") for c in columns] for r in rows]
        widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
        right = {i for i, c in enumerate(columns) if c in {"amount", "balance"}}

        def line(values: Sequence[str]) -> str:
            return "  ".join(
                v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(values)
            ).rstrip()

        out.write(line(columns) + "\n")
        for row in cells:
            out.write(line(row) + "\n")
