"""`saldo category add|rename|move|merge|delete`, `saldo split` and `saldo transfer`: editing by hand."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation

from desktop_app.cli import CliError
from desktop_app.commands import argtypes
from desktop_app.commands.common import open_store
from desktop_app.core import categories as cat
from desktop_app.core import transfers


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("category", parents=[common], help="add, rename, move, merge or delete a category")
    acts = p.add_subparsers(title="actions", metavar="ACTION", required=True)
    q = acts.add_parser("add", parents=[common], help="add a category (under PARENT with --parent)")
    q.add_argument("name", type=argtypes.text("name", 500), metavar="NAME")
    q.add_argument("--parent", type=argtypes.text("parent", 500), metavar="CATEGORY")
    q.add_argument("--kind", choices=cat.KINDS)
    q.set_defaults(func=edit, action="add")
    for name, text, extra in (
        ("rename", "give CATEGORY a new NAME", "name"),
        ("move", "put CATEGORY under PARENT ('none' for the top)", "parent"),
        ("merge", "move everything of CATEGORY into TARGET and delete it", "target"),
    ):
        q = acts.add_parser(name, parents=[common], help=text)
        q.add_argument("category", type=argtypes.text("category", 500), metavar="CATEGORY")
        q.add_argument(extra, type=argtypes.text(extra, 500), metavar=extra.upper())
        q.set_defaults(func=edit, action=name)
    q = acts.add_parser("delete", parents=[common], help="delete CATEGORY; its transactions go to --to or none")
    q.add_argument("category", type=argtypes.text("category", 500), metavar="CATEGORY")
    q.add_argument(
        "--to", type=argtypes.text("to", 500), metavar="CATEGORY", help="where its transactions, budgets and rules go"
    )
    q.set_defaults(func=edit, action="delete")

    p = sub.add_parser("split", parents=[common], help="divide a transaction across categories")
    p.add_argument("tx_id", type=argtypes.ROW_ID, metavar="TX_ID")
    p.add_argument(
        "parts",
        type=argtypes.text("parts", 500),
        nargs="+",
        metavar="CATEGORY=AMOUNT",
        help="e.g. Groceries=-30.00 'Eating out'=-12.50",
    )
    p.set_defaults(func=split)

    p = sub.add_parser("transfer", parents=[common], help="mark or unmark a transfer between your accounts")
    p.add_argument("action", choices=("mark", "unmark"))
    p.add_argument("tx_id", type=argtypes.ROW_ID, metavar="TX_ID")
    p.add_argument(
        "other_id", type=argtypes.ROW_ID, nargs="?", metavar="OTHER_TX_ID", help="the other leg, when you hold it"
    )
    p.set_defaults(func=transfer)


def edit(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.action == "add":
            parent = cat.find_category(store, args.parent).id if args.parent else None
            done = cat.add_category(store, args.name, parent, args.kind)
            print(f"category {done.id}: {done.path}")
            return 0
        category = cat.find_category(store, args.category)
        if args.action == "rename":
            print(f"category {category.id}: {cat.rename_category(store, category.id, args.name).path}")
        elif args.action == "move":
            parent = None if args.parent.strip().lower() == "none" else cat.find_category(store, args.parent).id
            print(f"category {category.id}: {cat.move_category(store, category.id, parent).path}")
        elif args.action == "merge":
            target = cat.find_category(store, args.target)
            cat.merge_category(store, category.id, target.id)
            print(f"{category.path} merged into {target.path}")
        else:
            target_id = cat.find_category(store, args.to).id if args.to else None
            cat.delete_category(store, category.id, target_id)
            print(f"{category.path} deleted")
    return 0


def split(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        parts = []
        for text in args.parts:
            name, sep, amount = text.rpartition("=")
            if not sep or not name.strip():
                raise CliError(f"write each part as CATEGORY=AMOUNT, not {text!r}")
            try:
                value = Decimal(amount.strip())
            except InvalidOperation:
                raise CliError(f"not an amount: {amount!r}") from None
            parts.append((cat.find_category(store, name).id, value))
        cat.split_transaction(store, args.tx_id, parts)
    print(f"transaction {args.tx_id}: split in {len(parts)} parts")
    return 0


def transfer(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.action == "mark":
            transfers.mark_transfer(store, args.tx_id, args.other_id)
        else:
            transfers.unmark_transfer(store, args.tx_id)
    print(f"transaction {args.tx_id}: {'a transfer' if args.action == 'mark' else 'not a transfer'}")
    return 0
