"""Running rules over the cache: on new transactions after each synced page, and over everything.

Per batch of rows, one SQL pass hands every row to a matcher (a Python function SQLite calls)
that decides all rules at once, caching its verdicts on text per distinct counterparty and
description, which repeat a lot; one UPDATE then writes only the rows whose outcome changed.
Working through the table in id ranges keeps each write short and lets a worker report
progress and stop between batches (a cancelled run leaves every finished batch applied and the
rest as it was; running again completes it).

Outcomes, per transaction:

* category: the person's choice (manual, split) is never touched; otherwise the first matching
  rule's category, else the provider's guess (merchant code or category word), else none;
* display name: the first matching rename, else the bank's counterparty;
* transfer mark: the first matching transfer rule, unless the person or the transfer pairing
  decided already;
* tags: every matching rule's tag (tags the person added stay).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from desktop_app.core import mcc
from desktop_app.core.errors import Cancelled
from desktop_app.core.money import CURRENCY_EXPONENTS
from desktop_app.core.rules import Rule, rules
from desktop_app.core.store import Store

BATCH_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class ApplyResult:
    examined: int
    changed: int
    dry_run: bool


def _raw_hint(raw: str | None) -> tuple[int | None, str | None]:
    code, word = mcc.provider_hint(raw)
    number = int(code) if code and code.isdigit() else None
    return number, word.casefold() if word else None


def _contains(needle: str | None) -> Callable[[str | None], bool]:
    if needle is None:
        return lambda _value: True
    folded = needle.casefold()
    return lambda value: value is not None and folded in value.casefold()


class _Matcher:
    """Decides every rule for one row at a time, fast: text verdicts are cached per distinct text.

    Called from SQL (one call per row); returns a small integer naming the row's outcome, or
    None when no rule matches. ``outcomes`` maps those integers back to what the rules decided.
    """

    def __init__(self, active: Sequence[Rule], tag_ids: dict[str, int]) -> None:
        self.rules = list(active)
        self.tag_ids = tag_ids
        self._party = [_contains(r.conditions.counterparty) for r in self.rules]
        self._text = [_contains(r.conditions.description) for r in self.rules]
        self._regex = [
            re.compile(r.conditions.description_regex) if r.conditions.description_regex else None for r in self.rules
        ]
        self._party_masks: dict[str | None, int] = {}
        self._text_masks: dict[str | None, int] = {}
        self._limits: dict[tuple[int, str], tuple[int | None, int | None]] = {}
        self.needs_raw = any(r.conditions.mcc or r.conditions.provider_category for r in self.rules)
        # rules whose verdict depends on more than the two texts; without them a row's outcome
        # depends on its candidate rules alone and is cached by that set
        self._row_bound = sum(
            1 << n
            for n, r in enumerate(self.rules)
            if r.conditions.sign
            or r.conditions.amount_min is not None
            or r.conditions.amount_max is not None
            or r.conditions.account_ids is not None
            or r.conditions.mcc
            or r.conditions.provider_category
        )
        self._by_candidates: dict[int, int | None] = {}
        self._ids: dict[tuple[Any, ...], int] = {}
        self.outcomes: list[tuple[Any, ...]] = []

    def _party_mask(self, value: str | None) -> int:
        mask = self._party_masks.get(value)
        if mask is None:
            mask = sum(1 << n for n, test in enumerate(self._party) if test(value))
            self._party_masks[value] = mask
        return mask

    def _text_mask(self, value: str | None) -> int:
        mask = self._text_masks.get(value)
        if mask is None:
            mask = 0
            for n, (test, regex) in enumerate(zip(self._text, self._regex, strict=True)):
                if test(value) and (regex is None or (value is not None and regex.search(value))):
                    mask |= 1 << n
            self._text_masks[value] = mask
        return mask

    def _amount_ok(self, n: int, minor: int, currency: str) -> bool:
        limits = self._limits.get((n, currency))
        if limits is None:
            c = self.rules[n].conditions
            e = CURRENCY_EXPONENTS.get(currency, 2)
            limits = (
                _minor_bound(c.amount_min, e, True) if c.amount_min is not None else None,
                _minor_bound(c.amount_max, e, False) if c.amount_max is not None else None,
            )
            self._limits[(n, currency)] = limits
        size = abs(minor)
        return (limits[0] is None or size >= limits[0]) and (limits[1] is None or size <= limits[1])

    def _row_ok(self, n: int, minor: int, currency: str, account: int, raw: str | None) -> bool:
        c = self.rules[n].conditions
        if c.sign is not None and (minor > 0) != (c.sign == "in"):
            return False
        if (c.amount_min is not None or c.amount_max is not None) and not self._amount_ok(n, minor, currency):
            return False
        if c.account_ids is not None and account not in c.account_ids:
            return False
        if c.mcc or c.provider_category:
            code, word = _raw_hint(raw)
            span = c.mcc_range()
            if span is not None and (code is None or not span[0] <= code <= span[1]):
                return False
            if c.provider_category is not None and word != c.provider_category.casefold():
                return False
        return True

    def __call__(
        self, party: str | None, text: str | None, minor: int, currency: str, account: int, raw: str | None = None
    ) -> int | None:
        candidates = self._party_mask(party) & self._text_mask(text)
        if not candidates & self._row_bound:
            if candidates in self._by_candidates:
                return self._by_candidates[candidates]
            found = self._decide(candidates, minor, currency, account, raw)
            self._by_candidates[candidates] = found
            return found
        return self._decide(candidates, minor, currency, account, raw)

    def _decide(self, candidates: int, minor: int, currency: str, account: int, raw: str | None) -> int | None:
        category: tuple[int, int] | None = None
        rename: str | None = None
        transfer = False
        tags: set[int] = set()
        while candidates:
            low = candidates & -candidates
            candidates ^= low
            n = low.bit_length() - 1
            actions = self.rules[n].actions
            if not self._row_ok(n, minor, currency, account, raw):
                continue
            if category is None and actions.category_id is not None:
                category = (self.rules[n].id or 0, actions.category_id)
            if rename is None and actions.rename:
                rename = actions.rename
            transfer = transfer or actions.transfer
            if actions.tag:
                tags.add(self.tag_ids[actions.tag.casefold()])
        if category is None and rename is None and not transfer and not tags:
            return None
        key = (category, rename, transfer, tuple(sorted(tags)))
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self.outcomes)
            self.outcomes.append(key)
        return found


def _minor_bound(amount: Decimal, currency_exponent: int, low: bool) -> int:
    scaled = amount.scaleb(currency_exponent)
    return int(scaled.to_integral_value(rounding=ROUND_CEILING if low else ROUND_FLOOR))


def _matcher(store: Store, create_tags: bool = True) -> _Matcher:
    active = rules(store, enabled_only=True)
    names = {r.actions.tag for r in active if r.actions.tag}
    if names and create_tags:
        with store._write() as conn:
            conn.executemany("INSERT OR IGNORE INTO tags (name) VALUES (?)", [(n,) for n in names])
    tag_ids = {str(row[1]).casefold(): int(row[0]) for row in store._read("SELECT id, name FROM tags")}
    for n, name in enumerate(sorted(names)):  # a dry run writes nothing: tags not made yet get stand-in ids
        tag_ids.setdefault(name.casefold(), -1 - n)
    return _Matcher(active, tag_ids)


_NEW = """
    CASE WHEN t.category_source IN ('manual', 'split') THEN t.category_id
         ELSE coalesce(o.category_id, t.guess_id) END,
    CASE WHEN t.category_source IN ('manual', 'split') THEN t.category_source
         WHEN o.category_id IS NOT NULL THEN 'rule' WHEN t.guess_id IS NOT NULL THEN 'provider' END,
    CASE WHEN t.category_source IN ('manual', 'split') THEN NULL ELSE o.rule_id END,
    o.payee,
    CASE WHEN t.transfer_source IN ('manual', 'auto') THEN t.transfer_id
         WHEN o.transfer THEN 0 END,
    CASE WHEN t.transfer_source IN ('manual', 'auto') THEN t.transfer_source
         WHEN o.transfer THEN 'rule' END
