"""Rules: what the person tells Saldo to do with transactions that look a certain way.

A rule has conditions (all must hold) and actions. Rules are ordered: for each kind of action
the first enabled rule that matches a transaction decides it (its category, its display name,
whether it is a transfer); tags add up over every matching rule. Conditions read the bank's
own text (counterparty and description as the bank sent them), never what a rule renamed, so
the order of rules never feeds back into matching.

Text conditions ("contains") ignore case; ``description_regex`` is a Python
regular expression searched anywhere in the description. Amount limits compare the size of the
amount (its absolute value), and ``sign`` picks money in or out.

The engine that runs rules over the cache lives in ``rules_engine``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from desktop_app.core.categories import get_category
from desktop_app.core.errors import MoneyError, RuleError
from desktop_app.core.money import parse_decimal
from desktop_app.core.store import Store
from desktop_app.core.store.driver import sqlite

SIGNS = ("in", "out")
_MCC = re.compile(r"(\d{1,4})(?:\s*-\s*(\d{1,4}))?")


@dataclass(frozen=True, slots=True)
class Conditions:
    counterparty: str | None = None  # contains
    description: str | None = None  # contains
    description_regex: str | None = None
    amount_min: Decimal | None = None  # size of the amount, inclusive
    amount_max: Decimal | None = None
    sign: str | None = None  # "in" | "out"
    account_ids: tuple[int, ...] | None = None
    provider_category: str | None = None  # the provider's category word, exact (any case)
    mcc: str | None = None  # "5411" or a range "5811-5814"

    def mcc_range(self) -> tuple[int, int] | None:
        if self.mcc is None:
            return None
        found = _MCC.fullmatch(self.mcc.strip())
        if found is None:
            raise RuleError(f"A merchant category code is four digits or a range like 5811-5814, not {self.mcc!r}.")
        first = int(found.group(1))
        last = int(found.group(2) or first)
        if first > last:
            raise RuleError(f"The merchant code range {self.mcc!r} runs backwards.")
        return first, last


@dataclass(frozen=True, slots=True)
class Actions:
    category_id: int | None = None
    rename: str | None = None  # shown instead of the counterparty
    tag: str | None = None
    transfer: bool = False

    @property
    def empty(self) -> bool:
        return self.category_id is None and not self.rename and not self.tag and not self.transfer


@dataclass(frozen=True, slots=True)
class Rule:
    conditions: Conditions
    actions: Actions
    name: str = ""
    enabled: bool = True
    id: int | None = None
    position: int = 0
    created_at: datetime | None = field(default=None, compare=False)


def validate(store: Store, rule: Rule) -> Rule:
    """Check a rule and return it tidied (blank texts dropped). Raises RuleError with the reason."""
    c = rule.conditions
    text: dict[str, Any] = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in asdict(c).items()}
    if text["account_ids"] is not None:
        text["account_ids"] = tuple(text["account_ids"])
    c = Conditions(**text)
    if all(v is None for v in asdict(c).values()):
        raise RuleError("A rule needs at least one condition, or it would match every transaction.")
    if c.description_regex is not None:
        try:
            re.compile(c.description_regex)
        except re.error as exc:
            raise RuleError(f"The regular expression {c.description_regex!r} is not valid: {exc}.") from None
    for name in ("amount_min", "amount_max"):
        value = getattr(c, name)
        if value is not None:
            try:
                value = parse_decimal(value)
            except MoneyError:
                raise RuleError(f"{name.replace('_', ' ')} is not an amount: {value!r}.") from None
            if value < 0:
                raise RuleError("Amount limits are sizes (no minus sign); use sign 'in' or 'out' for direction.")
            limit: dict[str, Any] = {name: value}
            c = replace(c, **limit)
    if c.amount_min is not None and c.amount_max is not None and c.amount_min > c.amount_max:
        raise RuleError(f"The smallest amount ({c.amount_min}) is larger than the largest ({c.amount_max}).")
    if c.sign is not None and c.sign not in SIGNS:
        raise RuleError(f"A rule's sign is 'in' or 'out', not {c.sign!r}.")
    c.mcc_range()
    if c.account_ids is not None:
        known = {int(r[0]) for r in store._read("SELECT id FROM accounts")}
        missing = [a for a in c.account_ids if a not in known]
        if missing or not c.account_ids:
            raise RuleError(f"There is no account {missing[0] if missing else '(none given)'}.")
    a = rule.actions
    a = Actions(a.category_id, (a.rename or "").strip() or None, (a.tag or "").strip() or None, bool(a.transfer))
    if a.empty:
        raise RuleError("A rule needs something to do: a category, a new name, a tag or a transfer mark.")
    if a.category_id is not None:
        get_category(store, a.category_id)
    return replace(rule, conditions=c, actions=a, name=rule.name.strip())


def _encode(rule: Rule) -> tuple[str, str]:
    conditions = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(rule.conditions).items()}
    return (
        json.dumps({k: v for k, v in conditions.items() if v is not None}, sort_keys=True),
        json.dumps({k: v for k, v in asdict(rule.actions).items() if v not in (None, False)}, sort_keys=True),
    )


def _decode(row: sqlite.Row) -> Rule:
    conditions: dict[str, Any] = json.loads(row["conditions"])
    for name in ("amount_min", "amount_max"):
        if name in conditions:
            conditions[name] = Decimal(conditions[name])
    if "account_ids" in conditions:
        conditions["account_ids"] = tuple(conditions["account_ids"])
    return Rule(
        conditions=Conditions(**conditions),
        actions=Actions(**json.loads(row["actions"])),
        name=row["name"],
        enabled=bool(row["enabled"]),
        id=row["id"],
        position=row["position"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def rules(store: Store, *, enabled_only: bool = False) -> list[Rule]:
    """Every rule in the order they run."""
    where = " WHERE enabled = 1" if enabled_only else ""
    return [_decode(r) for r in store._read(f"SELECT * FROM rules{where} ORDER BY position, id")]


def get_rule(store: Store, rule_id: int) -> Rule:
    rows = store._read("SELECT * FROM rules WHERE id = ?", (rule_id,))
    if not rows:
        raise RuleError(f"There is no rule {rule_id}.")
    return _decode(rows[0])


def add_rule(store: Store, rule: Rule, position: int | None = None) -> Rule:
    """Add a rule, last by default or at `position` (0 = first, runs before the others)."""
    checked = validate(store, rule)
    conditions, actions = _encode(checked)
    with store._write() as conn:
        count = conn.execute("SELECT count(*) FROM rules").fetchone()[0]
        at = count if position is None else max(0, min(position, count))
        conn.execute("UPDATE rules SET position = position + 1 WHERE position >= ?", (at,))
        cur = conn.execute(
            "INSERT INTO rules (position, name, enabled, conditions, actions, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (at, checked.name, int(checked.enabled), conditions, actions, datetime.now(UTC).isoformat()),
        )
    assert cur.lastrowid is not None
    return get_rule(store, cur.lastrowid)


def update_rule(store: Store, rule: Rule) -> Rule:
    if rule.id is None:
        raise RuleError("Only a saved rule can be changed.")
    get_rule(store, rule.id)
    checked = validate(store, rule)
    conditions, actions = _encode(checked)
    with store._write() as conn:
        conn.execute(
            "UPDATE rules SET name = ?, enabled = ?, conditions = ?, actions = ? WHERE id = ?",
            (checked.name, int(checked.enabled), conditions, actions, rule.id),
        )
    return get_rule(store, rule.id)


def move_rule(store: Store, rule_id: int, position: int) -> None:
    """Move a rule to `position` in the running order (0 = first)."""
    order = [r.id for r in rules(store) if r.id != rule_id]
    get_rule(store, rule_id)
    order.insert(max(0, min(position, len(order))), rule_id)
    with store._write() as conn:
        conn.executemany("UPDATE rules SET position = ? WHERE id = ?", list(enumerate(order)))


def delete_rule(store: Store, rule_id: int) -> None:
    """Delete a rule. What it decided stays until rules next run (``apply``)."""
    get_rule(store, rule_id)
    with store._write() as conn:
        conn.execute("DELETE FROM rules WHERE id = ?", (rule_id,))
        conn.execute(
            "UPDATE rules SET position = (SELECT count(*) FROM rules r2 WHERE r2.position < rules.position "
            "OR (r2.position = rules.position AND r2.id < rules.id))"
        )


def has_rule_for(store: Store, counterparty: str, category_id: int) -> bool:
    """Whether an enabled rule already puts this counterparty in this category."""
    folded = counterparty.casefold()
    return any(
        r.actions.category_id == category_id
        and r.conditions.counterparty is not None
        and r.conditions.counterparty.casefold() in folded
        for r in rules(store, enabled_only=True)
    )


def retarget_category(conn: sqlite.Connection, old: int, new: int | None) -> None:
    """Point rules that set category `old` at `new` (or drop that action) when a category goes."""
    for rule_id, actions_text in conn.execute("SELECT id, actions FROM rules").fetchall():
        actions = json.loads(actions_text)
        if actions.get("category_id") != old:
            continue
        if new is None:
            actions.pop("category_id")
        else:
            actions["category_id"] = new
        if actions:
            conn.execute("UPDATE rules SET actions = ? WHERE id = ?", (json.dumps(actions, sort_keys=True), rule_id))
        else:
            conn.execute("UPDATE rules SET enabled = 0, actions = ? WHERE id = ?", ("{}", rule_id))
