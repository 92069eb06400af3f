"""The `saldo` command: the GUI by default, plus headless subcommands over the same core.

Every subcommand takes --data-dir. Errors are one line on stderr and a non-zero exit code.
Subcommand groups live beside the code they drive and register themselves here through a
`register(subparsers)` function that sets `func(args) -> int` on their parser.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from desktop_app import __version__
from desktop_app.commands import argtypes
from desktop_app.core.errors import SaldoError
from desktop_app.startup_trace import mark

log = logging.getLogger(__name__)

# Modules that contribute subcommands, in the order `saldo --help` lists them.
COMMAND_MODULES = (
    "desktop_app.commands.data",
    "desktop_app.commands.connections",
    "desktop_app.commands.imports",
    "desktop_app.commands.accounts_cmd",
    "desktop_app.commands.categorise",
    "desktop_app.commands.category_edit",
    "desktop_app.commands.reports",
    "desktop_app.commands.export",
    "desktop_app.commands.backup",
    "saldo_sandbox.cli",  # development install only: the bundle leaves the simulator out
)


class CliError(Exception):
    """An error to print as one line, with the exit code to leave with."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def build_parser() -> argparse.ArgumentParser:
    common = argtypes.OneLineParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        type=argtypes.path,
        default=argparse.SUPPRESS,
        help="keep the database here instead of the platform data directory",
    )
    parser = argtypes.OneLineParser(
        prog="saldo",
        parents=[common],
        description="Saldo: your bank accounts in one private place, offline. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"saldo {__version__}")
    parser.add_argument("--self-test", action="store_true", help="check this installation end to end and exit")
    parser.add_argument(
        "--self-test-report", metavar="FILE", type=argtypes.path, help="also write the self-test report (JSON) here"
    )
    # data_dir is not defaulted here: set_defaults would also reset the shared --data-dir
    # action inside every subparser and so drop a --data-dir given before the command.
    parser.set_defaults(func=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (name == exc.name or name.startswith(exc.name + ".")):
                raise
            continue
        module.register(sub, common)
    return parser


def _app_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """``saldo`` or ``saldo --data-dir DIR``: the app, parsed without importing every command's
    module first (that alone took ~0.4 s of the start-up); None for anything else."""
    if not argv:
        value = None
    elif len(argv) == 2 and argv[0] == "--data-dir" and not argv[1].startswith("-"):
        value = argv[1]
    elif len(argv) == 1 and argv[0].startswith("--data-dir="):
        value = argv[0].split("=", 1)[1]
    else:
        return None
    try:
        data_dir = None if value is None else argtypes.path(value)
    except argparse.ArgumentTypeError:
        return None  # the full parser says what is wrong, as for any other argument
    return argparse.Namespace(data_dir=data_dir, self_test=False, self_test_report=None, func=None)


def main(argv: Sequence[str] | None = None) -> int:
    mark("python started")
    given = list(sys.argv[1:] if argv is None else argv)
    args = _app_only(given) or build_parser().parse_args(given)
    if not hasattr(args, "data_dir"):
        args.data_dir = None
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.self_test_report and not args.self_test:
            raise CliError("--self-test-report needs --self-test.", 2)
        if args.self_test:
            from desktop_app.selftest import run_self_test

            return run_self_test(args.self_test_report)
        if args.func is None:
            from desktop_app.gui.opening import Opening

            opening = Opening(args.data_dir).start()  # the keyring and the cache, while Qt loads
            from desktop_app.gui.app import run_gui

            return int(run_gui(data_dir=args.data_dir, opening=opening))
        args.notes = []  # warnings that must not turn an error into two lines (see commands.common)
        code = int(args.func(args))
        for note in args.notes:
            print(f"saldo: {note}", file=sys.stderr)
        return code
    except CliError as exc:
        print(f"saldo: {exc}", file=sys.stderr)
        return exc.exit_code
    except SaldoError as exc:
        print(f"saldo: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader (`| head`) left: nothing to say, and nowhere to say it
        return 1
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"saldo: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("saldo: interrupted", file=sys.stderr)
        return 130
