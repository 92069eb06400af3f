"""`saldo report spending|monthly|networth` and `saldo budget`: the figures, offline, as exact decimals."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from desktop_app.commands import argtypes
from desktop_app.commands.common import add_format_option, emit, open_store
from desktop_app.core import budgets, networth, rates, reports
from desktop_app.core import categories as cat
from desktop_app.core.errors import RatesError
from desktop_app.core.money import Money, NumberFormat, format_amount


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help="spending by category, monthly in/out, net worth")
    kinds = p.add_subparsers(title="reports", metavar="REPORT", required=True)
    for name, func, text in (
        ("spending", spending, "what was spent per category (transfers left out)"),
        ("monthly", monthly, "income, spending and the net per month"),
        ("networth", net_worth, "net worth at each month's end in one currency"),
    ):
        q = kinds.add_parser(name, parents=[common], help=text)
        add_format_option(q)
        q.add_argument("--from", dest="date_from", type=argtypes.day, metavar="YYYY-MM-DD")
        q.add_argument("--to", dest="date_to", type=argtypes.day, metavar="YYYY-MM-DD")
        q.set_defaults(func=func)
        if name == "spending":
            q.add_argument(
                "--category",
                type=argtypes.text("category", 500),
                metavar="CATEGORY",
                help="drill into this top-level category",
            )
        if name == "networth":
            q.add_argument(
                "--base",
                type=argtypes.text("base", 500),
                default="EUR",
                metavar="CUR",
                help="the currency to show it in (default EUR)",
            )
            q.add_argument("--fetch-rates", action="store_true", help="first fetch the ECB's rates (needs network)")
            q.add_argument("--ecb-url", type=argtypes.url, default=rates.ECB_BASE_URL, help=argparse.SUPPRESS)

    p = sub.add_parser("budget", parents=[common], help="set a monthly budget, or show the month's budgets")
    actions = p.add_subparsers(title="actions", metavar="ACTION", required=True)
    q = actions.add_parser("set", parents=[common], help="budget AMOUNT for CATEGORY from MONTH on")
    q.add_argument("category", type=argtypes.text("category", 500), metavar="CATEGORY")
    q.add_argument("amount", type=argtypes.amount_text, metavar="AMOUNT")
    q.add_argument("--month", type=argtypes.text("month", 500), default=date.today().isoformat()[:7], metavar="YYYY-MM")
    q.add_argument("--currency", type=argtypes.text("currency", 500), default="EUR", metavar="CUR")
    q.set_defaults(func=set_budget)
    q = actions.add_parser("show", parents=[common], help="budget, spent and left per category")
    add_format_option(q)
    q.add_argument("--month", type=argtypes.text("month", 500), default=date.today().isoformat()[:7], metavar="YYYY-MM")
    q.add_argument("--currency", type=argtypes.text("currency", 500), default="EUR", metavar="CUR")
    q.set_defaults(func=show_budgets)


def _amount(money: Money, fmt: str) -> str:
    return str(money.normalized()) if fmt != "table" else format_amount(money, NumberFormat.from_system())


def spending(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        parent = cat.find_category(store, args.category).id if args.category else None
        rows: list[dict[str, Any]] = [
            {
                "category": r.name,
                "currency": r.currency,
                "amount": _amount(r.amount, args.format),
                "count": str(r.count),
            }
            for r in reports.spending_by_category(store, args.date_from, args.date_to, parent_id=parent)
        ]
    emit(rows, ["category", "currency", "amount", "count"], args.format)
    return 0


def monthly(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows: list[dict[str, Any]] = [
            {
                "month": f.month,
                "currency": f.currency,
                "income": _amount(f.income, args.format),
                "spending": _amount(f.spending, args.format),
                "net": _amount(f.net, args.format),
            }
            for f in reports.monthly_flows(store, args.date_from, args.date_to)
        ]
    emit(rows, ["month", "currency", "income", "spending", "net"], args.format)
    return 0


def net_worth(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.fetch_rates:
            import httpx2

            with httpx2.Client(timeout=30, follow_redirects=True) as http:
                try:
                    rates.update_rates(store, rates.EcbClient(http, args.ecb_url))
                except RatesError as exc:
                    print(f"saldo: {exc}", file=sys.stderr)  # go on with the cached rates
        start = args.date_from or reports.first_day(store) or date.today()
        points = networth.net_worth_series(store, args.base, start, args.date_to or date.today())
    rows: list[dict[str, Any]] = [
        {
            "date": p.day.isoformat(),
            "currency": p.total.currency,
            "net_worth": _amount(p.total, args.format),
            "assets": _amount(p.assets, args.format),
            "liabilities": _amount(p.liabilities, args.format),
            "not_converted": "; ".join(f"account {a}: {m.normalized()} {m.currency}" for a, m in p.apart) or None,
        }
        for p in points
    ]
    emit(rows, ["date", "currency", "net_worth", "assets", "liabilities", "not_converted"], args.format)
    return 0


def set_budget(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        category = cat.find_category(store, args.category)
        budgets.set_budget(store, category.id, args.month, args.amount, args.currency)
    print(f"budget for {category.path}: {args.amount} {args.currency.upper()} a month from {args.month}")
    return 0


def show_budgets(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows: list[dict[str, Any]] = [
            {
                "category": line.name,
                "budget": _amount(line.budget, args.format),
                "spent": _amount(line.spent, args.format),
                "left": _amount(line.left, args.format),
                "over": "OVER" if line.over else "",
            }
            for line in budgets.budget_status(store, args.month, args.currency.upper())
        ]
    emit(rows, ["category", "budget", "spent", "left", "over"], args.format)
    return 0
