"""What every headless command shares: opening the cache and writing tables, CSV and JSON."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from desktop_app.commands.unlock import key_source, plain_warning
from desktop_app.core.app import App, create_app, open_vault
from desktop_app.core.store import Store

FORMATS = ("table", "csv", "json")


def open_app(args: argparse.Namespace, *, uses_secrets: bool = True) -> App:
    """Saldo on the data folder of `args`. A command that signs in or syncs (`uses_secrets`)
    says on stderr when there is no keyring and its secrets last only as long as it runs;
    it says so once the cache has opened, so a cache it cannot use is the one line it prints."""
    notes: list[str] = []
    vault = open_vault(warn=notes.append)
    app = create_app(args.data_dir, vault=vault, keys=key_source(vault))
    # Said after the command's own output, and only when it did not fail: an error stays one line.
    later = getattr(args, "notes", None)
    if later is not None:
        if uses_secrets:
            later.extend(f"{note} Continuing in session-only mode." for note in notes)
        if plain_warning(app.store):
            later.append(plain_warning(app.store))
    return app


@contextmanager
def open_store(args: argparse.Namespace) -> Iterator[Store]:
    """Just the cache, for commands that never touch a secret (still assembled by the app)."""
    with open_app(args, uses_secrets=False) as app:
        yield app.store


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
