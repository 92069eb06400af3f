"""Importing statement files into the cache: choose the account, dedupe, store, reconcile.

One file is one database transaction: every entry and balance of it is stored, or nothing
is (a dry run does the same work and rolls it back). The account is the one chosen, a new
one, or the one this file's institution/account id (or IBAN) was matched to before.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TypedDict, Unpack

from desktop_app.core.collector import collection_paused
from desktop_app.core.errors import StatementError
from desktop_app.core.imports import dedupe
from desktop_app.core.imports.csvfile import PRESETS, CsvMapping
from desktop_app.core.imports.detect import detect
from desktop_app.core.imports.reader import ParsedFile, ReadOptions, import_digest, read_bytes
from desktop_app.core.imports.records import Entry, Statement, let_go, to_money
from desktop_app.core.imports.text import read_bytes as read_file_bytes
from desktop_app.core.models import Account, BalanceKind, BalanceSnapshot, TransactionStatus
from desktop_app.core.money import Money, exponent
from desktop_app.core.rules_engine import ASIDE_FROM_ROWS, categorise_new, last_transaction_id
from desktop_app.core.store import Store
from desktop_app.core.store.checkpoints import checkpoints_aside
from desktop_app.core.store.imports import ImportStore, ImportTx


class ImportCancelled(StatementError):
    """The person cancelled; nothing of the file was stored."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a file goes: an existing account, a new one, or (neither) the one it matches."""

    account_id: int | None = None
    new_name: str | None = None
    currency: str | None = None


@dataclass(slots=True)
class AccountResult:
    account_id: int
    account_name: str
    created: bool = False
    added: int = 0
    present: int = 0
    deleted: int = 0
    fuzzy: int = 0
    pending: int = 0  # of the file's entries, how many the bank lists as pending
    closing: list[BalanceSnapshot] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # the account's first entries as they will be stored ("new") or not ("present"): a preview
    preview: list[tuple[Entry, str]] = field(default_factory=list)


@dataclass(slots=True)
class ImportResult:
    file: str
    format: str
    dry_run: bool
    accounts: list[AccountResult] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(a.added for a in self.accounts)

    @property
    def present(self) -> int:
        return sum(a.present for a in self.accounts)

    @property
    def warnings(self) -> list[str]:
        return [w for a in self.accounts for w in a.warnings]


class RunControls(TypedDict, total=False):
    dry_run: bool
    cancel: threading.Event | None
    progress: Callable[[int, int], None] | None


_ANY = Target()
_DEFAULTS = ReadOptions()


def resolve_mapping(name: str) -> CsvMapping:
    """A preset by name, or a mapping saved as a JSON file."""
    if name in PRESETS:
        return PRESETS[name]
    path = Path(name)
    if path.suffix.lower() == ".json" and path.is_file():
        return CsvMapping.from_json(path.read_text(encoding="utf-8"))
    raise StatementError(f"no CSV mapping {name!r} (presets: {', '.join(sorted(PRESETS))}, or a .json file)")


