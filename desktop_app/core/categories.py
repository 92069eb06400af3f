"""Categories: a two-level tree, and which category each transaction belongs to.

A transaction's category has a source. ``manual`` (and ``split``, a manual choice across several
categories) is the person's and always wins: rules, provider hints and re-syncs never touch it.
``rule`` and ``provider`` are guesses that a later rule run may replace. The upsert that sync and
import use never writes these columns, so every choice survives re-sync and re-import.

A split divides a transaction into parts with exact minor-unit amounts that add up to the
whole, each part with its category.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from desktop_app.core.errors import CategoryError, MoneyError
from desktop_app.core.money import Money
from desktop_app.core.store import Store
from desktop_app.core.store.driver import sqlite

MANUAL_SOURCES = ("manual", "split")
KINDS = ("expense", "income", "transfer")


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    name: str
    parent_id: int | None
    kind: str
    code: str | None
    position: int
    parent_name: str | None = None

    @property
    def path(self) -> str:
        """The name with its parent's: ``Transport / Fuel``."""
        return f"{self.parent_name} / {self.name}" if self.parent_name else self.name


@dataclass(frozen=True, slots=True)
class Split:
    category_id: int
    amount: Money


@dataclass(frozen=True, slots=True)
class RuleSuggestion:
    """The person put `count` transactions of `counterparty` in the same category by hand."""

    counterparty: str
    category_id: int
    count: int


_SELECT = (
    "SELECT c.id, c.name, c.parent_id, c.kind, c.code, c.position, p.name AS parent_name "
    "FROM categories c LEFT JOIN categories p ON p.id = c.parent_id"
)


def _category(r: sqlite.Row) -> Category:
    return Category(r["id"], r["name"], r["parent_id"], r["kind"], r["code"], r["position"], r["parent_name"])


def categories(store: Store) -> list[Category]:
    """Every category, each parent followed by its children, in the person's order."""
    rows = store._read(
        f"{_SELECT} ORDER BY coalesce(p.position, c.position), coalesce(p.id, c.id), c.parent_id IS NOT NULL, "
        "c.position, c.id"
    )
    return [_category(r) for r in rows]


def get_category(store: Store, category_id: int) -> Category:
    rows = store._read(f"{_SELECT} WHERE c.id = ?", (category_id,))
    if not rows:
        raise CategoryError(f"There is no category {category_id}.")
    return _category(rows[0])


def find_category(store: Store, text: str) -> Category:
    """A category by id, code, name, or ``Parent / Child`` path (case does not matter)."""
    wanted = text.strip()
    if wanted.isdigit():
        return get_category(store, int(wanted))
    everything = categories(store)
    folded = " / ".join(part.strip() for part in wanted.split("/")).casefold()
    keys: tuple[Callable[[Category], str], ...] = (
        lambda c: c.path.casefold(),
        lambda c: (c.code or "").casefold(),
        lambda c: c.name.casefold(),
    )
    for key in keys:
        found = [c for c in everything if key(c) == folded]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(c.path for c in found)
            raise CategoryError(f"{text!r} could mean several categories ({names}); write it as 'Parent / Child'.")
    raise CategoryError(f"There is no category called {text!r}; `saldo categories` lists them.")


def category_by_code(store: Store, code: str) -> int | None:
    rows = store._read("SELECT id FROM categories WHERE code = ?", (code,))
    return int(rows[0][0]) if rows else None


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or "/" in cleaned:
        raise CategoryError("A category needs a name, without '/'.")
    return cleaned


def _check_parent(store: Store, parent_id: int | None, moving: int | None = None) -> Category | None:
    if parent_id is None:
        return None
    parent = get_category(store, parent_id)
    if parent.parent_id is not None:
        raise CategoryError(f"{parent.path} is itself inside a category; categories have two levels.")
    if moving is not None:
        if parent_id == moving:
            raise CategoryError("A category cannot be inside itself.")
        if store._read("SELECT 1 FROM categories WHERE parent_id = ?", (moving,)):
            raise CategoryError("A category with subcategories cannot move inside another one.")
    return parent


