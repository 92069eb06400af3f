"""Accounts as the person shapes them: names, order, groups, types, and accounts kept by hand.

A bank names an account its own way; the person's name, group and place in the list are kept
beside the bank's fields, so a sync never undoes them. The account type decides which side of
net worth an account sits on: the balance of a credit card or a loan is money owed.

Signs. Every amount in Saldo is seen from the person's side: money out, and money owed, is
negative. Transactions are kept as the bank sends them (banks and open-banking APIs send a card
purchase or a loan's interest as money out, negative, as on any account). Balances are not as
uniform: for a card or a loan some providers report the amount owed as a positive figure and
others as a negative one. So the account type decides (``held_balance``): the reported balance
of a liability is read as what is owed, whatever its sign, and is kept as a negative amount;
an asset's balance is taken as reported. A card in credit (overpaid) therefore reads as owed;
typing such an account as checking shows it as reported.

Manual accounts (cash, a bank with no API and no file) belong to one built-in connection
``manual`` that is never synced; their transactions are typed in, edited and deleted by hand,
and a deletion keeps an undo record (see ``manual``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from desktop_app.core.errors import AccountError, MoneyError
from desktop_app.core.models import Account, Connection, ConnectionStatus
from desktop_app.core.money import Money, exponent
from desktop_app.core.store import Store
from desktop_app.core.store.driver import sqlite

MANUAL_CONNECTION = "manual"
ASSET_TYPES = ("checking", "savings", "cash", "investment", "other")
LIABILITY_TYPES = ("credit", "loan")
ACCOUNT_TYPES = ASSET_TYPES + LIABILITY_TYPES
# What a bank's own account kind usually means, for accounts the person has not typed yet.
_KIND_HINTS = {"CACC": "checking", "SVGS": "savings", "CARD": "credit", "LOAN": "loan", "CASH": "cash"}


@dataclass(frozen=True, slots=True)
class AccountView:
    id: int
    name: str  # the person's name when given, else the bank's
    bank_name: str
    currency: str
    account_type: str
    group: str | None
    position: int | None
    hidden: bool
    manual: bool

    @property
    def liability(self) -> bool:
        return self.account_type in LIABILITY_TYPES


def held_balance(account: AccountView, reported: Money) -> Money:
    """A reported balance in Saldo's sign: a liability's is what is owed, as a negative amount."""
    if account.liability and reported.minor_units > 0:
        return Money.from_minor(-reported.minor_units, reported.currency)
    return reported


def _type(row: sqlite.Row) -> str:
    if row["account_type"]:
        return str(row["account_type"])
    if row["connection_id"] == MANUAL_CONNECTION:
        return "cash"
    return _KIND_HINTS.get(str(row["kind"] or "").upper(), "checking")


def _view(row: sqlite.Row) -> AccountView:
    return AccountView(
        id=row["id"],
        name=row["display_name"] or row["name"],
        bank_name=row["name"],
        currency=row["currency"],
        account_type=_type(row),
        group=row["group_name"],
        position=row["position"],
        hidden=bool(row["hidden"]),
        manual=row["connection_id"] == MANUAL_CONNECTION,
    )


def account_views(store: Store, *, include_hidden: bool = False) -> list[AccountView]:
    """Accounts in the person's order: by group, then position, then as they were added."""
    rows = store._read(
        "SELECT * FROM accounts WHERE ? OR hidden = 0 "
        "ORDER BY group_name IS NULL, group_name, position IS NULL, position, id",
        (int(include_hidden),),
    )
    return [_view(r) for r in rows]


def get_account(store: Store, account_id: int) -> AccountView:
    rows = store._read("SELECT * FROM accounts WHERE id = ?", (account_id,))
    if not rows:
        raise AccountError(f"There is no account {account_id}.")
    return _view(rows[0])


def _set(store: Store, account_id: int, column: str, value: object) -> AccountView:
    get_account(store, account_id)
    with store._write() as conn:
        conn.execute(f"UPDATE accounts SET {column} = ? WHERE id = ?", (value, account_id))
    return get_account(store, account_id)


def rename_account(store: Store, account_id: int, name: str | None) -> AccountView:
    """Show the account under `name`; None or blank goes back to the bank's name."""
    cleaned = " ".join((name or "").split()) or None
    return _set(store, account_id, "display_name", cleaned)


def set_account_type(store: Store, account_id: int, account_type: str) -> AccountView:
    if account_type not in ACCOUNT_TYPES:
        raise AccountError(f"An account type is one of {', '.join(ACCOUNT_TYPES)}, not {account_type!r}.")
    return _set(store, account_id, "account_type", account_type)


def set_group(store: Store, account_id: int, group: str | None) -> AccountView:
    """Put the account in a group (everyday, savings, …); None or blank takes it out."""
    return _set(store, account_id, "group_name", " ".join((group or "").split()) or None)


def set_hidden(store: Store, account_id: int, hidden: bool) -> AccountView:
    return _set(store, account_id, "hidden", int(hidden))


def reorder(store: Store, account_ids: Sequence[int]) -> None:
    """Give these accounts positions 0, 1, 2, … in this order (others keep theirs)."""
    known = {int(r[0]) for r in store._read("SELECT id FROM accounts")}
    missing = [a for a in account_ids if a not in known]
    if missing:
        raise AccountError(f"There is no account {missing[0]}.")
    if len(set(account_ids)) != len(account_ids):
        raise AccountError("Each account may appear only once in the new order.")
    with store._write() as conn:
        conn.executemany("UPDATE accounts SET position = ? WHERE id = ?", list(enumerate(account_ids)))


def add_manual_account(store: Store, name: str, currency: str, account_type: str = "cash") -> AccountView:
    """Open an account kept by hand (cash, or a bank Saldo cannot reach)."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AccountError("A manual account needs a name.")
    code = currency.strip().upper()
    try:
        exponent(code)
    except MoneyError:
        raise AccountError(f"{currency!r} is not a currency code Saldo knows (ISO 4217, like EUR).") from None
    if account_type not in ACCOUNT_TYPES:
        raise AccountError(f"An account type is one of {', '.join(ACCOUNT_TYPES)}, not {account_type!r}.")
    if not store._read("SELECT 1 FROM connections WHERE id = ?", (MANUAL_CONNECTION,)):
        # Never synced: sync skips disconnected connections.
        store.save_connection(
            Connection(
                id=MANUAL_CONNECTION,
                provider=MANUAL_CONNECTION,
                label="Kept by hand",
                status=ConnectionStatus.DISCONNECTED,
                created_at=datetime.now(UTC),
            )
        )
    (saved,) = store.save_accounts(
        [
            Account(
                connection_id=MANUAL_CONNECTION,
                provider_account_id=f"manual-{uuid.uuid4().hex}",
                name=cleaned,
                currency=code,
                kind="CASH" if account_type == "cash" else None,
            )
        ]
    )
    assert saved.id is not None
    return set_account_type(store, saved.id, account_type)
