"""`saldo categories`, `saldo categorise` and `saldo rules`: sorting transactions, by hand and by rule."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop_app.commands import argtypes
from desktop_app.commands.common import add_format_option, emit, open_store
from desktop_app.core import categories as cat
from desktop_app.core import rules_engine
from desktop_app.core.rules import SIGNS, Actions, Conditions, Rule, add_rule, delete_rule, move_rule, rules


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("categories", parents=[common], help="list the categories (two levels)")
    add_format_option(p)
    p.set_defaults(func=list_categories)

    p = sub.add_parser("categorise", parents=[common], help="put a transaction in a category by hand")
    p.add_argument("tx_id", type=argtypes.ROW_ID, metavar="TX_ID")
    p.add_argument(
        "category",
        type=argtypes.text("category", 500),
        metavar="CATEGORY",
        help="id, name or 'Parent / Child'; 'none' to leave it out",
    )
    p.add_argument("--to-rules", action="store_true", help="forget the hand-made choice and let rules decide")
    p.set_defaults(func=categorise)

    p = sub.add_parser("rules", parents=[common], help="list, add, apply, move or delete rules")
    actions = p.add_subparsers(title="actions", metavar="ACTION", required=True)
    q = actions.add_parser("list", parents=[common], help="the rules in the order they run")
    add_format_option(q)
    q.set_defaults(func=list_rules)
    q = actions.add_parser("add", parents=[common], help="add a rule (all conditions must hold)")
    _rule_options(q)
    q.set_defaults(func=add)
    q = actions.add_parser("apply", parents=[common], help="run the rules over every transaction")
    q.add_argument("--dry-run", action="store_true", help="only say how many transactions would change")
    q.set_defaults(func=apply)
    q = actions.add_parser("move", parents=[common], help="move a rule to a place in the order (0 = first)")
    q.add_argument("rule_id", type=argtypes.ROW_ID, metavar="RULE_ID")
    q.add_argument("position", type=argtypes.POSITION, metavar="POSITION")
    q.set_defaults(func=move)
    q = actions.add_parser("delete", parents=[common], help="delete a rule")
    q.add_argument("rule_id", type=argtypes.ROW_ID, metavar="RULE_ID")
    q.set_defaults(func=delete)


# The text options of a rule: (flag, metavar, help). Conditions first, then actions.
_RULE_TEXT = (
    ("--name", "NAME", "a name to recognise the rule by"),
    ("--counterparty", "TEXT", "the counterparty contains TEXT (any case)"),
    ("--description", "TEXT", "the description contains TEXT (any case)"),
    ("--regex", "PATTERN", "the description matches this regular expression"),
    ("--provider-category", "WORD", "the bank's own category word"),
    ("--mcc", "CODE", "merchant category code, or a range like 5811-5814"),
    ("--category", "CATEGORY", "action: put it in this category"),
    ("--rename", "NAME", "action: show this name instead of the counterparty"),
    ("--tag", "TAG", "action: add this tag"),
)


def _rule_options(q: argparse.ArgumentParser) -> None:
    for flag, metavar, text in _RULE_TEXT:
        q.add_argument(flag, type=argtypes.text(flag.lstrip("-"), 500), metavar=metavar, help=text)
    q.add_argument("--position", type=argtypes.POSITION, help="where in the order (0 = first; default: last)")
    q.add_argument("--min", type=argtypes.amount, metavar="AMOUNT", help="the amount is at least this large (no sign)")
    q.add_argument("--max", type=argtypes.amount, metavar="AMOUNT", help="the amount is at most this large (no sign)")
    q.add_argument("--sign", choices=SIGNS, help="money in or money out")
    q.add_argument(
        "--account", type=argtypes.ROW_ID, action="append", metavar="ID", help="on this account (repeatable)"
    )
    q.add_argument("--transfer", action="store_true", help="action: mark it as a transfer")


def list_categories(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows: list[dict[str, Any]] = [
            {"id": str(c.id), "category": c.path, "kind": c.kind, "code": c.code} for c in cat.categories(store)
        ]
    emit(rows, ["id", "category", "kind", "code"], args.format)
    return 0


def categorise(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.to_rules:
            cat.clear_manual(store, args.tx_id)
            rules_engine.apply_rules(store, after_id=args.tx_id - 1, upto_id=args.tx_id)
            print(f"transaction {args.tx_id}: back to the rules")
            return 0
        target = None if args.category.strip().lower() == "none" else cat.find_category(store, args.category)
        suggestion = cat.set_category(store, args.tx_id, target.id if target else None)
        print(f"transaction {args.tx_id}: {target.path if target else 'no category'}")
        if suggestion is not None:
            print(
                f"hint: {suggestion.count} transactions from {suggestion.counterparty!r} are in this category; "
                f'`saldo rules add --counterparty "{suggestion.counterparty}" --category {suggestion.category_id}` '
                "would do it for you",
                file=sys.stderr,
            )
    return 0


def _describe(rule: Rule, names: dict[int, str]) -> tuple[str, str]:
    c, a = rule.conditions, rule.actions
    when = [
        f"{label} {value}"
        for label, value in (
            ("counterparty contains", c.counterparty and repr(c.counterparty)),
            ("description contains", c.description and repr(c.description)),
            ("description matches", c.description_regex and repr(c.description_regex)),
            ("amount >=", c.amount_min),
            ("amount <=", c.amount_max),
            ("money", c.sign),
            ("account in", c.account_ids and ",".join(map(str, c.account_ids))),
            ("provider category", c.provider_category and repr(c.provider_category)),
            ("merchant code", c.mcc),
        )
        if value is not None
    ]
    then = [
        f"{label} {value}"
        for label, value in (
            ("category", names.get(a.category_id or -1)),
            ("rename to", a.rename and repr(a.rename)),
            ("tag", a.tag),
            ("mark", "transfer" if a.transfer else None),
        )
        if value
    ]
    return " and ".join(when), ", ".join(then)


def list_rules(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        names = {c.id: c.path for c in cat.categories(store)}
        rows: list[dict[str, Any]] = []
        for r in rules(store):
            when, then = _describe(r, names)
            rows.append(
                {
                    "id": str(r.id),
                    "order": str(r.position),
                    "name": r.name,
                    "enabled": "yes" if r.enabled else "no",
                    "when": when,
                    "then": then,
                }
            )
    emit(rows, ["id", "order", "name", "enabled", "when", "then"], args.format)
    return 0


def add(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        category = cat.find_category(store, args.category).id if args.category else None
        rule = Rule(
            Conditions(
                counterparty=args.counterparty,
                description=args.description,
                description_regex=args.regex,
                amount_min=args.min,
                amount_max=args.max,
                sign=args.sign,
                account_ids=tuple(args.account) if args.account else None,
                provider_category=args.provider_category,
                mcc=args.mcc,
            ),
            Actions(category_id=category, rename=args.rename, tag=args.tag, transfer=args.transfer),
            name=args.name or "",
        )
        saved = add_rule(store, rule, args.position)
        would = rules_engine.apply_rules(store, dry_run=True)
    print(f"rule {saved.id} added at position {saved.position}")
    print(f"{would.changed} existing transactions would change: `saldo rules apply` applies it", file=sys.stderr)
    return 0


def apply(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.dry_run:
            result = rules_engine.apply_rules(store, dry_run=True)
            print(f"{result.changed} of {result.examined} transactions would change")
            return 0
        result, paired = rules_engine.categorise_existing(store)
    print(f"{result.changed} of {result.examined} transactions changed; {paired} transfers paired")
    return 0


def move(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        move_rule(store, args.rule_id, args.position)
    print(f"rule {args.rule_id} moved to position {args.position}")
    return 0


def delete(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        delete_rule(store, args.rule_id)
    print(f"rule {args.rule_id} deleted; `saldo rules apply` undoes what it decided")
    return 0
