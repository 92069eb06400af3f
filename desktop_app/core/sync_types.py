"""What a sync reports and what it needs: progress, the result, and a provider session."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from desktop_app.core.api import ApiClient
from desktop_app.core.models import Connection, SyncStatus
from desktop_app.core.providers.base import DataAdapter


@dataclass(frozen=True, slots=True)
class SyncProgress:
    connection_id: str
    account: str | None
    pages: int
    new: int
    updated: int
    message: str


@dataclass(slots=True)
class SyncResult:
    connection_id: str
    status: SyncStatus
    pages: int = 0
    new: int = 0
    updated: int = 0
    withdrawn: int = 0
    claimed: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    next_allowed_at: datetime | None = None
    balance_mismatches: list[str] = field(default_factory=list)
    requests: int = 0  # HTTP requests made to the provider (SimpleFIN counts them per day)

    @property
    def ok(self) -> bool:
        return self.status.ok

    def summary(self) -> str:
        text = f"{self.new} new, {self.updated} updated in {self.pages} pages"
        if self.withdrawn:
            text += f", {self.withdrawn} withdrawn"
        if self.problems:
            text += f", {len(self.problems)} records skipped"
        return text


@dataclass(frozen=True, slots=True)
class ProviderSession:
    """What a sync needs from the connectors layer for one connection."""

    api: ApiClient
    adapter: DataAdapter


class SessionFactory(Protocol):
    def __call__(self, connection: Connection, cancel: threading.Event) -> ProviderSession: ...


class Reporter:
    def __init__(self, connection_id: str, result: SyncResult, sink: Callable[[SyncProgress], None] | None) -> None:
        self.connection_id = connection_id
        self.result = result
        self.sink = sink
        self.account: str | None = None

    def __call__(self, message: str) -> None:
        if self.sink is not None:
            self.sink(
                SyncProgress(
                    self.connection_id, self.account, self.result.pages, self.result.new, self.result.updated, message
                )
            )
