"""Aiia (Mastercard Open Finance Europe) data API: accounts and paged transactions.

What the provider documents say, in short:

* ``GET /v1/accounts`` → ``{"accounts": [...]}``; amounts are JSON numbers inside
  ``{"value", "currency"}`` objects (``booked``, ``available``); the IBAN sits in
  ``number.iban``.
* ``GET /v1/accounts/{id}/transactions`` pages with ``pagingToken``: keep asking while the
  response carries one. Each transaction has ``id``, ``date`` (the booking day), ``text``,
  ``transactionAmount`` and ``state``: ``Booked``, ``Reserved`` (pending) or ``Scheduled``.
  A transaction that changes state usually comes back under a **new id**; the sync engine's
  twin matching takes care of that.
* Debits are negative, deposits positive.

The listing has no documented date filter, so an incremental sync still pages through and
keeps what falls inside the window.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

from desktop_app.core.api import ApiClient
from desktop_app.core.errors import MalformedResponse
from desktop_app.core.models import BalanceKind, TransactionStatus, raw_json
from desktop_app.core.providers import base as read  # the field readers every adapter shares
from desktop_app.core.providers.base import (
    Problem,
    RecordError,
    RemoteAccount,
    RemoteBalance,
    RemoteTransaction,
    TxPage,
)

PAGE_SIZE = 100
_STATES = {"booked": TransactionStatus.BOOKED, "reserved": TransactionStatus.PENDING}


class AiiaAdapter:
    """Reads Aiia's /v1 data API."""

    name = "Aiia"

    def accounts(self, api: ApiClient) -> list[RemoteAccount]:
        body = api.get("/v1/accounts")
        accounts = []
        for record in read.as_list(body, "accounts", "its account list", api.provider):
            try:
                accounts.append(
                    RemoteAccount(
                        provider_account_id=str(read.need(record, "id")),
                        name=read.text(record, "name") or "Account",
                        currency=str(read.need(record, "currency")).upper(),
                        iban=read.text(record, "number.iban"),
                        kind=read.text(record, "type"),
                        owner=read.text(record, "owner"),
                        handle={"record": record},
                    )
                )
            except (RecordError, AttributeError) as exc:
                raise MalformedResponse(
                    f"{api.provider} sent an account Saldo cannot read: {exc}", api.provider
                ) from None
        return accounts

    def balances(self, api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]:
        record: Mapping[str, Any] = account.handle.get("record", {})
        when = read.moment(record.get("lastSynchronized"))
        found = []
        for key, kind in (("booked", BalanceKind.BOOKED), ("available", BalanceKind.AVAILABLE)):
            if isinstance(record.get(key), Mapping):
                try:
                    found.append(RemoteBalance(kind, read.money(record[key], account.currency), when))
                except RecordError:
                    continue
        return found

    def transactions(self, api: ApiClient, account: RemoteAccount, since: date | None) -> Iterator[TxPage]:
        path = f"/v1/accounts/{quote(account.provider_account_id, safe='')}/transactions"
        token: str | None = None
        while True:
            params: dict[str, Any] = {"pageSize": PAGE_SIZE}
            if token:
                params["pagingToken"] = token
            body = api.get(path, params)
            page = TxPage([])
            for record in read.as_list(body, "transactions", "its transactions", api.provider):
                try:
                    parsed = self._transaction(record, account.currency)
                except (RecordError, AttributeError, TypeError) as exc:
                    page.problems.append(Problem(str(exc), read.record_ref(record)))
                    continue
                if parsed is not None and (since is None or parsed.booking_date >= since):
                    page.transactions.append(parsed)
            yield page
            next_token = body.get("pagingToken") if isinstance(body, Mapping) else None
            if not next_token or next_token == token:
                return
            token = str(next_token)

    @staticmethod
    def _transaction(record: Mapping[str, Any], currency: str) -> RemoteTransaction | None:
        state = str(read.need(record, "state")).lower()
        if state == "scheduled":
            return None  # a future payment, not yet a movement on the account
        if state not in _STATES:
            raise RecordError(f"unknown state {state!r}")
        if record.get("isDeleted") is True:
            return None
        amount = read.money(read.need(record, "transactionAmount"), None)
        detail = record.get("detail") if isinstance(record.get("detail"), Mapping) else {}
        party_key = "destination.name" if amount.amount < 0 else "source.name"
        return RemoteTransaction(
            status=_STATES[state],
            booking_date=read.day(read.need(record, "date")),
            amount=amount,
            description=read.text(record, "text", "originalText") or "",
            raw=raw_json(record),
            provider_id=str(read.need(record, "id")),
            counterparty=read.text(detail, party_key) if detail else None,
            value_date=read.optional_day(detail.get("valueDate")) if detail else None,
        )
