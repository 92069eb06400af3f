"""Berlin Group NextGenPSD2-style data APIs (ConnectPay, Aritma's banking API).

The shape, as the NextGenPSD2 AIS documents describe it:

* ``GET …/accounts`` → ``{"accounts": [{"resourceId", "iban", "currency", "name", …}]}``;
* ``GET …/accounts/{id}/balances`` → ``{"balances": [{"balanceAmount": {"amount", "currency"},
  "balanceType": "closingBooked" | "interimAvailable" | …, "referenceDate"}]}``;
* ``GET …/accounts/{id}/transactions?bookingStatus=both&dateFrom=…`` →
  ``{"transactions": {"booked": [...], "pending": [...], "_links": {"next": {"href"}}}}``.

Amounts are **strings** (``"-12.30"``) with a dot. Follow ``_links.next`` until it is gone.
A booked transaction carries ``transactionId``, ``bookingDate``, ``valueDate``,
``transactionAmount``, ``creditorName``/``debtorName`` and the remittance text. Providers
differ in small names, so the variations are parameters of one adapter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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

_BOOKED_TYPES = ("closingBooked", "interimBooked", "openingBooked", "expected")
_AVAILABLE_TYPES = ("interimAvailable", "closingAvailable", "forwardAvailable")


@dataclass(frozen=True)
class BerlinGroupAdapter:
    """One adapter for every Berlin-Group-like provider; the fields are their differences."""

    name: str
    accounts_path: str = "/v1/accounts"
    remittance_fields: tuple[str, ...] = ("remittanceInformationUnstructured", "unstructuredRemittanceInformation")
    date_param: str = "dateFrom"
    extra_params: tuple[tuple[str, str], ...] = (("bookingStatus", "both"),)

    def accounts(self, api: ApiClient) -> list[RemoteAccount]:
        body = api.get(self.accounts_path)
        accounts = []
        for record in read.as_list(body, "accounts", "its account list", api.provider):
            try:
                ident = str(record.get("resourceId") or read.need(record, "id"))
                accounts.append(
                    RemoteAccount(
                        provider_account_id=ident,
                        name=read.text(record, "name", "displayName", "product") or "Account",
                        currency=str(read.need(record, "currency")).upper(),
                        iban=read.text(record, "iban"),
                        kind=read.text(record, "cashAccountType", "product"),
                        owner=read.text(record, "ownerName"),
                        handle={"id": ident},
                    )
                )
            except (RecordError, AttributeError) as exc:
                raise MalformedResponse(
                    f"{api.provider} sent an account Saldo cannot read: {exc}", api.provider
                ) from None
        return accounts

    def _account_path(self, account: RemoteAccount) -> str:
        return f"{self.accounts_path}/{quote(account.provider_account_id, safe='')}"

    def balances(self, api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]:
        body = api.get(f"{self._account_path(account)}/balances")
        found: dict[BalanceKind, RemoteBalance] = {}
        for record in read.as_list(body, "balances", "its balances", api.provider):
            kind_name = str(record.get("balanceType", ""))
            kind = (
                BalanceKind.BOOKED
                if kind_name in _BOOKED_TYPES
                else BalanceKind.AVAILABLE
                if kind_name in _AVAILABLE_TYPES
                else None
            )
            if kind is None or kind in found:
                continue
            try:
                amount = read.money(read.need(record, "balanceAmount"), account.currency)
            except RecordError:
                continue
            when = read.moment(record.get("lastChangeDateTime")) or read.moment(record.get("referenceDate"))
            found[kind] = RemoteBalance(kind, amount, when)
        return list(found.values())

    def transactions(self, api: ApiClient, account: RemoteAccount, since: date | None) -> Iterator[TxPage]:
        params: dict[str, Any] = dict(self.extra_params)
        if since is not None:
            params[self.date_param] = since.isoformat()
        url: str | None = f"{self._account_path(account)}/transactions"
        first = True
        seen_links: set[str] = set()
        while url:
            body = api.get(url, params if first else None)
            first = False
            report = body.get("transactions") if isinstance(body, Mapping) else None
            if not isinstance(report, Mapping):
                raise MalformedResponse(
                    f"{api.provider} sent transactions in a shape Saldo does not recognise.", api.provider
                )
            page = TxPage([])
            for status, key in ((TransactionStatus.BOOKED, "booked"), (TransactionStatus.PENDING, "pending")):
                records = report.get(key) or []
                if not isinstance(records, list):
                    page.problems.append(Problem(f"{key} is not a list"))
                    continue
                for record in records:
                    try:
                        page.transactions.append(self._transaction(record, status))
                    except (RecordError, AttributeError, TypeError) as exc:
                        page.problems.append(Problem(str(exc), read.record_ref(record)))
            yield page
            url = _next_link(report) or _next_link(body)
            if url in seen_links:
                return
            if url:
                seen_links.add(url)

    def _transaction(self, record: Mapping[str, Any], status: TransactionStatus) -> RemoteTransaction:
        amount = read.money(read.need(record, "transactionAmount"))
        booked_on = record.get("bookingDate") if status is TransactionStatus.BOOKED else None
        listed = booked_on or record.get("transactionDate") or record.get("valueDate") or record.get("bookingDate")
        party = (
            read.text(record, "creditorName", "creditorAccount.name")
            if amount.amount < 0
            else read.text(record, "debtorName", "debtorAccount.name")
        )
        description = read.text(record, *self.remittance_fields, "additionalInformation") or party or ""
        ident = record.get("transactionId") or record.get("entryReference")
        return RemoteTransaction(
            status=status,
            booking_date=read.day(listed, "booking date"),
            amount=amount,
            description=description,
            raw=raw_json(record),
            provider_id=str(ident) if ident else None,
            counterparty=party,
            value_date=read.optional_day(record.get("valueDate")),
        )


def _next_link(body: Any) -> str | None:
    if not isinstance(body, Mapping):
        return None
    links = body.get("_links")
    nxt = links.get("next") if isinstance(links, Mapping) else None
    href = nxt.get("href") if isinstance(nxt, Mapping) else nxt if isinstance(nxt, str) else None
    return str(href) if href else None