"""
_COLUMNS = "category_id, category_source, rule_id, payee, transfer_id, transfer_source"
_OLD = ", ".join(f"t.{c}" for c in _COLUMNS.split(", "))
_FROM = "temp.rule_hits h JOIN transactions t ON t.id = h.id LEFT JOIN temp.rule_outcomes o ON o.id = h.outcome"
_TEMP = (
    "CREATE TEMP TABLE IF NOT EXISTS rule_hits (id INTEGER PRIMARY KEY, outcome INTEGER)",
    "CREATE TEMP TABLE IF NOT EXISTS rule_outcomes (id INTEGER PRIMARY KEY, rule_id INTEGER, category_id INTEGER, "
    "payee TEXT, transfer INTEGER)",
    "CREATE TEMP TABLE IF NOT EXISTS rule_outcome_tags (outcome INTEGER, tag_id INTEGER)",
)


def _evaluate(conn: Any, matcher: _Matcher, start: int, end: int) -> None:
    """Fill temp.rule_hits with every row's outcome in start…end, and the outcome tables.

    Everything is rewritten inside the caller's write transaction, so two runs at once (a sync
    hook during a long apply) never see each other's temp rows.
    """
    for table in ("rule_hits", "rule_outcomes", "rule_outcome_tags"):
        conn.execute(f"DELETE FROM temp.{table}")
    conn.create_function("saldo_rules", 6 if matcher.needs_raw else 5, matcher)
    raw = ", t.raw" if matcher.needs_raw else ""
    conn.execute(
        f"INSERT INTO temp.rule_hits SELECT t.id, saldo_rules(t.counterparty, t.description, t.amount_minor, "
        f"t.currency, t.account_id{raw}) FROM transactions t WHERE t.id BETWEEN ? AND ?",
        (start, end),
    )
    fresh = list(enumerate(matcher.outcomes))
    conn.executemany(
        "INSERT INTO temp.rule_outcomes VALUES (?, ?, ?, ?, ?)",
        [
            (n, cat[0] if cat else None, cat[1] if cat else None, rename, int(transfer))
            for n, (cat, rename, transfer, _) in fresh
        ],
    )
    conn.executemany(
        "INSERT INTO temp.rule_outcome_tags VALUES (?, ?)", [(n, tag) for n, (*_, tags) in fresh for tag in tags]
    )


def apply_rules(
    store: Store,
    *,
    after_id: int = 0,
    upto_id: int | None = None,
    dry_run: bool = False,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH_ROWS,
) -> ApplyResult:
    """Run every enabled rule over transactions with id > `after_id` and <= `upto_id` (default: all).

    With `dry_run` nothing is written and `changed` says how many transactions would change.
    `progress(done, total)` is called after each batch (rows by id range); setting `cancel`
    stops between batches with ``Cancelled``.
    """
    matcher = _matcher(store, create_tags=not dry_run)
    if not matcher.rules and not dry_run:
        return _without_rules(store, after_id, upto_id)
    low, high = (
        int(v)
        for v in store._read(
            "SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM transactions WHERE id > ?", (after_id,)
        )[0]
    )
    if upto_id is not None:
        high = min(high, upto_id)
    examined = changed = 0
    start = low
    while start and start <= high:
        if cancel is not None and cancel.is_set():
            raise Cancelled("Cancelled.")
        end = min(start + batch - 1, high)
        differs = f"({_NEW}) IS NOT ({_OLD})"
        with store._write() as conn:
            for sql in _TEMP:
                conn.execute(sql)
            _evaluate(conn, matcher, start, end)
            examined += conn.execute("SELECT count(*) FROM temp.rule_hits").fetchone()[0]
            if dry_run:
                changed += conn.execute(f"SELECT count(*) FROM {_FROM} WHERE {differs}").fetchone()[0]
            else:
                before = conn.total_changes
                conn.execute(
                    f"UPDATE transactions AS t SET ({_COLUMNS}) = ({_NEW}) FROM temp.rule_hits h "
                    f"LEFT JOIN temp.rule_outcomes o ON o.id = h.outcome "
                    f"WHERE t.id BETWEEN ? AND ? AND h.id = t.id AND {differs}",
                    (start, end),
                )
                changed += conn.total_changes - before
                _apply_tags(conn, start, end)
        if progress is not None:
            progress(end - low + 1, high - low + 1)
        start = end + 1
    return ApplyResult(examined, changed, dry_run)


def _without_rules(store: Store, after_id: int, upto_id: int | None) -> ApplyResult:
    """No enabled rule: the same outcomes as a full run, in one UPDATE without calling the matcher."""
    high = upto_id if upto_id is not None else last_transaction_id(store)
    nothing = "(SELECT NULL AS category_id, NULL AS rule_id, NULL AS payee, NULL AS transfer) AS o"
    with store._write() as conn:
        examined = conn.execute(
            "SELECT count(*) FROM transactions WHERE id > ? AND id <= ?", (after_id, high)
        ).fetchone()[0]
        before = conn.total_changes
        conn.execute(
            f"UPDATE transactions AS t SET ({_COLUMNS}) = ({_NEW}) FROM {nothing} "
            f"WHERE t.id > ? AND t.id <= ? AND ({_NEW}) IS NOT ({_OLD})",
            (after_id, high),
        )
        changed = conn.total_changes - before
        conn.execute(
            "DELETE FROM tx_tags WHERE source = 'rule' AND transaction_id > ? AND transaction_id <= ?", (after_id, high)
        )
    return ApplyResult(int(examined), changed, False)


def _apply_tags(conn: Any, start: int, end: int) -> None:
    """Make the rule tags of rows start…end exactly what the rules say now, writing only differences."""
    wanted = "SELECT h.id, ot.tag_id FROM temp.rule_hits h JOIN temp.rule_outcome_tags ot ON ot.outcome = h.outcome"
    conn.execute(
        "DELETE FROM tx_tags WHERE source = 'rule' AND transaction_id BETWEEN ? AND ? "
        f"AND (transaction_id, tag_id) NOT IN ({wanted})",
        (start, end),
    )
    conn.execute(f"INSERT OR IGNORE INTO tx_tags (transaction_id, tag_id, source) SELECT *, 'rule' FROM ({wanted})")


def last_transaction_id(store: Store) -> int:
    """The highest transaction id so far: pass it to ``categorise_new`` after storing more."""
    return int(store._read("SELECT coalesce(max(id), 0) FROM transactions")[0][0])


def _store_guesses(store: Store, after_id: int, upto_id: int, batch: int = BATCH_ROWS) -> None:
    """Record the provider's category hint of rows after_id < id <= upto_id, a batch at a time."""
    for start in range(after_id + 1, upto_id + 1, batch):
        with store._write() as conn:
            conn.create_function("saldo_guess", 1, mcc.guess_from_hints, deterministic=True)
            conn.execute(
                "UPDATE transactions SET guess_id = "
                f"(SELECT id FROM categories WHERE code = saldo_guess({mcc.HINTS_SQL})) "
                "WHERE id BETWEEN ? AND ? AND raw IS NOT NULL",
                (start, min(start + batch - 1, upto_id)),
            )


def categorise_new(store: Store, after_id: int, *, pair: bool = True) -> int:
    """Categorise transactions stored since `after_id`: provider guess, rules, transfer pairing.

    Sync calls this after each page it stores, statement import after each file; both pass the
    ``last_transaction_id`` taken before storing. Returns the new last id, for the next call.
    Sync passes ``pair=False`` and pairs transfers once per account instead (``pair_transfers``).
    """
    from desktop_app.core.transfers import pair_transfers

    newest = last_transaction_id(store)
    if newest <= after_id:
        return newest
    _store_guesses(store, after_id, newest)
    apply_rules(store, after_id=after_id)
    if pair:
        pair_transfers(store, after_id=after_id)
    return newest


def categorise_existing(
    store: Store, *, cancel: threading.Event | None = None, progress: Callable[[int, int], None] | None = None
) -> tuple[ApplyResult, int]:
    """Everything ``categorise_new`` does, over the whole cache: "apply to existing".

    Returns the rules' result and how many transfers were newly paired.
    """
    from desktop_app.core.transfers import pair_transfers

    _store_guesses(store, 0, last_transaction_id(store))
    result = apply_rules(store, cancel=cancel, progress=progress)
    return result, pair_transfers(store)
