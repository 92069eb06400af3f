"""Per-month sums kept beside the transactions, so reports over years read hundreds of rows, not millions.

Two summaries, both of booked, not withdrawn transactions:

* ``report_months``: per month, category (0: none), currency and direction (money in or out),
  the sum and count of what reports count: no transfers; a split transaction by its parts.
* ``balance_months``: per month, account and currency, the sum of every movement (transfers
  included): what net worth adds up.

They are never updated row by row: triggers only write down the month a change touched (in
``report_stale`` and ``balance_stale``; a new category touches only the first), which costs
next to nothing even when a rule run rewrites a million rows.
A reader recomputes the stale months it needs, one short write per month, from the rows
themselves. So every writer (sync, import, rules, edits, deletions) keeps them right without
knowing they exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

# What a change must touch to matter to each summary (the UPDATE OF list and the WHEN test agree).
_BALANCE_COLUMNS = "date, status, withdrawn_at, amount_minor, currency, account_id"
_REPORT_COLUMNS = f"{_BALANCE_COLUMNS}, category_id, category_source, transfer_id"
STALE = {"report": "report_stale", "balance": "balance_stale"}


def _changed(columns: str) -> str:
    names = columns.split(", ")
    return f"({', '.join('old.' + c for c in names)}) IS NOT ({', '.join('new.' + c for c in names)})"


def _mark(table: str, month: str, where: str = "WHERE true") -> str:
    # An upsert, not INSERT OR IGNORE: an outer upsert's conflict policy would override OR IGNORE.
    # (An upsert's SELECT needs a WHERE clause, if only WHERE true, to parse.)
    return f"INSERT INTO {table} (month) SELECT {month} {where} ON CONFLICT (month) DO NOTHING;"


def _both(month: str) -> str:
    return _mark("report_stale", month) + " " + _mark("balance_stale", month)


def _split(row: str) -> str:
    return _mark("report_stale", "substr(date, 1, 7)", f"FROM transactions WHERE id = {row}.transaction_id")


def mark_ids(conn: Any, low: int, high: int) -> None:
    """Mark the report months of transactions low…high stale (inside the caller's write)."""
    conn.execute(
        "INSERT INTO report_stale (month) SELECT DISTINCT substr(date, 1, 7) FROM transactions "
        "WHERE id BETWEEN ? AND ? ON CONFLICT (month) DO NOTHING",
        (low, high),
    )


def mark_new(conn: Any, after_id: int) -> None:
    """Mark the months of transactions with id > `after_id` stale in both summaries (inside the
    caller's write): what the insert trigger does, once for a whole import."""
    for stale in STALE.values():
        conn.execute(
            f"INSERT INTO {stale} (month) SELECT DISTINCT substr(date, 1, 7) FROM transactions "
            "WHERE id > ? ON CONFLICT (month) DO NOTHING",
            (after_id,),
        )


def mark_everything(conn: Any) -> None:
    """Mark every month stale that has transactions or a summary (inside the caller's write): what
    a bulk import does instead of the row triggers it switches off (``ROW_TRIGGERS``)."""
    for stale, summary in (("report_stale", "report_months"), ("balance_stale", "balance_months")):
        conn.execute(
            f"INSERT INTO {stale} (month) SELECT DISTINCT substr(date, 1, 7) FROM transactions "
            f"UNION SELECT month FROM {summary} WHERE true ON CONFLICT (month) DO NOTHING"
        )


@contextmanager
def without_row_trigger(conn: Any, name: str) -> Iterator[None]:
    """Inside the caller's write: one of the row triggers (``ROW_TRIGGERS``) is off until the block ends.

    For writers of many rows that mark the months themselves: a rule run (``mark_ids``), whose
    writes the report trigger never marks but which SQLite still runs for every row to find that
    out (a quarter of the run's time), and a statement import (``mark_new``), for which the insert
    trigger's two upserts per row cost twice the insert itself. Dropped and made again inside one
    transaction: no other writer ever sees it missing (an error rolls the drop back with
    everything else).
    """
    conn.execute(f"DROP TRIGGER {name}")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # should a caller go on and commit, the trigger is there all the same
            with suppress(Exception):
                conn.execute(ROW_TRIGGERS[name])
        raise
    conn.execute(ROW_TRIGGERS[name])


_OLD, _NEW = "substr(old.date, 1, 7)", "substr(new.date, 1, 7)"
TRIGGERS = (
    f"CREATE TRIGGER summary_tx_ai AFTER INSERT ON transactions BEGIN {_both(_NEW)} END",
    f"CREATE TRIGGER summary_tx_ad AFTER DELETE ON transactions BEGIN {_both(_OLD)} END",
    # A rule run (the only writer that sets rule_id) marks its months itself, once per batch
    # (``mark_ids``), and switches this trigger off for its writes (``without_row_trigger``).
    f"CREATE TRIGGER summary_tx_au AFTER UPDATE OF {_REPORT_COLUMNS} ON transactions "
    f"WHEN {_changed(_REPORT_COLUMNS)} AND NOT (new.rule_id IS NOT NULL AND new.rule_id IS NOT old.rule_id) "
    f"BEGIN {_mark('report_stale', _OLD)} {_mark('report_stale', _NEW)} END",
    # categories and transfer marks do not move balances: a rule run leaves these months fresh
    f"CREATE TRIGGER summary_balance_au AFTER UPDATE OF {_BALANCE_COLUMNS} ON transactions "
    f"WHEN {_changed(_BALANCE_COLUMNS)} BEGIN {_mark('balance_stale', _OLD)} {_mark('balance_stale', _NEW)} END",
    f"CREATE TRIGGER summary_split_ai AFTER INSERT ON tx_splits BEGIN {_split('new')} END",
    f"CREATE TRIGGER summary_split_ad AFTER DELETE ON tx_splits BEGIN {_split('old')} END",
    f"CREATE TRIGGER summary_split_au AFTER UPDATE ON tx_splits BEGIN {_split('old')} {_split('new')} END",
)


# The triggers on the transactions table, by name: a bulk import drops them for its write (their
# mere presence costs a third of an upsert's speed) and marks the months itself (mark_everything).
ROW_TRIGGERS = {sql.split()[2]: sql for sql in TRIGGERS if " ON transactions " in sql}


def create(db: sqlite_utils.Database) -> None:
    """The schema step: the tables, the triggers, and every month there is marked stale."""
    for sql in (
        """CREATE TABLE report_months (
            month TEXT NOT NULL, category_id INTEGER NOT NULL, currency TEXT NOT NULL, money_in INTEGER NOT NULL,
            total INTEGER NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY (month, category_id, currency, money_in)
        ) WITHOUT ROWID""",
        """CREATE TABLE balance_months (
            month TEXT NOT NULL, account_id INTEGER NOT NULL, currency TEXT NOT NULL, total INTEGER NOT NULL,
            PRIMARY KEY (account_id, currency, month)
        ) WITHOUT ROWID""",
        *(f"CREATE TABLE {table} (month TEXT PRIMARY KEY) WITHOUT ROWID" for table in STALE.values()),
        *TRIGGERS,
        *(f"INSERT INTO {table} SELECT DISTINCT substr(date, 1, 7) FROM transactions" for table in STALE.values()),
    ):
        db.execute(sql)


def stale_months(conn: Any, which: str, low: str, high: str) -> list[str]:
    """The stale months of summary `which` (report, balance) from `low` to `high` (YYYY-MM, inclusive)."""
    rows = conn.execute(f"SELECT month FROM {STALE[which]} WHERE month BETWEEN ? AND ? ORDER BY 1", (low, high))
    return [str(r[0]) for r in rows.fetchall()]


def replace_report_month(conn: Any, month: str, report: list[tuple[int, str, int, int]]) -> None:
    """Put a month's freshly computed report sums in place and mark it fresh (inside the caller's write).

    `report`: (category id, currency, sum, count) rows, any number per direction (they are added up).
    """
    merged: dict[tuple[int, str, int], list[int]] = {}
    for category_id, currency, total, count in report:
        slot = merged.setdefault((category_id, currency, int(total > 0)), [0, 0])
        slot[0] += total
        slot[1] += count
    conn.execute("DELETE FROM report_months WHERE month = ?", (month,))
    conn.executemany(
        "INSERT INTO report_months VALUES (?, ?, ?, ?, ?, ?)",
        [(month, c, cur, money_in, v[0], v[1]) for (c, cur, money_in), v in merged.items()],
    )
    conn.execute("DELETE FROM report_stale WHERE month = ?", (month,))


def replace_balance_month(conn: Any, month: str, balances: list[tuple[int, str, int]]) -> None:
    """Put a month's (account id, currency, sum) rows in place and mark it fresh (inside the caller's write)."""
    conn.execute("DELETE FROM balance_months WHERE month = ?", (month,))
    conn.executemany("INSERT INTO balance_months VALUES (?, ?, ?, ?)", [(month, *b) for b in balances])
    conn.execute("DELETE FROM balance_stale WHERE month = ?", (month,))
