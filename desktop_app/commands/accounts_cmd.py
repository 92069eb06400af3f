"""`saldo account …` shapes accounts; `saldo manual …` keeps transactions of manual accounts by hand."""

from __future__ import annotations

import argparse
from typing import Any

from desktop_app.commands import argtypes
from desktop_app.commands.common import add_format_option, emit, open_store
from desktop_app.core import accounts, manual
from desktop_app.core import categories as cat


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("account", parents=[common], help="rename, hide, group, type, order or add accounts")
    acts = p.add_subparsers(title="actions", metavar="ACTION", required=True)
    q = acts.add_parser("list", parents=[common], help="accounts in your order, with type and group")
    add_format_option(q)
    q.add_argument("--all", action="store_true", help="include hidden accounts")
    q.set_defaults(func=list_accounts)
    for name, text, arg in (
        ("rename", "show the account under NAME ('' for the bank's name)", "name"),
        ("type", f"set the type: {', '.join(accounts.ACCOUNT_TYPES)}", "type"),
        ("group", "put the account in GROUP ('' for none)", "group"),
    ):
        q = acts.add_parser(name, parents=[common], help=text)
        q.add_argument("account_id", type=argtypes.ROW_ID, metavar="ID")
        q.add_argument(arg, type=argtypes.text(arg, 500), metavar=arg.upper())
        q.set_defaults(func=shape, action=name)
    for name in ("hide", "show"):
        q = acts.add_parser(name, parents=[common], help=f"{name} the account in lists and charts")
        q.add_argument("account_id", type=argtypes.ROW_ID, metavar="ID")
        q.set_defaults(func=shape, action=name)
    q = acts.add_parser("order", parents=[common], help="put accounts in this order")
    q.add_argument("account_ids", type=argtypes.ROW_ID, nargs="+", metavar="ID")
    q.set_defaults(func=order)
    q = acts.add_parser("add-manual", parents=[common], help="open an account kept by hand (cash, …)")
    q.add_argument("name", type=argtypes.text("name", 500), metavar="NAME")
    q.add_argument("--currency", type=argtypes.text("currency", 500), default="EUR", metavar="CUR")
    q.add_argument("--type", default="cash", choices=accounts.ACCOUNT_TYPES)
    q.set_defaults(func=add_manual)

    p = sub.add_parser("manual", parents=[common], help="add, edit, delete or undo hand-entered transactions")
    acts = p.add_subparsers(title="actions", metavar="ACTION", required=True)
    q = acts.add_parser("add", parents=[common], help="record a transaction on a manual account")
    q.add_argument("account_id", type=argtypes.ROW_ID, metavar="ACCOUNT_ID")
    q.add_argument("day", type=argtypes.day, metavar="YYYY-MM-DD")
    q.add_argument("amount", type=argtypes.amount_text, metavar="AMOUNT", help="negative for money out, e.g. -12.50")
    q.add_argument("description", type=argtypes.text("description", 500), metavar="TEXT")
    q.add_argument("--counterparty", type=argtypes.text("counterparty", 500), metavar="NAME")
    q.add_argument("--category", type=argtypes.text("category", 500), metavar="CATEGORY")
    q.set_defaults(func=manual_add)
    q = acts.add_parser("edit", parents=[common], help="change a hand-entered transaction")
    q.add_argument("tx_id", type=argtypes.ROW_ID, metavar="TX_ID")
    q.add_argument("--day", type=argtypes.day, metavar="YYYY-MM-DD")
    q.add_argument("--amount", type=argtypes.amount_text, metavar="AMOUNT")
    q.add_argument("--description", type=argtypes.text("description", 500), metavar="TEXT")
    q.add_argument("--counterparty", type=argtypes.text("counterparty", 500), metavar="NAME")
    q.set_defaults(func=manual_edit)
    q = acts.add_parser("delete", parents=[common], help="delete a hand-entered transaction (undo keeps it)")
    q.add_argument("tx_id", type=argtypes.ROW_ID, metavar="TX_ID")
    q.set_defaults(func=manual_delete)
    q = acts.add_parser("undo", parents=[common], help="bring back the last deleted transaction")
    q.set_defaults(func=manual_undo)


def list_accounts(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows: list[dict[str, Any]] = [
            {
                "id": str(a.id),
                "name": a.name,
                "bank_name": a.bank_name,
                "currency": a.currency,
                "type": a.account_type,
                "side": "liability" if a.liability else "asset",
                "group": a.group,
                "hidden": "yes" if a.hidden else "",
                "manual": "yes" if a.manual else "",
            }
            for a in accounts.account_views(store, include_hidden=args.all)
        ]
    emit(rows, ["id", "name", "bank_name", "currency", "type", "side", "group", "hidden", "manual"], args.format)
    return 0


def shape(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.action == "rename":
            view = accounts.rename_account(store, args.account_id, args.name)
        elif args.action == "type":
            view = accounts.set_account_type(store, args.account_id, args.type)
        elif args.action == "group":
            view = accounts.set_group(store, args.account_id, args.group)
        else:
            view = accounts.set_hidden(store, args.account_id, args.action == "hide")
    print(
        f"account {view.id}: {view.name} ({view.account_type}{', ' + view.group if view.group else ''}"
        f"{', hidden' if view.hidden else ''})"
    )
    return 0


def order(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        accounts.reorder(store, args.account_ids)
    print("accounts reordered")
    return 0


def add_manual(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        view = accounts.add_manual_account(store, args.name, args.currency, args.type)
    print(f"account {view.id}: {view.name} ({view.currency}, kept by hand)")
    return 0


def manual_add(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        category = cat.find_category(store, args.category).id if args.category else None
        tx_id = manual.add_transaction(
            store, args.account_id, args.day, args.amount, args.description, args.counterparty, category
        )
    print(f"transaction {tx_id} added")
    return 0


def manual_edit(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        manual.edit_transaction(
            store,
            args.tx_id,
            day=args.day,
            amount=args.amount,
            description=args.description,
            counterparty=args.counterparty,
        )
    print(f"transaction {args.tx_id} changed")
    return 0


def manual_delete(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        manual.delete_transaction(store, args.tx_id)
    print(f"transaction {args.tx_id} deleted; `saldo manual undo` brings it back")
    return 0


def manual_undo(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        tx_id = manual.undo_delete(store)
    print(f"transaction restored as {tx_id}")
    return 0
