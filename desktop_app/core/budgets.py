"""Budgets: an amount per category per month, carried forward until changed.

A budget set for a month holds for every later month until another is set (setting zero ends
it), so a person sets it once. A top-level category's budget covers its subcategories. Spent is
what ``reports`` counts as spending in that category and month (refunds lower it; transfers
never count); left is budget minus spent, and a budget is over when spent exceeds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from desktop_app.core.categories import categories, get_category
from desktop_app.core.errors import BudgetError, CategoryError, MoneyError
from desktop_app.core.money import Money
from desktop_app.core.reports import category_sums
from desktop_app.core.store import Store


@dataclass(frozen=True, slots=True)
class BudgetLine:
    category_id: int
    name: str
    budget: Money
    spent: Money
    left: Money
    over: bool


def _month(value: str | date) -> str:
    text = value.isoformat()[:7] if isinstance(value, date) else value.strip()
    try:
        date.fromisoformat(text + "-01")
    except ValueError:
        raise BudgetError(f"A budget month is written YYYY-MM, not {text[:20]!r}.") from None
    return text


def set_budget(store: Store, category_id: int, month: str | date, amount: Decimal | str, currency: str) -> None:
    """Budget `amount` for the category from `month` on (until another month sets a new one)."""
    category = get_category(store, category_id)
    if category.kind != "expense":
        raise CategoryError(f"{category.path} is not an expense category; budgets are for spending.")
    try:
        money = Money(Decimal(str(amount).strip()), currency.strip().upper())
    except (MoneyError, ArithmeticError, ValueError):
        raise BudgetError(f"{str(amount)[:40]!r} is not an amount in {currency}.") from None
    if money.amount < 0:
        raise BudgetError("A budget is the most you mean to spend: a positive amount (or 0 to end it).")
    with store._write() as conn:
        conn.execute(
            "INSERT INTO budgets (category_id, month, amount_minor, currency) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (category_id, currency, month) DO UPDATE SET amount_minor = excluded.amount_minor",
            (category_id, _month(month), money.minor_units, money.currency),
        )


def budgets_for(store: Store, month: str | date, currency: str) -> dict[int, Money]:
    """Every category's budget in force in `month`: the latest one set at or before it."""
    rows = store._read(
        "SELECT b.category_id, b.amount_minor FROM budgets b WHERE b.currency = ? AND b.month = "
        "(SELECT max(month) FROM budgets WHERE category_id = b.category_id AND currency = b.currency AND month <= ?)",
        (currency, _month(month)),
    )
    return {int(r[0]): Money.from_minor(int(r[1]), currency) for r in rows if r[1]}


def budget_status(store: Store, month: str | date, currency: str) -> list[BudgetLine]:
    """Budget, spent, left and over for each budgeted category in `month`, in the tree's order."""
    key = _month(month)
    first = date.fromisoformat(key + "-01")
    last = date(first.year + first.month // 12, first.month % 12 + 1, 1).toordinal() - 1
    budgets = budgets_for(store, key, currency)
    tree = categories(store)
    parent = {c.id: c.parent_id for c in tree}
    spent: dict[int, int] = {}
    for _, category_id, cur, minor, _ in category_sums(store, first, date.fromordinal(last)):
        if cur != currency or category_id == 0:
            continue
        for target in (category_id, parent.get(category_id)):
            if target is not None:
                spent[target] = spent.get(target, 0) - minor
    lines = []
    for c in tree:
        if c.id in budgets:
            amount = budgets[c.id].minor_units
            used = spent.get(c.id, 0)
            lines.append(
                BudgetLine(
                    c.id,
                    c.path,
                    budgets[c.id],
                    Money.from_minor(used, currency),
                    Money.from_minor(amount - used, currency),
                    used > amount,
                )
            )
    return lines
