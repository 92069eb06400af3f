"""SimpleFIN Bridge (North American banks): the setup token, its claim, and the accounts API.

The protocol (simplefin.org/protocol.html), in short:

* The person makes a *setup token* at SimpleFIN Bridge: the Base64 of a claim URL. Saldo POSTs
  to it once, with an empty body, and receives the *access URL*
  ``https://USER:PASS@host/path``. That URL is a credential: it lives in the keyring only. A
  second claim is refused (403), which can mean someone else claimed the token first.
* ``GET {access}/accounts`` with HTTP Basic from the URL's userinfo; ``start-date`` (inclusive)
  and ``end-date`` (exclusive) in epoch seconds; ``pending=1`` to see pending rows. The Bridge
  serves **at most 90 days per request** and cuts a longer range with only a warning, so Saldo
  never asks for more: longer ranges are split into 90-day windows. It expects **about 24
  requests a day**; Saldo counts them and stops (rate limited, data kept) before going over.
* ``errors`` (strings, v1) or ``errlist`` (``{code, msg}``, v2) carry messages for the person:
  Saldo shows them, never drops them.
* Amounts are decimal strings (positive: money in); dates are epoch seconds; ``posted`` is 0
  while pending; a posted row comes with a new id (the sync engine's twin matching links them).

The windows are aligned on one end date, so one request serves every account, and they are
read oldest first: a sync stopped by the daily limit has committed the older windows, and the
next one resumes from the last booked day.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx2

from desktop_app.core.api import ApiClient
from desktop_app.core.errors import MalformedResponse, ProviderError, ProviderUnavailable, RateLimited, SetupTokenError
from desktop_app.core.models import BalanceKind, TransactionStatus, raw_json
from desktop_app.core.providers.base import (
    Problem,
    RecordError,
    RemoteAccount,
    RemoteBalance,
    RemoteTransaction,
    TxPage,
    money,
    need,
    record_ref,
    text,
)

NAME = "SimpleFIN Bridge"
WINDOW_DAYS = 90
DAILY_REQUESTS = 24
FIRST_SYNC_DAYS = 365  # the first sync reads a year, in five requests; the Bridge rarely holds more
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class AccessUrl:
    """A claimed access URL split into its address and its credentials."""

    url: str
    base: str
    user: str
    password: str

    def basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")

    def secrets(self) -> tuple[str, ...]:
        return (self.url, self.password, self.basic(), self.basic()[6:])

    def __repr__(self) -> str:  # never a credential in a traceback
        return "AccessUrl(<kept in the keyring>)"


def _safe_scheme(parts: Any) -> bool:
    """https everywhere; plain http only on this machine's loopback (Saldo's simulator)."""
    return bool(parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK))


def claim_url(setup_token: str) -> str:
    """The claim URL inside a setup token, or SetupTokenError."""
    cleaned = "".join(setup_token.split())
    try:
        decoded = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True).decode("utf-8")
        parts = urlsplit(decoded)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise SetupTokenError.malformed() from None
    if not cleaned or not _safe_scheme(parts) or not parts.hostname or not decoded.isprintable():
        raise SetupTokenError.malformed()
    return decoded


def parse_access_url(value: str) -> AccessUrl:
    parts = urlsplit(value.strip())
    if not _safe_scheme(parts) or not parts.username or not parts.password or not parts.hostname:
        raise MalformedResponse(f"{NAME} sent an access address Saldo cannot use.", NAME)
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return AccessUrl(
        value.strip(), f"{parts.scheme}://{netloc}{parts.path}".rstrip("/"), parts.username, parts.password
    )


def claim(http: httpx2.Client, setup_token: str) -> AccessUrl:
    """Claim a setup token, once. The answer is the access URL; nothing is retried."""
    url = claim_url(setup_token)
    try:
        response = http.post(url, content=b"", headers={"Content-Length": "0"})
    except httpx2.HTTPError as exc:
        raise ProviderUnavailable(
            f"{NAME} could not be reached to claim the token ({type(exc).__name__}).", NAME, unreachable=True
        ) from None
    if response.status_code == 403:
        raise SetupTokenError.already_claimed()
    if response.status_code != 200:
        raise SetupTokenError(f"{NAME} did not accept the setup token (HTTP {response.status_code}).")
    return parse_access_url(response.text)


def _day(epoch: Any) -> date:
    """The calendar day of an epoch time on this machine's clock (the person's own day)."""
    if isinstance(epoch, bool) or not isinstance(epoch, int | float | str):
        raise RecordError(f"bad date {str(epoch)[:20]!r}")
    try:
        return datetime.fromtimestamp(int(epoch)).date()
    except (ValueError, OverflowError, OSError):
        raise RecordError(f"bad date {str(epoch)[:20]!r}") from None


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time(0), UTC).timestamp())


def messages(body: Any) -> list[str]:
    """The protocol's messages for the person: ``errors`` (v1) and ``errlist`` (v2)."""
    found: list[str] = []
    if isinstance(body, Mapping):
        for item in body.get("errors") or []:
            if isinstance(item, str) and item.strip():
                found.append(" ".join(item.split())[:300])
        for item in body.get("errlist") or []:
            if isinstance(item, Mapping) and isinstance(item.get("msg"), str):
                found.append(" ".join(str(item["msg"]).split())[:300])
    return found


