"""Deciding, entry by entry, whether a statement's transaction is already in the cache.

The keys are the sync engine's: ``id:<bank reference>`` when the file gives one, otherwise
the versioned fingerprint of (account, day, amount, text, occurrence), with a ``p`` prefix
for pending rows. On top of that:

* a bank that reuses a reference for a different transaction (other amount or day) does not
  lose it: the entry takes the next free slot ``id:<ref>#1``, ``#2`` …, and a later import of
  either one finds its own slot again;
* identical entries inside one statement are distinct (two coffees), while the same entry
  in two statements of one file (overlapping periods) is one;
* what exact keys do not find is matched against rows from elsewhere (a provider sync, or a
  file of another format) by amount, a day within ``WINDOW_DAYS`` and shared words or the
  same day. Rows from the same format are never matched this way: their keys are authoritative.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from desktop_app.core.imports.records import Entry
from desktop_app.core.models import Account, Transaction, TransactionStatus, fingerprint
from desktop_app.core.store import Store
from desktop_app.core.store.imports import ImportStore, ImportTx, StoredRow

WINDOW_DAYS = 3
_WORD = re.compile(r"[^\W\d_]{3,}|\d{4,}")


@dataclass(slots=True)
class Plan:
    """What importing one statement will do. `marks` says "new" or "present" per entry.

    `new` pairs each entry to store with the dedupe key chosen for it.
    """

    new: list[tuple[str, Entry]] = field(default_factory=list)
    present: int = 0
    deleted: int = 0  # entries the person had deleted (tombstoned): they stay deleted
    fuzzy: int = 0  # of `present`, found by amount, day and text rather than by key
    marks: list[str] = field(default_factory=list)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _same(row: StoredRow, entry: Entry) -> bool:
    return row.amount_minor == entry.minor and row.day == entry.day


def plan(tx: ImportTx, account: Account, entries: list[Entry], source: str, inserted: set[str]) -> Plan:
    """Match `entries` against the cache; `inserted` holds keys this import already added."""
    assert account.id is not None
    if tx.is_blank(account.id):
        return first_plan(account, entries)
    return matched_plan(tx, account, entries, source, inserted)


def first_plan(account: Account, entries: list[Entry]) -> Plan:
    """The plan for an account that holds no rows and no tombstones (a first import): every
    entry is new, under the key `matched_plan` would give it, with nothing to look up."""
    result = Plan(marks=["new"] * len(entries))
    taken: set[str] = set()
    occurrences: Counter[tuple[object, ...]] = Counter()
    for entry in entries:
        if entry.bank_ref:
            key = "id:" + entry.bank_ref  # Transaction.key_for_id
            if key in taken:
                key = _next_slot(key, taken)
        else:
            key = _fingerprint(account, entry, occurrences)
        taken.add(key)
        result.new.append((key, entry))
    return result


def _fingerprint(account: Account, entry: Entry, occurrences: Counter[tuple[object, ...]]) -> str:
    t = entry.tx
    ident = (t.status, t.booking_date, t.amount, " ".join(t.description.split()).casefold())
    occurrences[ident] += 1
    key = fingerprint(account.provider_account_id, t.booking_date, t.amount, t.description, occurrences[ident] - 1)
    return "p" + key if t.status is TransactionStatus.PENDING else key


def _next_slot(base: str, used: set[str]) -> str:
    n = 1
    while f"{base}#{n}" in used:
        n += 1
    return f"{base}#{n}"


def matched_plan(tx: ImportTx, account: Account, entries: list[Entry], source: str, inserted: set[str]) -> Plan:
    """The plan for entries matched against what the account already holds."""
    assert account.id is not None
    account_id = account.id
    result = Plan(marks=[""] * len(entries))
    keys: list[str] = [""] * len(entries)
    by_ref: dict[str, list[int]] = defaultdict(list)
    occurrences: Counter[tuple[object, ...]] = Counter()
    for i, entry in enumerate(entries):
        if entry.bank_ref:
            by_ref["id:" + entry.bank_ref].append(i)  # Transaction.key_for_id
            continue
        keys[i] = _fingerprint(account, entry, occurrences)
    existing = tx.rows_by_key(account_id, [k for k in keys if k] + list(by_ref))
    tombstones = tx.tombstoned(account_id)
    taken = set(existing) | tombstones
    unresolved: list[int] = []
    for i, key in enumerate(keys):
        if not key:
            continue
        if key in taken:
            _present(result, i, key in tombstones)
        else:
            unresolved.append(i)
    claimed: set[str] = set()
    for base, indexes in by_ref.items():
        if len(indexes) == 1 and base not in existing and base not in tombstones:
            unresolved.append(indexes[0])  # a reference seen nowhere before: nothing to compare
            continue
        slots = {base: existing[base]} if base in existing else {}
        if len(indexes) > 1 or (base in existing and not _same(existing[base], entries[indexes[0]])):
            slots.update(tx.rows_with_prefix(account_id, base + "#"))
        for i in indexes:
            slot = next(
                (
                    k
                    for k in _ordered(base, slots, tombstones)
                    if k not in claimed and (k in tombstones or _same(slots[k], entries[i]))
                ),
                None,
            )
            if slot is None:
                unresolved.append(i)
                continue
            claimed.add(slot)
            _present(result, i, slot in tombstones)
    if unresolved:
        unresolved.sort()
        _fuzzy(tx, account_id, entries, unresolved, source, inserted, result)
    for i in unresolved:
        if result.marks[i]:
            continue
        entry = entries[i]
        key = keys[i] or _free_slot(Transaction.key_for_id(entry.bank_ref or ""), taken, tx, account_id)
        taken.add(key)
        result.marks[i] = "new"
        result.new.append((key, entry))
    return result


def _present(result: Plan, i: int, deleted: bool) -> None:
    result.marks[i] = "present"
    result.present += 1
    result.deleted += int(deleted)


def _ordered(base: str, slots: dict[str, StoredRow], tombstones: set[str]) -> list[str]:
    def number(key: str) -> int:
        tail = key[len(base) + 1 :]
        return int(tail) if tail.isdigit() else 0

    found = [k for k in slots if k == base or k[len(base) + 1 :].isdigit()]
    found += [k for k in tombstones if k == base and k not in slots]
    return sorted(found, key=number)


def _free_slot(base: str, taken: set[str], tx: ImportTx, account_id: int) -> str:
    """`base`, or its first free ``#n`` slot. Every base key was looked up already (in `taken`)."""
    if base not in taken:
        return base
    return _next_slot(base, set(tx.rows_with_prefix(account_id, base + "#")) | taken)


