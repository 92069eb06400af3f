"""`saldo accounts` and `saldo transactions`: read the cache, offline."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from itertools import islice
from typing import Any

from desktop_app.commands.common import add_format_option, emit, open_store
from desktop_app.core.models import TransactionStatus
from desktop_app.core.money import Money, NumberFormat, format_amount
from desktop_app.core.store import TxFilter
from desktop_app.core.views.export import COLUMNS, ExportFormat, export_row, matching, write_transactions


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("accounts", parents=[common], help="list cached accounts with their latest balance")
    add_format_option(p)
    p.add_argument("--all", action="store_true", help="include accounts you chose to hide")
    p.set_defaults(func=accounts)

    p = sub.add_parser("transactions", parents=[common], help="list cached transactions, newest first")
    add_format_option(p)
    p.add_argument("--account", type=int, action="append", metavar="ID", help="only this account (repeatable)")
    p.add_argument("--search", metavar="TEXT", help="words in the description or counterparty")
    p.add_argument("--from", dest="date_from", type=_day, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=_day, metavar="YYYY-MM-DD")
    p.add_argument("--status", choices=[s.value for s in TransactionStatus])
    p.add_argument("--limit", type=int, default=None, metavar="N", help="at most N rows (default: all)")
    p.set_defaults(func=transactions)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _amount(money: Money, fmt: str, numbers: NumberFormat) -> str:
    # Machine formats carry the exact decimal as a string; the table uses the user's locale.
    return str(money.normalized()) if fmt != "table" else format_amount(money, numbers)


def accounts(args: argparse.Namespace) -> int:
    numbers = NumberFormat.from_system()
    with open_store(args) as store:
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
    filt = TxFilter(
        account_ids=tuple(args.account) if args.account else None,
        date_from=args.date_from,
        date_to=args.date_to,
        status=TransactionStatus(args.status) if args.status else None,
        search=args.search,
    )
    with open_store(args) as store:
        if args.format != "table":  # the same streaming writer as the GUI's Export
            write_transactions(matching(store, filt), sys.stdout, ExportFormat(args.format), limit=args.limit)
            return 0
        numbers = NumberFormat.from_system()
        rows: list[dict[str, Any]] = []
        for t in islice(store.iter_transactions(filt), args.limit):
            rows.append({**export_row(t), "amount": format_amount(t.amount, numbers)})
    emit(rows, COLUMNS, args.format)
    return 0
