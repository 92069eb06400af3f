"""Per-month sums kept beside the transactions, so reports over years read hundreds of rows, not millions.

Two summaries, both of booked, not withdrawn transactions:

* ``report_months``: per month, category (0: none), currency and direction (money in or out),
  the sum and count of what reports count: no transfers; a split transaction by its parts.
* ``balance_months``: per month, account and currency, the sum of every movement (transfers
  included): what net worth adds up.

They are never updated row by row: triggers only write down the month a change touched (in
``summary_stale``), which costs next to nothing even when a rule run rewrites a million rows.
A reader recomputes the stale months it needs, one short write per month, from the rows
themselves. So every writer (sync, import, rules, edits, deletions) keeps them right without
knowing they exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

MONTH = "substr({p}.date, 1, 7)"
# What a change must touch to matter to a summary (the UPDATE OF list and the WHEN test agree).
_WATCHED = "date, status, withdrawn_at, amount_minor, currency, account_id, category_id, category_source, transfer_id"
_CHANGED = "({old}) IS NOT ({new})".format(
    old=", ".join(f"old.{c}" for c in _WATCHED.split(", ")), new=", ".join(f"new.{c}" for c in _WATCHED.split(", "))
)


def _mark(month: str, where: str = "WHERE true") -> str:
    # An upsert, not INSERT OR IGNORE: an outer upsert's conflict policy would override OR IGNORE.
    # (An upsert's SELECT needs a WHERE clause, if only WHERE true, to parse.)
    return f"INSERT INTO summary_stale (month) SELECT {month} {where} ON CONFLICT (month) DO NOTHING;"


def _split(row: str) -> str:
    return _mark("substr(date, 1, 7)", f"FROM transactions WHERE id = {row}.transaction_id")


def mark_ids(conn: Any, low: int, high: int) -> None:
    """Mark the months of transactions low…high stale (inside the caller's write)."""
    conn.execute(
        "INSERT INTO summary_stale (month) SELECT DISTINCT substr(date, 1, 7) FROM transactions "
        "WHERE id BETWEEN ? AND ? ON CONFLICT (month) DO NOTHING",
        (low, high),
    )


TRIGGERS = (
    f"CREATE TRIGGER summary_tx_ai AFTER INSERT ON transactions BEGIN {_mark('substr(new.date, 1, 7)')} END",
    f"CREATE TRIGGER summary_tx_ad AFTER DELETE ON transactions BEGIN {_mark('substr(old.date, 1, 7)')} END",
    # A rule run (the only writer that sets rule_id) marks its months itself, once per batch
    # (``mark_ids``): a trigger firing for each of a million rows would add a third to its time.
    f"CREATE TRIGGER summary_tx_au AFTER UPDATE OF {_WATCHED} ON transactions WHEN {_CHANGED} "
    "AND NOT (new.rule_id IS NOT NULL AND new.rule_id IS NOT old.rule_id) "
    f"BEGIN {_mark('substr(old.date, 1, 7)')} {_mark('substr(new.date, 1, 7)')} END",
    f"CREATE TRIGGER summary_split_ai AFTER INSERT ON tx_splits BEGIN {_split('new')} END",
    f"CREATE TRIGGER summary_split_ad AFTER DELETE ON tx_splits BEGIN {_split('old')} END",
    f"CREATE TRIGGER summary_split_au AFTER UPDATE ON tx_splits BEGIN {_split('old')} {_split('new')} END",
)


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
        "CREATE TABLE summary_stale (month TEXT PRIMARY KEY) WITHOUT ROWID",
        *TRIGGERS,
        "INSERT INTO summary_stale SELECT DISTINCT substr(date, 1, 7) FROM transactions",
    ):
        db.execute(sql)


def stale_months(conn: Any, low: str, high: str) -> list[str]:
    """The stale months from `low` to `high` (YYYY-MM, inclusive)."""
    rows = conn.execute("SELECT month FROM summary_stale WHERE month BETWEEN ? AND ? ORDER BY 1", (low, high))
    return [str(r[0]) for r in rows.fetchall()]


def replace_month(
    conn: Any, month: str, report: list[tuple[int, str, int, int]], balances: list[tuple[int, str, int]]
) -> None:
    """Put a month's freshly computed sums in place and mark it fresh (inside the caller's write).

    `report`: (category id, currency, sum, count) rows, any number per direction (they are
    added up); `balances`: (account id, currency, sum).
    """
    merged: dict[tuple[int, str, int], list[int]] = {}
    for category_id, currency, total, count in report:
        slot = merged.setdefault((category_id, currency, int(total > 0)), [0, 0])
        slot[0] += total
        slot[1] += count
    conn.execute("DELETE FROM report_months WHERE month = ?", (month,))
    conn.execute("DELETE FROM balance_months WHERE month = ?", (month,))
    conn.executemany(
        "INSERT INTO report_months VALUES (?, ?, ?, ?, ?, ?)",
        [(month, c, cur, money_in, v[0], v[1]) for (c, cur, money_in), v in merged.items()],
    )
    conn.executemany("INSERT INTO balance_months VALUES (?, ?, ?, ?)", [(month, *b) for b in balances])
    conn.execute("DELETE FROM summary_stale WHERE month = ?", (month,))
