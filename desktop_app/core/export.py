"""Export for people who move on or keep plain-text books: CSV with categories, and a beancount journal.

Both are written oldest first and carry amounts exactly as decimal text. The beancount journal
opens every account it uses on the first day, books each transaction against its category
(``Expenses:…`` or ``Income:…``; split parts each get their posting), and writes a transfer
between two held accounts once, from the leg that leaves. A transfer whose other leg Saldo does
not hold goes to ``Equity:Transfers``. Account names keep the person's letters in any script
(see ``beancount_names``). Nothing secret is in the cache, so nothing secret is
exported.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, TextIO

from desktop_app.core.accounts import account_views
from desktop_app.core.beancount_names import UNCATEGORISED, account_names, category_names
from desktop_app.core.categories import categories
from desktop_app.core.money import Money
from desktop_app.core.store import Store

CSV_COLUMNS = (
    "id",
    "date",
    "account",
    "status",
    "amount",
    "currency",
    "counterparty",
    "payee",
    "description",
    "category",
    "category_source",
    "tags",
    "transfer_with",
)
_PAGE = 5000


def _rows(store: Store) -> Iterator[dict[str, Any]]:
    """Every transaction oldest first, with its tags, read a page at a time."""
    after = ("", 0)
    while True:
        page = store._read(
            "SELECT t.id, t.date, t.account_id, t.status, t.withdrawn_at, t.amount_minor, t.currency, t.counterparty, "
            "t.payee, t.description, t.category_id, t.category_source, t.transfer_id, "
            "(SELECT group_concat(g.name, ';') FROM tx_tags x JOIN tags g ON g.id = x.tag_id "
            " WHERE x.transaction_id = t.id) AS tags "
            "FROM transactions t WHERE (t.date, t.id) > (?, ?) ORDER BY t.date, t.id LIMIT ?",
            (*after, _PAGE),
        )
        for r in page:
            yield dict(r)
        if len(page) < _PAGE:
            return
        after = (page[-1]["date"], page[-1]["id"])


def _splits(store: Store, tx_id: int) -> list[tuple[int, int]]:
    return [
        (int(r[0]), int(r[1]))
        for r in store._read(
            "SELECT category_id, amount_minor FROM tx_splits WHERE transaction_id = ? ORDER BY position", (tx_id,)
        )
    ]


def write_csv(store: Store, out: TextIO) -> int:
    """Every transaction with its category (split parts as 'Name=amount'), tags and transfer leg."""
    names = {c.id: c.path for c in categories(store)}
    accounts = {a.id: a.name for a in account_views(store, include_hidden=True)}
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    count = 0
    for r in _rows(store):
        if r["category_source"] == "split":
            category = "; ".join(
                f"{names.get(cid, cid)}={Money.from_minor(minor, r['currency']).normalized()}"
                for cid, minor in _splits(store, r["id"])
            )
        else:
            category = names.get(r["category_id"], "") if r["category_id"] else ""
        writer.writerow(
            {
                "id": r["id"],
                "date": r["date"],
                "account": accounts.get(r["account_id"], r["account_id"]),
                "status": "withdrawn" if r["withdrawn_at"] else r["status"],
                "amount": str(Money.from_minor(r["amount_minor"], r["currency"]).normalized()),
                "currency": r["currency"],
                "counterparty": r["counterparty"] or "",
                "payee": r["payee"] or "",
                "description": r["description"],
                "category": category,
                "category_source": r["category_source"] or "",
                "tags": r["tags"] or "",
                "transfer_with": "" if r["transfer_id"] is None else r["transfer_id"],
            }
        )
        count += 1
    return count


def _quote(text: str | None) -> str:
    return '"' + (text or "").replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_beancount(store: Store, out: TextIO) -> int:
    """A beancount journal of every booked, not withdrawn transaction. Returns how many it wrote."""
    names = category_names(categories(store))
    ledger = account_names(account_views(store, include_hidden=True))

    def category_account(category_id: int | None, minor: int) -> str:
        return names.get(category_id or -1) or UNCATEGORISED["expense" if minor < 0 else "income"]

    body: list[str] = []
    used: set[str] = set(ledger.values())
    first = "9999-12-31"
    count = 0
    for r in _rows(store):
        if r["status"] != "booked" or r["withdrawn_at"]:
            continue
        minor, currency, own = r["amount_minor"], r["currency"], ledger[r["account_id"]]
        if r["transfer_id"] and minor > 0:
            continue  # written once, from the leg that leaves
        first = min(first, r["date"])
        lines = [
            f"{r['date']} * {_quote(r['payee'] or r['counterparty'])} {_quote(r['description'])}",
            f"  {own}  {Money.from_minor(minor, currency).normalized()} {currency}",
        ]
        if r["transfer_id"] is not None:
            other = store._read("SELECT account_id FROM transactions WHERE id = ?", (r["transfer_id"],))
            target = ledger[other[0][0]] if other else "Equity:Transfers"
            lines.append(f"  {target}  {Money.from_minor(-minor, currency).normalized()} {currency}")
            used.add(target)
        else:
            parts = _splits(store, r["id"]) if r["category_source"] == "split" else [(r["category_id"], minor)]
            for category_id, part in parts:
                target = category_account(category_id, part)
                used.add(target)
                lines.append(f"  {target}  {Money.from_minor(-part, currency).normalized()} {currency}")
        body.append("\n".join(lines) + "\n")
        count += 1
    out.write("; Exported by Saldo\n\n")
    opened = first if count else "1970-01-01"
    for name in sorted(used):
        out.write(f"{opened} open {name}\n")
    out.write("\n" + "\n".join(body))
    return count
