"""Running rules over the cache: on new transactions after each synced page, and over everything.

Per batch of rows, one UPDATE hands every row to a matcher (``rules_match``, a Python
function SQLite calls) that decides all rules at once, and writes only the rows whose outcome
changed: each row is read once. Working through the table in id ranges keeps each write short and lets
a worker report progress and stop between batches (a cancelled run leaves every finished batch
applied and the rest as it was; running again completes it).

A batch is one write transaction holding the store's lock, which the app's reads wait for
(one connection serves every thread). So batches are sized by time, not rows: each aims at
``WRITE_SECONDS``, from the speed of the batches before it. A run over most of the cache copies
the write-ahead log back into the file on another thread (``checkpoints_aside``), so no commit
of the run pays for that copy while the app waits.

Outcomes, per transaction:

* category: the person's choice (manual, split) is never touched; otherwise the first matching
  rule's category, else the provider's guess (merchant code or category word), else none;
* display name: the first matching rename, else the bank's counterparty;
* transfer mark: the first matching transfer rule, unless the person or the transfer pairing
  decided already;
* tags: every matching rule's tag (tags the person added stay).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from desktop_app.core import mcc
from desktop_app.core.errors import Cancelled, RuleError
from desktop_app.core.rules import rules
from desktop_app.core.rules_match import Matcher
from desktop_app.core.store import Store, summaries
from desktop_app.core.store.checkpoints import checkpoints_aside

BATCH_ROWS = 50_000  # the most rows one write of a run takes on
# A write of a run aims at this long (its rows follow from the speed of the writes so far), so
# that the app's reads and other writers, which wait for the store's lock, never wait 50 ms.
WRITE_SECONDS = 0.012
FIRST_BATCH = 2_000
ASIDE_FROM_ROWS = 20_000  # runs over fewer ids checkpoint as usual (a synced page, a small import)


@dataclass(frozen=True, slots=True)
class ApplyResult:
    examined: int
    changed: int
    dry_run: bool


def _matcher(store: Store, create_tags: bool = True) -> Matcher:
    active = rules(store, enabled_only=True)
    names = {r.actions.tag for r in active if r.actions.tag}
    if names and create_tags:
        with store._write() as conn:
            conn.executemany("INSERT OR IGNORE INTO tags (name) VALUES (?)", [(n,) for n in names])
    tag_ids = {str(row[1]).casefold(): int(row[0]) for row in store._read("SELECT id, name FROM tags")}
    for n, name in enumerate(sorted(names)):  # a dry run writes nothing: tags not made yet get stand-in ids
        tag_ids.setdefault(name.casefold(), -1 - n)
    return Matcher(active, tag_ids)


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
_TEMP = (
    "CREATE TEMP TABLE IF NOT EXISTS rule_hits (id INTEGER PRIMARY KEY, outcome INTEGER)",
    "CREATE TEMP TABLE IF NOT EXISTS rule_outcomes (id INTEGER PRIMARY KEY, rule_id INTEGER, category_id INTEGER, "
    "payee TEXT, transfer INTEGER)",
    "CREATE TEMP TABLE IF NOT EXISTS rule_outcome_tags (outcome INTEGER, tag_id INTEGER)",
)
_DIFFERS = f"({_NEW}) IS NOT ({_OLD})"


def _outcomes(conn: Any, matcher: Matcher) -> int:
    """Put every outcome the matcher knows in the temp tables (inside the caller's write); how many.

    Rewritten in each batch's transaction, so two runs at once (a sync hook during a long apply)
    never see each other's numbering.
    """
    for table in ("rule_hits", "rule_outcomes", "rule_outcome_tags"):
        conn.execute(f"DELETE FROM temp.{table}")
    fresh = list(enumerate(matcher.outcomes))
    wanted = {cat[1] for cat, *_ in matcher.outcomes if cat}
    if wanted:
        marks = ", ".join("?" * len(wanted))
        found = conn.execute(f"SELECT count(*) FROM categories WHERE id IN ({marks})", sorted(wanted)).fetchone()[0]
        if found != len(wanted):
            raise RuleError("The categories changed while the rules ran; apply the rules again.")
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
    return len(fresh)


def _decided(matcher: Matcher, table: str = "transactions") -> str:
    """The rows of `table` start…end (?1, ?2) with their outcome: the matcher runs once per row."""
    raw = ", raw" if matcher.needs_raw else ""
    return (
        f"(SELECT id, saldo_rules(id, counterparty, description, amount_minor, currency, account_id{raw}) AS outcome "
        f"FROM {table} WHERE id BETWEEN ?1 AND ?2) h LEFT JOIN temp.rule_outcomes o ON o.id = h.outcome"
    )


class _Batches:
    """Batch sizes: fixed when the caller asks, else sized so a write takes about WRITE_SECONDS."""

    def __init__(self, fixed: int | None) -> None:
        self.fixed = fixed
        self.rows = fixed or FIRST_BATCH

    @contextmanager
    def timed(self, rows: int) -> Iterator[None]:
        start = time.perf_counter()
        yield
        if self.fixed is None:
            rate = rows / max(time.perf_counter() - start, 1e-4)
            # at most double at a time: one quick batch (rows that change nothing) is no promise
            self.rows = int(max(500, min(BATCH_ROWS, 2 * self.rows, rate * WRITE_SECONDS)))


def apply_rules(
    store: Store,
    *,
    after_id: int = 0,
    upto_id: int | None = None,
    dry_run: bool = False,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int | None = None,
) -> ApplyResult:
    """Run every enabled rule over transactions with id > `after_id` and <= `upto_id` (default: all).

    With `dry_run` nothing is written and `changed` says how many transactions would change.
    `progress(done, total)` is called after each batch (rows by id range); setting `cancel`
    stops between batches with ``Cancelled``. `batch` fixes the rows per batch (by id range);
    by default batches are sized by time (see the module's docstring).
    """
    matcher = _matcher(store, create_tags=not dry_run)
    if not matcher.rules and not dry_run:
        return _without_rules(store, after_id, upto_id)
    low, high = (  # two subqueries: SQLite answers a lone min() or max() from the index, both at once by a scan
        int(v)
        for v in store._read(
            "SELECT coalesce((SELECT min(id) FROM transactions WHERE id > ?), 0), "
            "coalesce((SELECT max(id) FROM transactions), 0)",
            (after_id,),
        )[0]
    )
    if upto_id is not None:
        high = min(high, upto_id)
    sizes = _Batches(batch)
    long_run = batch is None and high - low >= ASIDE_FROM_ROWS
    examined = changed = 0
    with checkpoints_aside(store, long_run and not dry_run) as committed:
        start = low
        while start and start <= high:
            if cancel is not None and cancel.is_set():
                raise Cancelled("Cancelled.")
            end = min(start + sizes.rows - 1, high)
            # foreign keys unchecked: every category written comes from the categories table in
            # this same transaction (``_outcomes`` checks the rules' ones; guesses follow deletions)
            with sizes.timed(end - start + 1), store._write(foreign_keys=False) as conn:
                seen, differ = _batch(conn, matcher, start, end, dry_run)
            committed()
            # The store's lock is not fair: without a pause the next write could take it again
            # before a reader woken by this release runs, and a page read would wait out several
            # writes. Sleeping zero seconds lets the waiting thread have the interpreter first.
            time.sleep(0)
            examined += seen
            changed += differ
            if progress is not None:
                progress(end - low + 1, high - low + 1)
            start = end + 1
    return ApplyResult(examined, changed, dry_run)


def _batch(conn: Any, matcher: Matcher, start: int, end: int, dry_run: bool) -> tuple[int, int]:
    """Rows start…end inside the caller's write; (rows examined, rows changed or that would).

    One statement reads each row once, calls the matcher and writes the rows whose outcome
    changed. An outcome the matcher meets for the first time during the statement is not in
    temp.rule_outcomes yet: then the statement is undone to a savepoint and run again with it
    (rare after the first batch: rows share a handful of outcomes).
    """
    for sql in _TEMP:
        conn.execute(sql)
    conn.create_function("saldo_rules", 7 if matcher.needs_raw else 6, matcher.sql_function())
    examined = int(
        conn.execute("SELECT count(*) FROM transactions WHERE id BETWEEN ? AND ?", (start, end)).fetchone()[0]
    )
    known = _outcomes(conn, matcher)
    with summaries.without_row_trigger(conn, "summary_tx_au") if not dry_run else nullcontext():
        changed = _decide_batch(conn, matcher, start, end, dry_run, known)
    if not dry_run:
        if changed:
            summaries.mark_ids(conn, start, end)
        conn.executemany("INSERT OR IGNORE INTO temp.rule_hits VALUES (?, ?)", matcher.tagged_hits)
        _apply_tags(conn, start, end)
    return examined, changed


def _decide_batch(conn: Any, matcher: Matcher, start: int, end: int, dry_run: bool, known: int) -> int:
    """The one statement of a batch (see ``_batch``); how many rows it changed, or would."""
    conn.execute("SAVEPOINT rule_batch")
    while True:
        matcher.tagged_hits.clear()
        before = conn.total_changes
        if dry_run:
            changed = int(
                conn.execute(
                    f"SELECT count(*) FROM {_decided(matcher)} JOIN transactions t ON t.id = h.id WHERE {_DIFFERS}",
                    (start, end),
                ).fetchone()[0]
            )
        else:
            conn.execute(
                f"UPDATE transactions AS t SET ({_COLUMNS}) = ({_NEW}) FROM {_decided(matcher)} "
                f"WHERE t.id BETWEEN ?1 AND ?2 AND h.id = t.id AND {_DIFFERS}",
                (start, end),
            )
            changed = int(conn.total_changes - before)
        if len(matcher.outcomes) == known:
            break
        conn.execute("ROLLBACK TO rule_batch")
        known = _outcomes(conn, matcher)
    conn.execute("RELEASE rule_batch")
    return changed


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
                f"WHERE id BETWEEN ? AND ? AND raw IS NOT NULL AND (guess_id IS NOT NULL OR {mcc.MAY_HINT_SQL})",
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
