"""Calling a provider's data API: bearer auth, retries with jittered backoff, typed errors.

Every data call Saldo makes is a read, so it is safe to retry: timeouts, connection resets,
5xx answers, 429 (honouring ``Retry-After``) and bodies that arrive cut short are retried a
bounded number of times with full-jitter exponential backoff. What cannot be retried becomes
a ``ProviderError`` whose message a person can act on. Response JSON is parsed with exact
decimals (``money.loads``).

Token exchange is not done here: a code must never be retried blindly (see core.oauth).
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx2

from desktop_app.core.errors import (
    Cancelled,
    MalformedResponse,
    MoneyError,
    ProviderUnavailable,
    RateLimited,
    ReconsentNeeded,
    RequestRejected,
)
from desktop_app.core.money import loads

log = logging.getLogger(__name__)


class TokenSource(Protocol):
    """Gives the current access token, and a fresh one after a 401 if it can."""

    def access_token(self) -> str: ...

    def after_unauthorized(self, rejected: str) -> bool:
        """Called on a 401 for the token `rejected`. True if a newer token is ready to retry with once."""
        ...


@dataclass
class RetryPolicy:
    attempts: int = 8
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


_TRANSIENT = (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError)
# Failures that mean the provider could not be reached at all (the machine is offline, or DNS is).
_UNREACHABLE = (httpx2.ConnectError, httpx2.ConnectTimeout)


class ApiClient:
    """A provider's data API on an injected ``httpx2.Client``."""

    def __init__(
        self,
        http: httpx2.Client,
        base_url: str,
        provider: str,
        tokens: TokenSource | None = None,
        *,
        request_id_header: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        cancel: threading.Event | None = None,
        on_retry: Callable[[str], None] | None = None,
        revoked_statuses: tuple[int, ...] = (401,),
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self.provider = provider
        self._tokens = tokens
        self._request_id_header = request_id_header
        self._extra = dict(extra_headers or {})
        self.retry = retry or RetryPolicy()
        self.cancel = cancel or threading.Event()
        self._on_retry = on_retry
        # statuses that mean the consent is gone; SimpleFIN answers a revoked access with 403
        self._revoked = revoked_statuses
        self._sent = ""  # the access token of the last request
        self.requests = 0

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, json=body)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        url = self.resolve(path)
        refreshed = False
        attempt = 0
        while True:
            self._check_cancel()
            try:
                response = self._send(method, url, **kwargs)
            except _TRANSIENT as exc:
                self._backoff(
                    attempt, None, f"{type(exc).__name__} on {method} {path}", unreachable=isinstance(exc, _UNREACHABLE)
                )
                attempt += 1
                continue
            status = response.status_code
            if (
                status == 401
                and not refreshed
                and self._tokens is not None
                and self._tokens.after_unauthorized(self._sent)
            ):
                refreshed = True
                continue
            if status in self._revoked or status == 401 or (status == 403 and _says_consent(response)):
                raise ReconsentNeeded.for_provider(self.provider)
            if status == 429 or status >= 500:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if attempt + 1 >= self.retry.attempts:
                    if status == 429:
                        raise RateLimited(
                            f"{self.provider} asks Saldo to slow down; try again later.", self.provider, retry_after
                        )
                    raise ProviderUnavailable(
                        f"{self.provider} is having trouble (HTTP {status}); try again later.", self.provider
                    )
                self._backoff(attempt, retry_after, f"HTTP {status} on {method} {path}")
                attempt += 1
                continue
            if status >= 400:
                raise RequestRejected(
                    f"{self.provider} rejected a request (HTTP {status}): {_error_text(response)}", self.provider
                )
            try:
                return loads(response.content) if response.content else None
            except (ValueError, MoneyError):
                # A body cut short is a transient fault like a reset; a body that is always
                # garbage runs out of attempts and is reported as such.
                if attempt + 1 >= self.retry.attempts:
                    raise MalformedResponse(
                        f"{self.provider} sent a response Saldo cannot read ({method} {path}).", self.provider
                    ) from None
                self._backoff(attempt, None, f"unreadable body on {method} {path}")
                attempt += 1

    def resolve(self, path: str) -> str:
        """An endpoint path below the base URL, or a link the provider sent (absolute or host-relative)."""
        if path.startswith(("http://", "https://")):
            return path
        parts = urlsplit(self._base)
        if parts.path and parts.path != "/" and path.startswith(parts.path.rstrip("/") + "/"):
            return f"{parts.scheme}://{parts.netloc}{path}"  # a link that already carries the base path
        return f"{self._base}{path}"

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        headers = {"Accept": "application/json", **self._extra}
        if self._tokens is not None:
            self._sent = self._tokens.access_token()
            headers["Authorization"] = f"Bearer {self._sent}"
        if self._request_id_header:
            headers[self._request_id_header] = str(uuid.uuid4())
        self.requests += 1
        return self._http.request(method, url, headers=headers, **kwargs)

    def _backoff(self, attempt: int, retry_after: float | None, why: str, *, unreachable: bool = False) -> None:
        if attempt + 1 >= self.retry.attempts:
            raise ProviderUnavailable(
                f"{self.provider} could not be reached ({why}); try again later.",
                self.provider,
                unreachable=unreachable,
            )
        delay = self.retry.delay(attempt, retry_after)
        log.info("%s: %s; retry %d in %.2fs", self.provider, why, attempt + 1, delay)
        if self._on_retry is not None:
            self._on_retry(why)
        if self.cancel.wait(delay) if delay > 0 else self.cancel.is_set():
            raise Cancelled()

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()


def _says_consent(response: httpx2.Response) -> bool:
    return "CONSENT" in response.text.upper()


def _error_text(response: httpx2.Response) -> str:
    """The provider's own short error text, from any of the common error shapes."""
    try:
        body = loads(response.content)
    except (ValueError, MoneyError):
        return response.reason_phrase or "no details"
    if isinstance(body, dict):
        for key in ("error_description", "message", "detail", "title", "error", "Message", "description"):
            if isinstance(body.get(key), str):
                return str(body[key])[:200]
        messages = body.get("tppMessages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            return str(messages[0].get("text") or messages[0].get("code") or "")[:200]
    return response.reason_phrase or "no details"
