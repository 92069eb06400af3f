"""`saldo import FILE…`: statement files (OFX/QFX, camt, MT940, QIF, CSV) into the cache, headless.

Each file is imported on its own, in one transaction: a file that cannot be read is reported
in one line and leaves nothing behind, and the next file goes on. ``--dry-run`` reads and
matches everything but stores nothing (not even a new database file).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from desktop_app.cli import CliError
from desktop_app.commands import argtypes
from desktop_app.commands.common import open_app
from desktop_app.core.app import App
from desktop_app.core.errors import StatementError
from desktop_app.core.imports.detect import FORMATS
from desktop_app.core.imports.importer import Importer, ImportResult, Target, resolve_mapping
from desktop_app.core.imports.qif import DATE_ORDERS
from desktop_app.core.imports.reader import ReadOptions
from desktop_app.core.money import CURRENCY_EXPONENTS
from desktop_app.core.paths import database_path, resolve_data_dir

_NAMES = {"ofx": "OFX", "camt": "camt (ISO 20022)", "mt940": "MT940", "qif": "QIF", "csv": "CSV"}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[common], help="import bank statement files (OFX, camt, MT940, QIF, CSV)")
    p.add_argument("files", nargs="+", type=argtypes.path, metavar="FILE")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--account",
        type=argtypes.integer(1, argtypes.SQLITE_MAX_INT, "an account id"),
        metavar="ID",
        help="import into this account (see `saldo accounts`)",
    )
    where.add_argument(
        "--new-account",
        type=argtypes.text("the account name", 200),
        metavar="NAME",
        help="create an account with this name for the file",
    )
    p.add_argument(
        "--currency",
        type=argtypes.text("the currency", 3),
        metavar="CCY",
        help="currency of a new account, or of a QIF/CSV file",
    )
    p.add_argument("--format", choices=("auto", *FORMATS), default="auto", help="file format (default: auto)")
    p.add_argument(
        "--csv-mapping",
        type=argtypes.text("the mapping", 500),
        metavar="NAME",
        help="CSV preset name or mapping .json file",
    )
    p.add_argument("--date-order", choices=DATE_ORDERS, help="QIF: how to read dates that fit either order")
    p.add_argument("--dry-run", action="store_true", help="show what would be imported; store nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.new_account and not args.currency:
        raise CliError("--new-account needs --currency (for example --currency EUR)", exit_code=2)
    if args.currency and args.currency.upper() not in CURRENCY_EXPONENTS:
        raise CliError(f"unknown currency {args.currency!r} (an ISO 4217 code such as EUR)", exit_code=2)
    mapping = resolve_mapping(args.csv_mapping) if args.csv_mapping else None
    target = Target(args.account, args.new_account, args.currency.upper() if args.currency else None)
    options = ReadOptions(format=args.format, csv_mapping=mapping, date_order=args.date_order)
    failed = 0
    with ExitStack() as stack:
        app = stack.enter_context(_open(args, stack))
        importer = Importer(app.store)
        for path in map(Path, args.files):
            try:
                result = importer.import_file(path, target, options, dry_run=args.dry_run)
            except StatementError as exc:
                failed += 1
                text = str(exc) if exc.file else f"{path.name}: {exc}"
                print(f"saldo: {text}", file=sys.stderr)
                continue
            print_result(result, sys.stdout)
    return 1 if failed else 0


def _open(args: argparse.Namespace, stack: ExitStack) -> App:
    if args.dry_run and not database_path(resolve_data_dir(args.data_dir)).exists():
        # A dry run must not create the cache: match against an empty scratch database.
        args = argparse.Namespace(**{**vars(args), "data_dir": stack.enter_context(tempfile.TemporaryDirectory())})
    return open_app(args, uses_secrets=False)


def print_result(result: ImportResult, out: TextIO) -> None:
    prefix = "[dry run] " if result.dry_run else ""
    print(f"{prefix}{result.file}: {_NAMES.get(result.format, result.format)}", file=out)
    for item in result.accounts:
        label = f"account {item.account_id} {item.account_name!r}" + (" (new)" if item.created else "")
        verb = "would add" if result.dry_run else "added"
        line = f"  {label}: {verb} {item.added}, already present {item.present}"
        if item.pending:
            line += f" ({item.pending} of the file's entries pending)"
        if item.deleted:
            line += f" ({item.deleted} you had deleted stay deleted)"
        print(line, file=out)
        for snapshot in item.closing:
            print(f"  closing balance {snapshot.amount} on {snapshot.as_of.date().isoformat()}", file=out)
        for warning in item.warnings:
            print(f"  warning: {warning}", file=out)