class Importer:
    """Imports statement files into a Store. Run it off the UI thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.imports = ImportStore(store)

    def read(self, path: Path, target: Target = _ANY, options: ReadOptions = _DEFAULTS) -> ParsedFile:
        """Read and parse a file, filling in what QIF and CSV need from the target account."""
        data = read_file_bytes(path)
        return read_bytes(data, path.name, self._options(target, options))

    def _options(self, target: Target, options: ReadOptions) -> ReadOptions:
        currency, mapping = options.currency or target.currency, options.csv_mapping
        if target.account_id is not None:
            with self.imports.transaction(dry_run=True) as tx:
                account = _existing(tx, target.account_id)
                saved = tx.csv_mapping(target.account_id)
            currency = currency or account.currency
            if mapping is None and saved is not None:
                mapping = CsvMapping.from_json(saved)
        return ReadOptions(options.format, mapping, options.date_order, currency, options.account_id)

    def import_file(
        self, path: Path, target: Target = _ANY, options: ReadOptions = _DEFAULTS, **run: Unpack[RunControls]
    ) -> ImportResult:
        """Read, match and store one file (see ``import_parsed`` for `run`: dry_run, cancel, progress)."""
        # A file's entries are ~10 objects each, all alive until the file is stored and none in
        # a cycle: the collector would walk them again and again (a quarter of the time at 100k).
        with collection_paused():
            return self._import_file(path, target, options, **run)

    def _import_file(
        self, path: Path, target: Target, options: ReadOptions, **run: Unpack[RunControls]
    ) -> ImportResult:
        data = read_file_bytes(path)
        resolved = self._options(target, options)
        fmt = resolved.format if resolved.format != "auto" else detect(data)
        digest = import_digest(data, fmt, resolved) if fmt is not None else None
        known = self._seen_before(digest, fmt, path.name, target, run.get("dry_run", False))
        if known is not None:
            return known
        parsed = read_bytes(data, path.name, resolved, digest)  # the format read_bytes picks is `fmt`
        del data  # a large file's bytes are not needed while the entries are stored
        try:
            return self.import_parsed(parsed, target, resolved, **run)
        finally:
            release(parsed)

    def _seen_before(
        self, digest: str | None, fmt: str | None, name: str, target: Target, dry_run: bool
    ) -> ImportResult | None:
        """The same bytes, read the same way, imported before into the same account(s): nothing to do.

        Re-importing a file is common (a download folder imported again); recognising it by
        its SHA-256 answers at once instead of reading and matching every entry again.
        """
        if target.new_name or digest is None or fmt is None:
            return None
        earlier = self.imports.previous_import(digest)
        if not earlier or (target.account_id is not None and {target.account_id} != {e[0] for e in earlier}):
            return None
        result = ImportResult(name, fmt, dry_run)
        for account_id, account_name, entries, when in earlier:
            item = AccountResult(account_id, account_name, present=entries)
            item.warnings.append(f"this very file was imported on {when[:10]}; nothing in it is new")
            result.accounts.append(item)
        return result

    def import_parsed(
        self,
        parsed: ParsedFile,
        target: Target = _ANY,
        options: ReadOptions = _DEFAULTS,
        *,
        dry_run: bool = False,
        cancel: threading.Event | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportResult:
        """Store a parsed file in one transaction (rolled back for a dry run or on any error)."""
        result = ImportResult(parsed.name, parsed.format, dry_run)
        total = parsed.entry_count
        before = last_transaction_id(self.store)
        # a large file's commit would also copy the whole log back into the file (60 ms at 100k
        # entries): another connection does that while the rules and pairing run
        with checkpoints_aside(self.store, total >= ASIDE_FROM_ROWS and not dry_run) as committed:
            try:
                with self.imports.transaction(dry_run=dry_run) as tx:
                    self._store_file(tx, parsed, target, options, result, cancel, progress)
            except StatementError as exc:
                raise exc.located(parsed.name) from None
            committed()
            if not dry_run:
                categorise_new(self.store, before)  # the person's rules, the bank's hints, transfer pairs
        return result

    def _store_file(
        self,
        tx: ImportTx,
        parsed: ParsedFile,
        target: Target,
        options: ReadOptions,
        result: ImportResult,
        cancel: threading.Event | None,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        total, done = parsed.entry_count, 0
        accounts = self._accounts(tx, parsed, target)
        inserted: set[str] = set()
        for statement, (account, created) in zip(parsed.statements, accounts, strict=True):
            if cancel is not None and cancel.is_set():
                raise ImportCancelled("cancelled; nothing from this file was stored")
            item = _result_for(result, account, created)
            self._statement(tx, parsed, statement, account, item, inserted)
            done += len(statement.entries)
            if progress is not None:
                progress(done, total)
        for item in result.accounts:
            tx.record_import(
                item.account_id,
                parsed.name,
                parsed.digest,
                parsed.format,
                item.added,
                item.present,
                "\n".join(item.warnings),
            )
            if parsed.format == "csv" and options.csv_mapping is not None:
                tx.save_csv_mapping(item.account_id, options.csv_mapping.to_json())

    # -- accounts ------------------------------------------------------------------------

    def _accounts(self, tx: ImportTx, parsed: ParsedFile, target: Target) -> list[tuple[Account, bool]]:
        keys = {s.account.source_key for s in parsed.statements if s.account.account_id}
        if (target.account_id is not None or target.new_name) and len(keys) > 1:
            raise StatementError(
                f"the file holds {len(keys)} accounts; import it without choosing one so each goes to its own"
            )
        chosen: dict[str, tuple[Account, bool]] = {}
        found: list[tuple[Account, bool]] = []
        for statement in parsed.statements:
            key = statement.account.source_key
            if key not in chosen:
                chosen[key] = self._account_for(tx, statement, target)
                account = chosen[key][0]
                assert account.id is not None
                if statement.account.account_id:
                    tx.remember_source(key, account.id)
            account, created = chosen[key]
            if statement.account.currency and statement.account.currency != account.currency:
                raise StatementError(
                    f"the statement is in {statement.account.currency} but account {account.name!r} "
                    f"is in {account.currency}"
                )
            found.append((account, created))
        return found

    def _account_for(self, tx: ImportTx, statement: Statement, target: Target) -> tuple[Account, bool]:
        info = statement.account
        if target.account_id is not None:
            return _existing(tx, target.account_id), False
        if not target.new_name:
            known = tx.account_for_source(info.source_key) if info.account_id else None
            known = known or (tx.account_for_iban(info.iban) if info.iban else None)
            if known is not None:
                return _existing(tx, known), False
        currency = (target.currency or info.currency or "").upper()
        if not info.account_id and not target.new_name:
            raise StatementError(
                "this file does not say which account it belongs to: choose one (--account ID) "
                "or create one (--new-account NAME --currency CCY)"
            )
        if not currency:
            raise StatementError("the file names no currency: give one with --currency")
        exponent(currency)  # an unknown currency is refused here, before anything is stored
        bank = info.institution if info.institution and info.institution not in info.account_id else None
        name = target.new_name or info.name or " ".join(p for p in (bank, info.account_id) if p)
        # The file's own id is linked through import_sources; this id only has to be unique.
        account = tx.create_account(
            Account("", f"file:{uuid.uuid4().hex}", name, currency, iban=info.iban, kind=info.kind)
        )
        return account, True

    # -- one statement -------------------------------------------------------------------

    def _statement(
        self,
        tx: ImportTx,
        parsed: ParsedFile,
        statement: Statement,
        account: Account,
        item: AccountResult,
        inserted: set[str],
    ) -> None:
        assert account.id is not None
        for entry in statement.entries:
            if entry.currency != account.currency:
                raise StatementError(
                    f"an entry is in {entry.currency} but the account is in {account.currency}",
                    line=entry.line,
                )
        planned = dedupe.plan(tx, account, statement.entries, parsed.format, inserted)
        added = tx.insert(account.id, planned.new, parsed.format)
        inserted.update(key for key, _entry in planned.new)
        item.added += added
        item.present += planned.present
        item.deleted += planned.deleted
        item.fuzzy += planned.fuzzy
        item.pending += sum(1 for e in statement.entries if e.status is TransactionStatus.PENDING)
        room = PREVIEW_ENTRIES - len(item.preview)
        if room > 0:
            item.preview.extend(zip(statement.entries[:room], planned.marks[:room], strict=True))
        item.warnings.extend(w for w in statement.warnings if w not in item.warnings)
        mismatch = reconcile(statement, account.currency)
        if mismatch:
            item.warnings.append(mismatch)
        item.closing.extend(self._balances(tx, statement, account))

    @staticmethod
    def _balances(tx: ImportTx, statement: Statement, account: Account) -> list[BalanceSnapshot]:
        """Record the statement's closing balances; returns the booked one (if any)."""
        assert account.id is not None
        booked: list[BalanceSnapshot] = []
        last_day = max((e.day for e in statement.entries), default=None)
        for kind, balance in (
            (BalanceKind.BOOKED, statement.closing),
            (BalanceKind.AVAILABLE, statement.closing_available),
        ):
            day = balance.day if balance is not None and balance.day else last_day
            if balance is None or day is None:
                continue
            amount = to_money(balance.amount, account.currency)
            snapshot = BalanceSnapshot(account.id, kind, amount, datetime.combine(day, time(23, 59, 59), UTC))
            tx.add_balance(snapshot)
            if kind is BalanceKind.BOOKED:
                booked.append(snapshot)
        return booked


