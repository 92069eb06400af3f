"""Data adapters for the Demo Bank and Tatra banka.

Demo Bank (Saldo's own simulator): ``GET /demo/api/accounts`` with a ``balances`` object of
decimal strings, and ``GET …/accounts/{id}/transactions?from=&cursor=&limit=`` paged by
``nextCursor``; a pending transaction keeps its id when it books.

Tatra banka (PSD2 Accounts API): ``GET /api/v1/accounts``, ``POST /api/v1/accounts/information``
with the IBAN for balances ("InterimBooked", "InterimAvailable"), and ``POST
/api/v1/accounts/transactions`` paged by ``page``/``pageSize`` (10 to 100 in steps of 10),
``status`` ``BOOK`` or ``INFO`` (pending). Every call carries a ``Request-ID``. The public
documents do not give the response field names; those read here are an inference, kept
deliberately tolerant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
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


def _account(record: Mapping[str, Any], ident_key: str, provider: str) -> RemoteAccount:
    try:
        ident = str(read.need(record, ident_key))
        return RemoteAccount(
            provider_account_id=ident,
            name=read.text(record, "name") or "Account",
            currency=str(read.need(record, "currency")).upper(),
            iban=read.text(record, "iban"),
            owner=read.text(record, "owner", "ownerName"),
            handle={"record": record},
        )
    except (RecordError, AttributeError) as exc:
        raise MalformedResponse(f"{provider} sent an account Saldo cannot read: {exc}", provider) from None


class DemoAdapter:
    name = "Demo Bank"
    page_size = 500  # with 1,000-row pages a sync starved the UI thread for ~45 ms at a time; 500: ~12 ms

    def accounts(self, api: ApiClient) -> list[RemoteAccount]:
        body = api.get("/api/accounts")
        return [_account(r, "id", api.provider) for r in read.as_list(body, "accounts", "its accounts", api.provider)]

    def balances(self, api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]:
        balances = account.handle.get("record", {}).get("balances")
        if not isinstance(balances, Mapping):
            return []
        when = read.moment(balances.get("asOf"))
        out = []
        for key, kind in (("booked", BalanceKind.BOOKED), ("available", BalanceKind.AVAILABLE)):
            try:
                out.append(RemoteBalance(kind, read.money(balances.get(key), account.currency), when))
            except RecordError:
                continue
        return out

    def transactions(self, api: ApiClient, account: RemoteAccount, since: date | None) -> Iterator[TxPage]:
        path = f"/api/accounts/{quote(account.provider_account_id, safe='')}/transactions"
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": self.page_size}
            if since is not None:
                params["from"] = since.isoformat()
            if cursor:
                params["cursor"] = cursor
            body = api.get(path, params)
            page = TxPage([])
            for record in read.as_list(body, "transactions", "its transactions", api.provider):
                try:
                    status = {"booked": TransactionStatus.BOOKED, "pending": TransactionStatus.PENDING}[
                        str(read.need(record, "status"))
                    ]
                    page.transactions.append(
                        RemoteTransaction(
                            status=status,
                            booking_date=read.day(read.need(record, "bookingDate")),
                            amount=read.money(read.need(record, "amount"), str(read.need(record, "currency"))),
                            description=read.text(record, "description") or "",
                            raw=raw_json(record),
                            provider_id=str(read.need(record, "id")),
                            counterparty=read.text(record, "counterparty"),
                            value_date=read.optional_day(record.get("valueDate")),
                        )
                    )
                except (RecordError, KeyError, AttributeError, TypeError) as exc:
                    page.problems.append(Problem(f"unreadable record: {exc}", read.record_ref(record)))
            yield page
            nxt = body.get("nextCursor") if isinstance(body, Mapping) else None
            if not nxt or nxt == cursor:
                return
            cursor = str(nxt)


def bratislava_today() -> date:
    """Today's date where the bank books (Slovakia; CET, one hour ahead of UTC in winter)."""
    try:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Europe/Bratislava")).date()
    except (ImportError, LookupError, OSError):  # no time-zone data on this machine
        return datetime.now(timezone(timedelta(hours=1))).date()


class TatraAdapter:
    name = "Tatra banka"
    page_size = 100  # the API accepts 10, 20, …, 100

    def __init__(self, today: Callable[[], date] = bratislava_today) -> None:
        self._today = today

    def accounts(self, api: ApiClient) -> list[RemoteAccount]:
        body = api.get("/api/v1/accounts")
        return [_account(r, "iban", api.provider) for r in read.as_list(body, "accounts", "its accounts", api.provider)]

    def balances(self, api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]:
        body = api.post("/api/v1/accounts/information", {"iban": account.provider_account_id})
        out = []
        kinds = {"interimbooked": BalanceKind.BOOKED, "interimavailable": BalanceKind.AVAILABLE}
        for record in body.get("balances", []) if isinstance(body, Mapping) else []:
            kind = kinds.get(str(record.get("type", "")).lower()) if isinstance(record, Mapping) else None
            if kind is None:
                continue
            try:
                out.append(RemoteBalance(kind, read.money(record.get("amount"), account.currency)))
            except RecordError:
                continue
        return out

    def transactions(self, api: ApiClient, account: RemoteAccount, since: date | None) -> Iterator[TxPage]:
        page_no = 1
        while True:
            request: dict[str, Any] = {
                "iban": account.provider_account_id,
                "status": "ALL",
                "page": page_no,
                "pageSize": self.page_size,
            }
            if since is not None:
                request["dateFrom"] = since.isoformat()
                request["dateTo"] = max(since, self._today()).isoformat()  # a real day, never 9999-12-31
            body = api.post("/api/v1/accounts/transactions", request)
            page = TxPage([])
            for record in read.as_list(body, "transactions", "its transactions", api.provider):
                try:
                    status = {"BOOK": TransactionStatus.BOOKED, "INFO": TransactionStatus.PENDING}[
                        str(read.need(record, "status"))
                    ]
                    amount = read.money(read.need(record, "amount"))
                    page.transactions.append(
                        RemoteTransaction(
                            status=status,
                            booking_date=read.day(read.need(record, "bookingDate")),
                            amount=amount,
                            description=read.text(record, "remittanceInformation") or "",
                            raw=raw_json(record),
                            provider_id=read.text(record, "transactionId"),
                            counterparty=read.text(record, "counterpartyName"),
                            value_date=read.optional_day(record.get("valueDate")),
                        )
                    )
                except (RecordError, KeyError, AttributeError, TypeError) as exc:
                    page.problems.append(Problem(f"unreadable record: {exc}", read.record_ref(record)))
            yield page
            count = body.get("pageCount") if isinstance(body, Mapping) else None
            if not isinstance(count, int) or page_no >= count:
                return
            page_no += 1
