"""The operations that change how the person sorts and shapes their money: categories, splits,
rules, budgets, the drill-in behind a report bar, and accounts (names, types, order, manual ones).

Like gui.operations (the machinery and the panes' operations), each function receives the
application object and runs on a worker; these two modules are the only GUI code that touches
the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from desktop_app.gui.tasks import TaskContext


def category_choices(app: Any) -> list[Any]:
    from desktop_app.core.categories import categories

    return categories(app.store)


def categorise(app: Any, ids: Sequence[int], category_id: int | None, to_rules: bool) -> list[Any]:
    """The person's category for `ids` (or, with `to_rules`, the rules' again); the rule suggestions it earned."""
    from desktop_app.core import categories, rules_engine

    found: list[Any] = []
    for transaction_id in ids:
        if to_rules:
            categories.clear_manual(app.store, transaction_id)
            rules_engine.apply_rules(app.store, after_id=transaction_id - 1, upto_id=transaction_id)
            continue
        suggestion = categories.set_category(app.store, transaction_id, category_id)
        if suggestion is not None and all(s.counterparty != suggestion.counterparty for s in found):
            found.append(suggestion)
    return found


def add_counterparty_rule(app: Any, counterparty: str, category_id: int) -> Any:
    """A rule putting `counterparty` in `category_id` from now on (first in the order: the person's latest word)."""
    from desktop_app.core.rules import Actions, Conditions, Rule, add_rule

    rule = Rule(Conditions(counterparty=counterparty), Actions(category_id=category_id), name=counterparty)
    return add_rule(app.store, rule, position=0)


def read_drill(app: Any, category_id: int, currency: str, start: date, end: date) -> Any:
    from desktop_app.core.views.drill import drill

    return drill(app.store, category_id, currency, start, end)


def read_budgets(app: Any, month: str, currency: str) -> tuple[list[Any], list[Any]]:
    """The month's budget lines, and the expense categories a budget can be set for."""
    from desktop_app.core.budgets import budget_status
    from desktop_app.core.categories import categories

    expense = [c for c in categories(app.store) if c.kind == "expense"]
    return budget_status(app.store, month, currency), expense


def save_budget(app: Any, category_id: int, month: str, amount: str, currency: str) -> None:
    from desktop_app.core.budgets import set_budget

    set_budget(app.store, category_id, month, amount, currency)


def read_rules(app: Any) -> tuple[list[Any], list[Any]]:
    """The rules in running order, and the categories their actions can name."""
    from desktop_app.core.categories import categories
    from desktop_app.core.rules import rules

    return rules(app.store), categories(app.store)


def save_rule(app: Any, rule: Any) -> Any:
    """Add the rule (first in the order: the newest word wins) or, when it has an id, change it."""
    from desktop_app.core.rules import add_rule, update_rule

    return update_rule(app.store, rule) if rule.id is not None else add_rule(app.store, rule, position=0)


def reorder_rule(app: Any, rule_id: int, position: int) -> None:
    from desktop_app.core.rules import move_rule

    move_rule(app.store, rule_id, position)


def remove_rule(app: Any, rule_id: int) -> None:
    from desktop_app.core.rules import delete_rule

    delete_rule(app.store, rule_id)


def rules_preview(app: Any, task: TaskContext) -> Any:
    """How many transactions the rules would change (nothing written)."""
    from desktop_app.core.rules_engine import apply_rules

    return apply_rules(app.store, dry_run=True, cancel=task.cancel, progress=lambda *p: task.progress(p))


def rules_apply(app: Any, task: TaskContext) -> Any:
    """Run the rules over every transaction (and pair transfers): "apply to existing"."""
    from desktop_app.core.rules_engine import categorise_existing

    return categorise_existing(app.store, cancel=task.cancel, progress=lambda *p: task.progress(p))


def read_account_views(app: Any) -> list[Any]:
    from desktop_app.core.accounts import account_views

    return account_views(app.store, include_hidden=True)


def shape_account(app: Any, account_id: int, what: str, value: Any) -> Any:
    """Rename, type, group or hide one account (`what` names the change)."""
    from desktop_app.core import accounts

    change: dict[str, Callable[..., Any]] = {
        "rename": accounts.rename_account,
        "type": accounts.set_account_type,
        "group": accounts.set_group,
        "hidden": accounts.set_hidden,
    }
    return change[what](app.store, account_id, value)


def reorder_accounts(app: Any, account_ids: Sequence[int]) -> None:
    from desktop_app.core.accounts import reorder

    reorder(app.store, account_ids)


def open_manual_account(app: Any, name: str, currency: str, account_type: str) -> Any:
    from desktop_app.core.accounts import add_manual_account

    return add_manual_account(app.store, name, currency, account_type)


def add_manual_transaction(
    app: Any, account_id: int, day: date, amount: str, description: str, counterparty: str | None
) -> int:
    from desktop_app.core.manual import add_transaction

    return add_transaction(app.store, account_id, day, amount, description, counterparty)


def edit_category(app: Any, what: str, *args: Any) -> Any:
    """Add, rename, move or delete (with reassignment) a category; `what` names the change."""
    from desktop_app.core import categories

    change: dict[str, Callable[..., Any]] = {
        "add": categories.add_category,
        "rename": categories.rename_category,
        "move": categories.move_category,
        "delete": categories.delete_category,
    }
    return change[what](app.store, *args)


def read_split(app: Any, transaction_id: int) -> tuple[list[Any], list[Any]]:
    """A transaction's split parts (empty when it has none) and the categories to choose from."""
    from desktop_app.core.categories import categories, splits

    return splits(app.store, transaction_id), categories(app.store)


def save_split(app: Any, transaction_id: int, parts: Sequence[tuple[int, Any]]) -> None:
    from desktop_app.core.categories import split_transaction

    split_transaction(app.store, transaction_id, parts)


def export_everything(app: Any, path: Path, kind: str) -> int:
    """Every transaction with its category: CSV, or a beancount journal (`kind` "beancount")."""
    from desktop_app.core import export
    from desktop_app.core.views.export import write_whole

    write = export.write_beancount if kind == "beancount" else export.write_csv
    return write_whole(path, lambda out: write(app.store, out))