@dataclass
class SimpleFinAdapter:
    """Reads one sync's windows; made fresh for every sync (it caches that sync's answers).

    `used_today`: requests already made in the last 24 hours, so the daily budget holds
    across syncs. `today` is the person's calendar day.
    """

    used_today: int = 0
    budget: int = DAILY_REQUESTS
    today: Callable[[], date] = date.today
    first_sync_days: int = FIRST_SYNC_DAYS
    name: str = NAME
    _windows: dict[int, Any] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)  # the Bridge's messages, in order
    _shown: int = 0

    # -- the data adapter protocol -----------------------------------------------------

    def accounts(self, api: ApiClient) -> list[RemoteAccount]:
        body = self._window(api, 0)
        found = []
        for record in body.get("accounts") or []:
            try:
                currency = str(need(record, "currency"))
                if len(currency) != 3 or not currency.isalpha():
                    self._note(f"{text(record, 'name') or 'An account'} counts in a custom currency; Saldo skips it.")
                    continue
                found.append(
                    RemoteAccount(
                        provider_account_id=str(need(record, "id")),
                        name=text(record, "name") or "Account",
                        currency=currency.upper(),
                        owner=text(record, "org.name"),
                        handle={"record": record},
                    )
                )
            except (RecordError, AttributeError) as exc:
                raise MalformedResponse(f"{NAME} sent an account Saldo cannot read: {exc}", NAME) from None
        if not found and self.said:
            raise ProviderError(f"{NAME} says: " + " ".join(self.said), NAME)
        return found

    def balances(self, api: ApiClient, account: RemoteAccount) -> list[RemoteBalance]:
        record: Mapping[str, Any] = account.handle.get("record", {})
        try:
            stamp = int(record.get("balance-date") or 0)
            when = datetime.fromtimestamp(stamp, UTC) if stamp > 0 else None
        except (TypeError, ValueError, OverflowError, OSError):
            when = None
        out = []
        for key, kind in (("balance", BalanceKind.BOOKED), ("available-balance", BalanceKind.AVAILABLE)):
            try:
                out.append(RemoteBalance(kind, money(record.get(key), account.currency), when))
            except RecordError:
                continue
        return out

    def transactions(self, api: ApiClient, account: RemoteAccount, since: date | None) -> Iterator[TxPage]:
        start = since or self.today() - timedelta(days=self.first_sync_days)
        oldest = self._index_of(start)
        for index in range(oldest, -1, -1):  # oldest first: a stop leaves no gap behind it
            body = self._window(api, index)
            page = TxPage([])
            for record in self._rows(body, account.provider_account_id):
                try:
                    page.transactions.append(self._transaction(record, account.currency))
                except (RecordError, AttributeError, TypeError) as exc:
                    page.problems.append(Problem(f"unreadable record: {exc}", record_ref(record)))
            if since is None and any(t.booking_date < start for t in page.transactions):
                # the bank holds more than the first sync reads: say so rather than cut it silently
                self._note(f"{account.name} has history before {start.isoformat()} that Saldo did not read.")
            page.problems.extend(Problem(f"{NAME} says: {m}") for m in self.said[self._shown :])
            self._shown = len(self.said)
            yield page

    # -- windows ---------------------------------------------------------------------

    def _end(self) -> date:
        # exclusive end, a day past today: a row posted late today in any time zone is inside
        return self.today() + timedelta(days=2)

    def _index_of(self, start: date) -> int:
        return max(0, ((self._end() - start).days - 1) // WINDOW_DAYS)

    def _window(self, api: ApiClient, index: int) -> Any:
        if index in self._windows:
            return self._windows[index]
        if self.used_today + api.requests >= self.budget:
            raise RateLimited(
                f"{NAME} allows about {self.budget} requests a day and Saldo has used them; "
                "the rest follows on the next sync tomorrow. Your data is kept.",
                NAME,
                retry_after=24 * 3600,
            )
        end = self._end() - timedelta(days=WINDOW_DAYS * index)
        params = {"start-date": _epoch(end - timedelta(days=WINDOW_DAYS)), "end-date": _epoch(end), "pending": 1}
        body = api.get("/accounts", params)
        if not isinstance(body, Mapping) or not isinstance(body.get("accounts", []), list):
            raise MalformedResponse(f"{NAME} sent its accounts in a shape Saldo does not recognise.", NAME)
        for message in messages(body):
            self._note(message)
        self._windows[index] = body
        return body

    def _note(self, message: str) -> None:
        if message not in self.said:
            self.said.append(message)

    @staticmethod
    def _rows(body: Mapping[str, Any], account_id: str) -> list[Any]:
        for record in body.get("accounts") or []:
            if isinstance(record, Mapping) and str(record.get("id")) == account_id:
                rows = record.get("transactions") or []
                return rows if isinstance(rows, list) else []
        return []

    @staticmethod
    def _transaction(record: Mapping[str, Any], currency: str) -> RemoteTransaction:
        posted = record.get("posted") or 0
        pending = bool(record.get("pending")) or posted in (0, "0")
        when = record.get("transacted_at") if pending else posted
        return RemoteTransaction(
            status=TransactionStatus.PENDING if pending else TransactionStatus.BOOKED,
            booking_date=_day(when if when else need(record, "transacted_at")),
            amount=money(need(record, "amount"), currency),
            description=text(record, "description", "memo") or "",
            raw=raw_json(record),
            provider_id=str(need(record, "id")),
            counterparty=text(record, "payee"),
        )