def add_category(store: Store, name: str, parent_id: int | None = None, kind: str | None = None) -> Category:
    """Add a category at the top, or under `parent_id` (inheriting its kind unless given)."""
    cleaned = _clean_name(name)
    parent = _check_parent(store, parent_id)
    kind = kind or (parent.kind if parent else "expense")
    if kind not in KINDS:
        raise CategoryError(f"A category's kind is one of {', '.join(KINDS)}, not {kind!r}.")
    if store._read(
        "SELECT 1 FROM categories WHERE coalesce(parent_id, 0) = ? AND name = ? COLLATE NOCASE",
        (parent_id or 0, cleaned),
    ):
        raise CategoryError(f"There already is a category {cleaned!r} there.")
    with store._write() as conn:
        position = conn.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM categories WHERE coalesce(parent_id, 0) = ?", (parent_id or 0,)
        ).fetchone()[0]
        cur = conn.execute(
            "INSERT INTO categories (parent_id, name, kind, position) VALUES (?, ?, ?, ?)",
            (parent_id, cleaned, kind, position),
        )
    assert cur.lastrowid is not None
    return get_category(store, cur.lastrowid)


def rename_category(store: Store, category_id: int, name: str) -> Category:
    current = get_category(store, category_id)
    cleaned = _clean_name(name)
    clash = store._read(
        "SELECT 1 FROM categories WHERE coalesce(parent_id, 0) = ? AND name = ? COLLATE NOCASE AND id != ?",
        (current.parent_id or 0, cleaned, category_id),
    )
    if clash:
        raise CategoryError(f"There already is a category {cleaned!r} there.")
    with store._write() as conn:
        conn.execute("UPDATE categories SET name = ? WHERE id = ?", (cleaned, category_id))
    return get_category(store, category_id)


def move_category(store: Store, category_id: int, parent_id: int | None) -> Category:
    """Put a category under another top-level one, or (parent None) at the top."""
    current = get_category(store, category_id)
    _check_parent(store, parent_id, moving=category_id)
    clash = store._read(
        "SELECT 1 FROM categories WHERE coalesce(parent_id, 0) = ? AND name = ? COLLATE NOCASE AND id != ?",
        (parent_id or 0, current.name, category_id),
    )
    if clash:
        raise CategoryError(f"There already is a category {current.name!r} there.")
    with store._write() as conn:
        conn.execute("UPDATE categories SET parent_id = ? WHERE id = ?", (parent_id, category_id))
    return get_category(store, category_id)


def merge_category(store: Store, source_id: int, target_id: int) -> None:
    """Move everything of `source` (transactions, splits, budgets, rules, subcategories) into `target`."""
    delete_category(store, source_id, reassign_to=target_id)