def reconcile(statement: Statement, currency: str) -> str | None:
    """A warning when the entries do not take the opening balance to the closing one."""
    if statement.opening is None or statement.closing is None:
        return None
    minor = sum(e.minor for e in statement.entries if e.status is TransactionStatus.BOOKED)
    booked = Money.from_minor(minor, currency).amount
    moved = statement.closing.amount - statement.opening.amount
    if moved == booked:
        return None
    off = Money(moved - booked, currency)
    when = f" ending {statement.closing.day.isoformat()}" if statement.closing.day else ""
    return (
        f"the statement{when} does not reconcile: its entries add up to {Money(booked, currency)} but the "
        f"balance moved by {Money(moved, currency)} (off by {off})"
    )


PREVIEW_ENTRIES = 50  # entries per account an ImportResult keeps for a preview (the rest are let go)


def release(parsed: ParsedFile) -> None:
    """Let go of a file's entries without freezing the window (``let_go``)."""
    for statement in parsed.statements:
        let_go(statement.entries)


def _existing(tx: ImportTx, account_id: int) -> Account:
    account = tx.account(account_id)
    if account is None:
        raise StatementError(f"there is no account {account_id} (saldo accounts lists them)")
    return account


def _result_for(result: ImportResult, account: Account, created: bool) -> AccountResult:
    assert account.id is not None
    for item in result.accounts:
        if item.account_id == account.id:
            return item
    item = AccountResult(account.id, account.name, created)
    result.accounts.append(item)
    return item
