"""`saldo accounts` and `saldo transactions`: read the cache, offline."""

from __future__ import annotations

import argparse
import sys
from itertools import islice
from typing import Any

from desktop_app.commands import argtypes
from desktop_app.commands.common import add_format_option, emit, open_app
from desktop_app.core.errors import NotFound, SaldoError
from desktop_app.core.models import TransactionStatus
from desktop_app.core.money import Money, NumberFormat, format_amount
from desktop_app.core.store import TxFilter
from desktop_app.core.views.export import COLUMNS, ExportFormat, export_row, matching, write_transactions

# Account ids and row counts: positive and small enough for SQLite's 64-bit integers.
ROW_ID = argtypes.integer(1, argtypes.SQLITE_MAX_INT)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("accounts", parents=[common], help="list cached accounts with their latest balance")
    add_format_option(p)
    p.add_argument("--all", action="store_true", help="include accounts you chose to hide")
    p.set_defaults(func=accounts)

    p = sub.add_parser("transactions", parents=[common], help="list cached transactions, newest first")
    add_format_option(p)
    p.add_argument(
        "--account", type=ROW_ID, action="append", metavar="ID", help="only this account (repeatable; see `accounts`)"
    )
    p.add_argument(
        "--search", type=argtypes.text("--search"), metavar="TEXT", help="words in the description or counterparty"
    )
    p.add_argument("--from", dest="date_from", type=argtypes.day, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=argtypes.day, metavar="YYYY-MM-DD")
    p.add_argument("--status", choices=[s.value for s in TransactionStatus])
    p.add_argument("--limit", type=ROW_ID, default=None, metavar="N", help="at most N rows (default: all)")
    p.set_defaults(func=transactions)


def _amount(money: Money, fmt: str, numbers: NumberFormat) -> str:
    # Machine formats carry the exact decimal as a string; the table uses the user's locale.
    return str(money.normalized()) if fmt != "table" else format_amount(money, numbers)


def accounts(args: argparse.Namespace) -> int:
    numbers = NumberFormat.from_system()
    with open_app(args, uses_secrets=False) as app:
        store = app.store
        rows: list[dict[str, Any]] = [
            {
                "id": str(a.account.id),
                "connection": a.connection.label,
                "name": a.account.name,
                "iban": a.account.iban,
                "currency": a.account.currency,
                "balance": _amount(a.balance, args.format, numbers) if a.balance else None,
                "as_of": a.as_of.isoformat() if a.as_of else None,
            }
            for a in store.accounts_with_balances(include_hidden=args.all)
        ]
    emit(rows, ["id", "connection", "name", "iban", "currency", "balance", "as_of"], args.format)
    return 0


def transactions(args: argparse.Namespace) -> int:
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise SaldoError(f"--from {args.date_from} is after --to {args.date_to}; nothing could match.")
    filt = TxFilter(
        account_ids=tuple(args.account) if args.account else None,
        date_from=args.date_from,
        date_to=args.date_to,
        status=TransactionStatus(args.status) if args.status else None,
        search=args.search,
    )
    with open_app(args, uses_secrets=False) as app:
        store = app.store
        if args.account:
            known = {a.id for a in store.accounts()}
            missing = sorted(set(args.account) - known)
            if missing:
                ids = ", ".join(map(str, missing))
                raise NotFound(f"There is no account {ids} in the cache; `saldo accounts --all` lists them.")
        if args.format != "table":  # the same streaming writer as the GUI's Export
            write_transactions(matching(store, filt), sys.stdout, ExportFormat(args.format), limit=args.limit)
            return 0
        numbers = NumberFormat.from_system()
        rows: list[dict[str, Any]] = []
        for t in islice(store.iter_transactions(filt), args.limit):
            rows.append({**export_row(t), "amount": format_amount(t.amount, numbers)})
    emit(rows, COLUMNS, args.format)
    return 0