def delete_category(store: Store, category_id: int, reassign_to: int | None = None) -> None:
    """Delete a category. Its transactions go to `reassign_to`, or back to uncategorised.

    Its subcategories move to `reassign_to` when that is a top-level category, else to the top.
    Manual choices stay manual; a budget moves only where the target has none for that month.
    """
    get_category(store, category_id)
    target = get_category(store, reassign_to) if reassign_to is not None else None
    if target is not None and target.id == category_id:
        raise CategoryError("A category cannot be merged into itself.")
    if target is not None and target.parent_id == category_id:
        raise CategoryError("Merge a category into one outside it, not into its own subcategory.")
    from desktop_app.core import rules  # rules import categories; resolve at call time

    new_parent = target.id if target is not None and target.parent_id is None else None
    with store._write() as conn:
        if target is None:
            conn.execute(
                "UPDATE transactions SET category_id = NULL, category_source = NULL, rule_id = NULL "
                "WHERE category_id = ?",
                (category_id,),
            )
            if conn.execute("SELECT 1 FROM tx_splits WHERE category_id = ? LIMIT 1", (category_id,)).fetchone():
                raise CategoryError("Some split transactions use this category; choose one to move them to.")
        else:
            conn.execute("UPDATE transactions SET category_id = ? WHERE category_id = ?", (target.id, category_id))
            conn.execute("UPDATE tx_splits SET category_id = ? WHERE category_id = ?", (target.id, category_id))
            conn.execute(
                "INSERT OR IGNORE INTO budgets (category_id, month, amount_minor, currency) "
                "SELECT ?, month, amount_minor, currency FROM budgets WHERE category_id = ?",
                (target.id, category_id),
            )
        # the provider's guess follows too: a rule run falls back to it, and must never write a category that is gone
        conn.execute(
            "UPDATE transactions SET guess_id = ? WHERE guess_id = ?", (target.id if target else None, category_id)
        )
        conn.execute("UPDATE categories SET parent_id = ? WHERE parent_id = ?", (new_parent, category_id))
        rules.retarget_category(conn, category_id, target.id if target else None)
        conn.execute("DELETE FROM budgets WHERE category_id = ?", (category_id,))
        conn.execute("DELETE FROM categories WHERE id = ?", (category_id,))


# -- a transaction's category ---------------------------------------------------------


def _tx(conn: sqlite.Connection, transaction_id: int) -> tuple[int, str, str | None]:
    row = conn.execute(
        "SELECT amount_minor, currency, counterparty FROM transactions WHERE id = ?", (transaction_id,)
    ).fetchone()
    if row is None:
        raise CategoryError(f"There is no transaction {transaction_id}.")
    return int(row[0]), str(row[1]), row[2]


def set_category(store: Store, transaction_id: int, category_id: int | None) -> RuleSuggestion | None:
    """The person's choice for one transaction (None: uncategorised, by choice). Beats every rule.

    Returns a rule suggestion when the same counterparty now sits in that category by hand twice
    or more and no rule does it yet.
    """
    if category_id is not None:
        get_category(store, category_id)
    with store._write() as conn:
        _, _, counterparty = _tx(conn, transaction_id)
        conn.execute("DELETE FROM tx_splits WHERE transaction_id = ?", (transaction_id,))
        conn.execute(
            "UPDATE transactions SET category_id = ?, category_source = 'manual', rule_id = NULL WHERE id = ?",
            (category_id, transaction_id),
        )
    if category_id is None or not counterparty:
        return None
    return _suggestion(store, counterparty, category_id)


def clear_manual(store: Store, transaction_id: int) -> None:
    """Give a transaction back to the rules: forget the person's choice (and any split)."""
    with store._write() as conn:
        _tx(conn, transaction_id)
        conn.execute("DELETE FROM tx_splits WHERE transaction_id = ?", (transaction_id,))
        conn.execute(
            "UPDATE transactions SET category_id = NULL, category_source = NULL, rule_id = NULL WHERE id = ?",
            (transaction_id,),
        )


def _suggestion(store: Store, counterparty: str, category_id: int) -> RuleSuggestion | None:
    from desktop_app.core import rules

    count = int(
        store._read(
            "SELECT count(*) FROM transactions WHERE category_source = 'manual' AND category_id = ? "
            "AND counterparty = ? COLLATE NOCASE",
            (category_id, counterparty),
        )[0][0]
    )
    if count < 2 or rules.has_rule_for(store, counterparty, category_id):
        return None
    return RuleSuggestion(counterparty, category_id, count)