def _fuzzy(
    tx: ImportTx,
    account_id: int,
    entries: list[Entry],
    unresolved: list[int],
    source: str,
    inserted: set[str],
    result: Plan,
) -> None:
    days = [entries[i].day for i in unresolved]
    window = timedelta(days=WINDOW_DAYS)
    rows = tx.rows_between(account_id, min(days) - window, max(days) + window)
    by_amount: dict[int, list[StoredRow]] = defaultdict(list)
    for row in rows.values():
        if row.import_source != source and row.key not in inserted:
            by_amount[row.amount_minor].append(row)
    if not by_amount:
        return
    used: set[str] = set()
    for i in unresolved:
        entry = entries[i]
        probe = StoredRow("", entry.day, entry.minor, f"{entry.description} {entry.counterparty or ''}", source)
        twin = _closest(probe, by_amount.get(probe.amount_minor, []), used)
        if twin is not None:
            used.add(twin.key)
            _present(result, i, False)
            result.fuzzy += 1


def absorb_imported_twins(store: Store, account_id: int, synced_keys: set[str]) -> int:
    """After a sync: delete imported rows that a row the provider just listed stands for.

    A file may have brought in days the provider had not yet been asked about; when the sync
    then lists them, the provider's row (with its own id) replaces the file's copy, found by
    the same amount/day/text rule the importer uses. Rows the sync itself wrote are never
    touched, and nothing happens for accounts that hold no imported rows.
    """
    if not synced_keys:
        return 0
    imports = ImportStore(store)
    with imports.transaction() as tx:
        if not tx.has_imported_rows(account_id):
            return 0
        synced = tx.rows_by_key(account_id, synced_keys)
        if not synced:
            return 0
        window = timedelta(days=WINDOW_DAYS)
        days = [r.day for r in synced.values()]
        nearby = tx.rows_between(account_id, min(days) - window, max(days) + window)
        by_amount: dict[int, list[StoredRow]] = defaultdict(list)
        for row in nearby.values():
            if row.import_source is not None and row.key not in synced_keys:
                by_amount[row.amount_minor].append(row)
        doomed: list[str] = []
        for row in sorted(synced.values(), key=lambda r: (r.day, r.key)):
            twin = _closest(row, by_amount.get(row.amount_minor, []), set(doomed))
            if twin is not None:
                doomed.append(twin.key)
        return tx.delete_rows(account_id, doomed)


def _closest(row: StoredRow, candidates: list[StoredRow], taken: set[str]) -> StoredRow | None:
    words = _words(row.text)
    best: tuple[int, int, str] | None = None
    found: StoredRow | None = None
    for other in candidates:
        lag = abs((other.day - row.day).days)
        if other.key in taken or lag > WINDOW_DAYS:
            continue
        shared = bool(words & _words(other.text))
        if not shared and lag:
            continue
        score = (int(not shared), lag, other.key)
        if best is None or score < best:
            best, found = score, other
    return found
