"""Enable Banking (PSD2 aggregator, ~2,500 European banks): API authorisation and the data API.

From Enable Banking's API reference (api.enablebanking.com), in short:

* Every call carries ``Authorization: Bearer <JWT>``: RS256 (the only algorithm), header
  ``kid`` = the application id, claims ``iss: enablebanking.com``, ``aud: api.enablebanking.com``,
  ``iat`` and ``exp`` (at most 24 hours later). The key is the person's own application key.
* ``GET /sessions/{id}`` lists the session's accounts (``accounts_data``: ``uid`` and
  ``identification_hash``). A ``uid`` lives as long as the session; the identification hash
  stays across sessions, so accounts are keyed on it and re-consent keeps their history.
* ``GET /accounts/{uid}/details``, ``/balances`` and ``/transactions`` (``date_from``,
  ``transaction_status``, ``continuation_key``: ask again until it is null). Amounts are unsigned
  decimal strings with ``credit_debit_indicator`` CRDT/DBIT.
* Booked rows are read by default and pending rows apart (``BOOK`` and ``PDNG``). Some banks
  change ``entry_reference`` between pending and booked, and one bank's reference is positional
  (``YYYY-MM-DD-N``), so the reference is never the key: rows are matched by a fingerprint of
  day, amount and text (the sync engine's, with its occurrence index and pending↔booked twins).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from desktop_app.core.api import ApiClient
from desktop_app.core.errors import AppKeyError, MalformedResponse
from desktop_app.core.models import BalanceKind, TransactionStatus, raw_json
from desktop_app.core.money import Money
from desktop_app.core.providers.base import (
    Problem,
    RecordError,
    RemoteAccount,
    RemoteBalance,
    RemoteTransaction,
    TxPage,
    as_list,
    day,
    money,
    need,
    optional_day,
    text,
)

NAME = "Enable Banking"
API = "https://api.enablebanking.com"
JWT_LIFETIME = 3600  # seconds; the API refuses more than 86,400
_BOOKED = ("CLBD", "ITBD", "OPBD", "PRCD", "XPCD")
_AVAILABLE = ("CLAV", "ITAV", "OPAV", "FWAV")


def load_app_key(pem: bytes | str) -> RSAKey:
    """The application's RSA private key from its PEM file, or AppKeyError."""
    try:
        key = RSAKey.import_key(pem)
    except (JoseError, ValueError, TypeError):
        raise AppKeyError.unreadable() from None
    if not key.is_private:
        raise AppKeyError.unreadable()
    return key


class AppToken:
    """The API's bearer token: a fresh RS256 JWT, remade a few minutes before it lapses."""

    def __init__(
        self,
        app_id: str,
        pem: str,
        clock: Callable[[], float] = time.time,
        on_new: Callable[[str], None] | None = None,
    ) -> None:
        self._app_id = app_id
        self._on_new = on_new  # hears every new JWT (the log redactor), so none is ever logged
        self._key = load_app_key(pem)
        self._clock = clock
        self._lock = threading.Lock()
        self._token = ""
        self._until = 0.0

    def make(self) -> str:
        now = int(self._clock())
        header = {"typ": "JWT", "alg": "RS256", "kid": self._app_id}
        claims = {"iss": "enablebanking.com", "aud": "api.enablebanking.com", "iat": now, "exp": now + JWT_LIFETIME}
        return jwt.encode(header, claims, self._key, algorithms=["RS256"])

    def access_token(self) -> str:
        with self._lock:
            if self._clock() >= self._until:
                self._token = self.make()
                if self._on_new is not None:
                    self._on_new(self._token)
                self._until = self._clock() + JWT_LIFETIME - 300
            return self._token

    def after_unauthorized(self, rejected: str) -> bool:
        return False  # a refused JWT is a wrong app id or key (or a lapsed session): nothing to renew

    def __repr__(self) -> str:
        return f"AppToken(app_id={self._app_id!r}, key=<in the keyring>)"