def split_transaction(store: Store, transaction_id: int, parts: Sequence[tuple[int, Decimal | Money]]) -> None:
    """Divide a transaction across categories. The parts' amounts must add up exactly to the whole."""
    if len(parts) < 2:
        raise CategoryError("A split needs at least two parts.")
    for category_id, _ in parts:
        get_category(store, category_id)
    with store._write() as conn:
        total, currency, _ = _tx(conn, transaction_id)
        minors = []
        for _, amount in parts:
            try:
                money = amount if isinstance(amount, Money) else Money(amount, currency)
            except MoneyError as exc:
                raise CategoryError(f"A split amount is not valid in {currency}: {exc}.") from None
            if money.currency != currency:
                raise CategoryError(f"A split amount is in {money.currency}; the transaction is in {currency}.")
            minors.append(money.minor_units)
        if sum(minors) != total:
            whole = Money.from_minor(total, currency).normalized()
            got = Money.from_minor(sum(minors), currency).normalized()
            raise CategoryError(f"The parts add up to {got} {currency}, not to the transaction's {whole} {currency}.")
        conn.execute("DELETE FROM tx_splits WHERE transaction_id = ?", (transaction_id,))
        conn.executemany(
            "INSERT INTO tx_splits (transaction_id, position, category_id, amount_minor) VALUES (?, ?, ?, ?)",
            [(transaction_id, n, cid, minor) for n, ((cid, _), minor) in enumerate(zip(parts, minors, strict=True))],
        )
        conn.execute(
            "UPDATE transactions SET category_id = NULL, category_source = 'split', rule_id = NULL WHERE id = ?",
            (transaction_id,),
        )


def splits(store: Store, transaction_id: int) -> list[Split]:
    rows = store._read(
        "SELECT s.category_id, s.amount_minor, t.currency FROM tx_splits s JOIN transactions t "
        "ON t.id = s.transaction_id WHERE s.transaction_id = ? ORDER BY s.position",
        (transaction_id,),
    )
    return [Split(r[0], Money.from_minor(r[1], r[2])) for r in rows]


def category_of(store: Store, transaction_id: int) -> tuple[int | None, str | None]:
    """(category id, source) of a transaction; source None when nothing set it."""
    rows = store._read("SELECT category_id, category_source FROM transactions WHERE id = ?", (transaction_id,))
    if not rows:
        raise CategoryError(f"There is no transaction {transaction_id}.")
    return rows[0][0], rows[0][1]


def carry_over_to_twins(store: Store, account_id: int, pairs: Sequence[tuple[str, str]]) -> int:
    """Give booked rows the person's choices made on the pending rows they are about to replace.

    Sync calls this with the (pending key, booked key) pairs it is claiming, before the pending
    rows go: a hand-picked category or split, a hand-set transfer mark and hand-added tags move
    to the booked twin. Returns how many pending rows had something to carry over.
    """
    moved = 0
    with store._write() as conn:
        for pending_key, booked_key in pairs:
            rows = conn.execute(
                "SELECT p.id, b.id, p.category_source, p.category_id, p.transfer_source, p.transfer_id "
                "FROM transactions p, transactions b WHERE p.account_id = ? AND p.dedupe_key = ? "
                "AND b.account_id = p.account_id AND b.dedupe_key = ? AND b.amount_minor = p.amount_minor",
                (account_id, pending_key, booked_key),
            ).fetchall()
            if not rows:
                continue
            old, new, source, category_id, transfer_source, transfer_id = rows[0]
            touched = False
            if source in MANUAL_SOURCES:
                conn.execute("UPDATE tx_splits SET transaction_id = ? WHERE transaction_id = ?", (new, old))
                conn.execute(
                    "UPDATE transactions SET category_id = ?, category_source = ?, rule_id = NULL WHERE id = ?",
                    (category_id, source, new),
                )
                touched = True
            if transfer_source == "manual":
                conn.execute(
                    "UPDATE transactions SET transfer_id = ?, transfer_source = 'manual' WHERE id = ?",
                    (transfer_id, new),
                )
                touched = True
            cur = conn.execute(
                "INSERT OR IGNORE INTO tx_tags (transaction_id, tag_id, source) "
                "SELECT ?, tag_id, source FROM tx_tags WHERE transaction_id = ? AND source = 'manual'",
                (new, old),
            )
            moved += int(touched or cur.rowcount > 0)
    return moved
