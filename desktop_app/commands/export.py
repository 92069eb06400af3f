"""`saldo export --format csv|beancount`: everything in the cache, with categories, to a file or stdout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_app.commands import argtypes
from desktop_app.commands.common import open_store
from desktop_app.core import export
from desktop_app.core.views.export import write_whole


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", parents=[common], help="export transactions as CSV or a beancount journal")
    p.add_argument("--format", choices=("csv", "beancount"), default="csv", help="what to write (default: csv)")
    p.add_argument("--output", type=argtypes.path, metavar="FILE", help="write here instead of to standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    write = export.write_csv if args.format == "csv" else export.write_beancount
    with open_store(args) as store:
        output = Path(args.output) if args.output is not None else None
        if output is None:
            count = write(store, sys.stdout)
        else:
            count = write_whole(output, lambda out: write(store, out))
    print(f"exported {count} transactions", file=sys.stderr)
    return 0