@dataclass
class EnableBankingAdapter:
    """Reads one session's accounts; made for every sync (it knows the session)."""

    session_id: str
    pending: bool = True  # pending rows are fetched apart and stored as pending
    name: str = NAME

    def accounts(self, api: ApiClient) -> list[RemoteAccount]:
        body = api.get(f"/sessions/{quote(self.session_id, safe='')}")
        found = []
        for record in as_list(body, "accounts_data", "its accounts", NAME):
            try:
                uid, ident = str(need(record, "uid")), str(need(record, "identification_hash"))
            except (RecordError, AttributeError):
                continue  # a blocked account comes without a uid: nothing to read
            details = api.get(f"/accounts/{quote(uid, safe='')}/details")
            if not isinstance(details, Mapping):
                raise MalformedResponse(f"{NAME} sent account details Saldo cannot read.", NAME)
            try:
                currency = str(need(details, "currency")).upper()
            except RecordError as exc:
                raise MalformedResponse(f"{NAME} sent an account Saldo cannot read: {exc}", NAME) from None
            found.append(
                RemoteAccount(
                    provider_account_id=ident,
                    name=text(details, "name", "product", "details") or "Account",
                    currency=currency,
                    iban=text(details, "account_id.iban"),
                    kind=text(details, "cash_account_type"),
                    handle={"uid": uid},
                )
            )
        return found

    def balances(self, api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]:
        body = api.get(f"/accounts/{quote(account.handle['uid'], safe='')}/balances")
        out: dict[BalanceKind, RemoteBalance] = {}
        for record in body.get("balances", []) if isinstance(body, Mapping) else []:
            kind_code = str(record.get("balance_type", "")) if isinstance(record, Mapping) else ""
            kind = (
                BalanceKind.BOOKED
                if kind_code in _BOOKED
                else BalanceKind.AVAILABLE
                if kind_code in _AVAILABLE
                else None
            )
            if kind is None or kind in out:
                continue
            try:
                amount = money(text(record, "balance_amount.amount"), account.currency)
            except RecordError:
                continue
            out[kind] = RemoteBalance(kind, amount)
        return list(out.values())

    def transactions(self, api: ApiClient, account: RemoteAccount, since: date | None) -> Iterator[TxPage]:
        statuses = ("BOOK", "PDNG") if self.pending else ("BOOK",)
        for status in statuses:
            key: str | None = None
            while True:
                params: dict[str, Any] = {"transaction_status": status}
                if since is not None:
                    params["date_from"] = since.isoformat()
                if key:
                    params["continuation_key"] = key
                body = api.get(f"/accounts/{quote(account.handle['uid'], safe='')}/transactions", params)
                page = TxPage([])
                for record in as_list(body, "transactions", "its transactions", NAME):
                    try:
                        page.transactions.append(_transaction(record, account.currency, status))
                    except (RecordError, AttributeError, TypeError) as exc:
                        page.problems.append(
                            Problem(f"unreadable record: {exc}", str(record.get("entry_reference", "")))
                        )
                yield page
                nxt = body.get("continuation_key") if isinstance(body, Mapping) else None
                if not nxt or nxt == key:
                    break
                key = str(nxt)


def _transaction(record: Mapping[str, Any], currency: str, status: str) -> RemoteTransaction:
    amount = money(text(record, "transaction_amount.amount"), text(record, "transaction_amount.currency") or currency)
    indicator = str(need(record, "credit_debit_indicator"))
    if indicator not in ("CRDT", "DBIT"):
        raise RecordError(f"unknown credit_debit_indicator {indicator[:10]!r}")
    if indicator == "DBIT":  # amounts come unsigned; the indicator says which way the money went
        amount = Money(-abs(amount.amount), amount.currency)
    remittance = record.get("remittance_information")
    lines = [str(x) for x in remittance] if isinstance(remittance, list) else []
    party = "creditor.name" if indicator == "DBIT" else "debtor.name"
    when = record.get("booking_date") or record.get("transaction_date") or record.get("value_date")
    return RemoteTransaction(
        status=TransactionStatus.BOOKED if status == "BOOK" else TransactionStatus.PENDING,
        booking_date=day(when),
        amount=amount,
        description=" ".join(" ".join(lines).split()) or text(record, "note") or "",
        raw=raw_json(record),
        provider_id=None,  # never the entry reference: it changes at booking, and can be positional
        counterparty=text(record, party),
        value_date=optional_day(record.get("value_date")),
    )
